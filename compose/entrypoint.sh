#!/bin/sh
# The image's entrypoint: wait until PostgreSQL and the broker answer (or stop with a message
# naming which one and what to do), then run the command (gunicorn, celery, manage.py ...).
# Runs outside Docker too: tests/deploy/test_image.py.
set -eu
cd "$(dirname "$0")/.."
python manage.py wait_for_services --timeout "${WAIT_FOR_SERVICES_TIMEOUT:-60}"
exec "$@"
