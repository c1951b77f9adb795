# Production image: gunicorn (web), Celery worker and beat share it (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=helpdesk.settings.production HELPDESK_VAR_DIR=/app/var

# WeasyPrint needs Pango; gettext compiles the translations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .
RUN python manage.py compilemessages -v0 -i .venv \
 && SECRET_KEY=build-only ALLOWED_HOSTS=localhost EMAIL_URL=consolemail:// VAULT_KEYS=build-only \
    python manage.py collectstatic --noinput -v0 \
 && useradd --create-home helpdesk && mkdir -p var && chown -R helpdesk var

USER helpdesk
EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
