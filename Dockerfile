# Production image (cookiecutter-django's shape): web (gunicorn), Celery worker and beat
# share it (docker-compose.yml). Dependencies come only from the lock file.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# --- Stage 1: the virtualenv, from requirements/base.txt (hashes checked) --------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY pyproject.toml /src/
COPY requirements/ /src/requirements/
RUN python /src/requirements/check_lock.py \
 && /venv/bin/pip install --require-hashes --no-deps -r /src/requirements/base.txt

# --- Stage 2: the runtime, without compilers or pip caches -----------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=helpdesk.settings.production HELPDESK_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media STATIC_ROOT=/app/var/staticfiles

# WeasyPrint needs Pango; gettext compiles the translations; manage.py backup/restore need
# pg_dump/pg_restore (Debian bookworm's 15, the same major version as the db service).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core gettext postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --create-home --shell /usr/sbin/nologin helpdesk

COPY --from=build /venv /venv
WORKDIR /app
COPY --chown=helpdesk:helpdesk . .
# Build-time values only, so production settings load for collectstatic; never used at
# run time (the real ones come from .env). The Fernet key below encrypts nothing.
RUN python manage.py compilemessages -v0 \
 && SECRET_KEY=build-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    ALLOWED_HOSTS=localhost EMAIL_URL=smtp://localhost:25 \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    VAULT_KEYS=O7VbZexMpQobjkFhe2aVCMOTzGCMglLW-iwXwNkmjhI= \
    python manage.py collectstatic --noinput -v0 \
 && mkdir -p /app/var/media /app/var/celery \
 && chown -R helpdesk:helpdesk /app/var

USER helpdesk
EXPOSE 8000
# Liveness only (no database): readiness of every service is /health/.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health/live/', timeout=4)"
ENTRYPOINT ["/app/compose/entrypoint.sh"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "helpdesk.wsgi:application"]
