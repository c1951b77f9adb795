"""gunicorn, configured by environment (the image's web command: gunicorn -c gunicorn.conf.py).

https://docs.gunicorn.org/en/stable/settings.html
An empty variable means "not set", like everywhere in the project.
"""

import os


def _int(name: str, default: int) -> int:
    value = (os.environ.get(name) or "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND") or "0.0.0.0:8000"
# Sync workers: each serves one request at a time; see README "Scaling".
workers = _int("GUNICORN_WORKERS", 3)
timeout = _int("GUNICORN_TIMEOUT", 60)  # seconds before a stuck worker is killed
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Recycle a worker after this many requests (plus jitter), against slow memory growth.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
keepalive = 5
# The TLS-terminating proxy (Caddy) is the only client; trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS") or "*"
accesslog = "-"
errorlog = "-"
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
