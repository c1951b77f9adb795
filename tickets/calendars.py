"""The SLA calendar and targets that admins edit, as the plain values of ``tickets.sla``.

Built once per process (an ``sla.Calendar`` caches what it computes, so it is worth
keeping) and kept until an admin changes a calendar, its hours or closures,
or a target: every save bumps a version number in the shared cache (Redis in
production), so every process rebuilds on its next use. One cache read per call.
"""

import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.cache import cache

from . import sla
from .models import BusinessCalendar, Severity, SlaTarget

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


_lock = threading.Lock()
_built: dict = {}  # {"key": version, "calendar": sla.Calendar, "targets": {...}}


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def invalidate(**kwargs) -> None:
    """Forget the built calendar and targets, here and in every other process.

    Connected to the save and delete signals of the SLA models (see ``TicketsConfig``).
    """
    with _lock:
        _built.clear()
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


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
        if _built.get("key") == key:
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
