"""Settings of the page bench: production's, plus the floor view and a query-count header.

    DJANGO_SETTINGS_MODULE=bench.settings gunicorn ... helpdesk.wsgi

Production settings need their secrets from the environment (see .env.example); the bench
sets them. Nothing here is used outside bench/.
"""

from helpdesk.settings.production import *  # noqa: F403
from helpdesk.settings.production import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# Outermost, so that its count covers every query of the request (sessions, auth...).
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
