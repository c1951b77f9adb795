"""Requests per second of ONE gunicorn web process (one sync worker), for README "Scaling".

Starts gunicorn with the local settings on DATABASE_URL/REDIS_URL, then 4 client threads
request each page for 5 seconds (keep-alive off, like requests through a proxy). Prints
requests per second and the median latency. Run: .venv/bin/python bench/web_throughput.py
"""

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/health/live/", "/accounts/login/", "/health/?format=json"]
SECONDS, THREADS = 5, 4


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure(url: str) -> tuple[float, float]:
    latencies: list[float] = []
    stop = time.monotonic() + SECONDS

    def client():
        while time.monotonic() < stop:
            start = time.perf_counter()
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                response.read()
            latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / SECONDS, statistics.median(latencies) * 1000


def main() -> None:
    port = _port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "HEALTH_CHECK_CELERY": "false",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "helpdesk.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health/live/", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        print(f"one gunicorn sync worker, {THREADS} client threads, {SECONDS} s per page")
        for page in PAGES:
            rate, median = measure(base + page)
            print(f"{page:24} {rate:8.1f} req/s   median {median:6.1f} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
