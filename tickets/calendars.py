"""The SLA calendar and targets that admins edit, as the plain values of ``tickets.sla``.

Built once per process (an ``sla.Calendar`` caches what it computes, so it is worth
keeping) and kept until an admin changes a calendar, its hours or closures,
or a target: every save bumps a version number in the shared cache (Redis in
production), so every process rebuilds on its next use. One cache read per call.

When the cache cannot be reached (Redis down), the version is unknown: each call then
reads the configuration from the database (a few small queries), so pages keep working
and never use a stale calendar. The outage is logged once, and once more when it ends.
"""

import logging
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.cache import cache

from tickets import sla
from tickets.models import BusinessCalendar, Severity, SlaTarget

VERSION_KEY = "tickets:sla-config-version"
DEFAULT_WARNING_PERCENT = round(sla.DEFAULT_WARNING_RATIO * 100)


@dataclass(frozen=True)
class Target:
    """The resolution target of one severity."""

    severity: str
    hours: int
    business_hours: bool  # False: calendar hours, nights and weekends included
    warning_percent: int = DEFAULT_WARNING_PERCENT

    @property
    def label(self) -> str:
        return Severity(self.severity).label

    @property
    def warning_ratio(self) -> float:
        return self.warning_percent / 100


logger = logging.getLogger(__name__)

_lock = threading.Lock()
_built: dict = {}  # {"key": version, "calendar": sla.Calendar, "targets": {...}}
_cache_down = threading.Event()  # set while the cache is unreachable (logged once)


def _cache_failed(exc: Exception) -> None:
    if not _cache_down.is_set():
        _cache_down.set()
        logger.warning(
            "SLA calendar: the cache is unreachable (%s); reading the configuration from "
            "the database until it is back",
            exc,
        )


def _cache_ok() -> None:
    if _cache_down.is_set():
        _cache_down.clear()
        logger.warning("SLA calendar: the cache is reachable again")


def _version() -> str | None:
    """The configuration's version in the shared cache; None when the cache is down."""
    # Any error of the cache backend (redis.ConnectionError, timeouts, OSError): a cache
    # is an optimisation here, never a reason to fail the page.
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception as exc:
        _cache_failed(exc)
        return None
    _cache_ok()
    return version


def invalidate(**kwargs) -> None:
    """Forget the built calendar and targets, here and in every other process.

    Connected to the save and delete signals of the SLA models (see ``TicketsConfig``).
    """
    with _lock:
        _built.clear()
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception as exc:  # down: other processes read the database until it is back
        _cache_failed(exc)


def build_calendar(calendar: BusinessCalendar) -> sla.Calendar:
    """The ``sla.Calendar`` of one database calendar. Spanish holidays (national, plus the
    region's) come from the ``holidays`` package for whatever year the clock reaches."""
    weekly: dict[int, list] = defaultdict(list)
    for interval in calendar.opening_hours.all():
        weekly[interval.weekday].append((interval.opens_at, interval.closes_at))
    closures = tuple(
        (closure.starts_at, closure.ends_at) for closure in calendar.closures.order_by("starts_at")
    )
    return sla.Calendar(
        tz=ZoneInfo(calendar.time_zone),
        weekly_hours={day: tuple(sorted(intervals)) for day, intervals in weekly.items()},
        closures=closures,
        holiday_country="ES" if calendar.national_holidays else None,
        holiday_subdiv=(calendar.holiday_region or None) if calendar.national_holidays else None,
    )


def _load() -> dict:
    key = _version()
    with _lock:
        if key is not None and _built.get("key") == key:
            return dict(_built)
    default = (
        BusinessCalendar.objects.filter(is_default=True).prefetch_related("opening_hours").first()
    )
    calendar = build_calendar(default) if default else sla.default_calendar()
    targets = {
        severity: Target(severity, sla.DEFAULT_TARGET_HOURS[severity], True)
        for severity in Severity.values
    }
    for row in SlaTarget.objects.all():
        targets[row.severity] = Target(
            row.severity, row.hours, row.business_hours, row.warning_percent
        )
    if key is None:  # version unknown: use it for this call only
        return {"key": None, "calendar": calendar, "targets": targets}
    with _lock:
        _built.clear()
        _built.update(key=key, calendar=calendar, targets=targets)
        return dict(_built)


@dataclass(frozen=True)
class SlaConfig:
    """The calendar and the targets, read together (one cache read for a whole page)."""

    calendar: sla.Calendar
    targets: dict[str, Target]


def current() -> SlaConfig:
    """The SLA configuration in force now."""
    built = _load()
    return SlaConfig(built["calendar"], built["targets"])


def default_calendar() -> sla.Calendar:
    """The default business calendar of the database (or SPEC's defaults if none)."""
    return _load()["calendar"]


def current_target(severity: str) -> Target:
    """The resolution target of ``severity`` now. Raises KeyError for an unknown severity."""
    return _load()["targets"][severity]
