"""Exactly one Celery beat, enforced: a scheduler that sends only while it holds a Redis lock.

``celery -A helpdesk beat -S helpdesk.beat.LockedScheduler``. A second beat (a scaled
service, a restarted container beside the old one) waits on standby and takes over within
``LOCK_SECONDS`` when the first one dies. Without a Redis broker (the embedded default) it
behaves like the default scheduler: one process only, by construction.
"""

import logging
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

LOCK_NAME = "helpdesk:celery-beat"
LOCK_SECONDS = 60  # a dead beat's lock expires after this
HEARTBEAT = Path("/tmp/celerybeat-heartbeat")  # noqa: S108 - read by the compose healthcheck


class LockedScheduler(PersistentScheduler):
    """Sends due tasks only while holding ``LOCK_NAME``; otherwise waits on standby."""

    #: seconds between ticks at most, so a standby beat notices a free lock soon
    max_interval = 10

    def __init__(self, *args, **kwargs):
        self._lock = None
        self.is_leader = False
        super().__init__(*args, **kwargs)

    def _redis_lock(self):
        if self._lock is None:
            import redis

            url = self.app.conf.broker_url or ""
            if not url.startswith(("redis://", "rediss://")):
                return None
            prefix = settings.CELERY_TASK_DEFAULT_QUEUE
            self._lock = redis.Redis.from_url(url).lock(
                f"{LOCK_NAME}:{prefix}", timeout=LOCK_SECONDS, thread_local=False
            )
        return self._lock

    def holds_lock(self) -> bool:
        """Take or renew the lock; True while this beat is the one that sends."""
        lock = self._redis_lock()
        if lock is None:
            return True
        try:
            if self.is_leader and lock.owned():
                lock.reacquire()
            else:
                self.is_leader = lock.acquire(blocking=False)
                if self.is_leader:
                    logger.info("This beat holds %s: it sends the periodic tasks.", LOCK_NAME)
        except Exception:  # Redis down: send nothing rather than risk two beats
            logger.exception("Beat lock unavailable; sending nothing until Redis answers.")
            self.is_leader = False
        return self.is_leader

    def tick(self, *args, **kwargs):
        HEARTBEAT.touch()
        if not self.holds_lock():
            return min(self.max_interval, LOCK_SECONDS / 3)
        return min(super().tick(*args, **kwargs), LOCK_SECONDS / 3)

    def close(self):
        if self._lock is not None and self.is_leader:
            try:
                self._lock.release()
                self.is_leader = False
            except Exception:  # already expired: nothing to give back
                logger.info("Beat lock already released.")
        super().close()
