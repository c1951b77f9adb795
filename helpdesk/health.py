"""Health endpoints (issue 13), with django-health-check.

- ``/health/live/``: the process answers (liveness). No database, no authentication: for
  the image's HEALTHCHECK and a load balancer.
- ``/health/``: the database, the cache, storage, the broker and a Celery worker ping
  (readiness). JSON for machines (``Accept: application/json`` or ``?format=json``), HTML
  for people; 503 when any check fails. One ``SELECT 1`` is its only query.
  https://codingjoe.dev/django-health-check/
"""

import datetime
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from health_check.checks import Cache, Database, Storage
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView


class Broker(Redis):
    """The Celery broker (Redis), named without its address: the page is public."""

    def __repr__(self):
        return "Broker"


class CeleryPing(Ping):
    """At least one Celery worker answers a ping on the broker."""

    def __repr__(self):
        return "CeleryWorkers"


def configured_checks() -> list:
    """The checks this deployment can run: the broker and the worker ping need a real
    broker (the embedded filesystem broker answers no ping)."""
    found: list = [Database, Cache, Storage]
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(("redis://", "rediss://")):
        from redis.asyncio import Redis as RedisClient

        found.append(
            (Broker, {"client_factory": lambda: RedisClient.from_url(broker, socket_timeout=2)})
        )
    if settings.HEALTH_CHECK_CELERY and not broker.startswith("filesystem://"):
        found.append((CeleryPing, {"timeout": datetime.timedelta(seconds=1)}))
    return found


class HealthView(HealthCheckView):
    """Every check at once; a failure answers 503 Service Unavailable, not 500."""

    def get_checks(self):
        self.checks = configured_checks()
        return super().get_checks()

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response


_health_view = HealthView.as_view()


def health(request: HttpRequest) -> HttpResponse:
    """``/health/`` from a sync (WSGI) stack: the async checks run on a fresh thread's event
    loop, so a thread that already runs one (a browser-test driver) cannot break it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(async_to_sync(_health_view), request).result()


@never_cache
def live(request: HttpRequest) -> HttpResponse:
    """Liveness: answers without touching the database."""
    return HttpResponse("ok\n", content_type="text/plain")
