"""Requests per minute per key, counted in the cache (Redis in production).

A fixed one-minute window: ``incr`` on a key that expires with the window. When the cache
is down the request is let through (the database still guards every write).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)
WINDOW = 60  # seconds


class ApiKeyRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        key = request.auth
        if key is None or not hasattr(key, "pk"):
            return True
        now = time.time()
        window = int(now // WINDOW)
        self._wait = WINDOW - (now - window * WINDOW)
        name = f"api:rate:{key.pk}:{window}"
        try:
            cache.add(name, 0, timeout=WINDOW + 5)
            count = cache.incr(name)
        except Exception:  # the cache is down: degrade to no limit, never to a 500
            logger.warning("API rate limit skipped: cache unavailable", exc_info=True)
            return True
        return count <= settings.API_RATE_LIMIT_PER_MINUTE

    def wait(self):
        return max(1, int(self._wait + 0.999))
