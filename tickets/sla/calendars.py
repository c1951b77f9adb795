"""Business calendars: weekly opening hours, holidays and closures, in one time zone.

A calendar answers one question fast: the open intervals of a local date, as aware UTC
datetimes, holidays and closures already removed. The clock functions (``clock.py``) only
walk those intervals day by day; they never step minute by minute.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from tickets.sla.errors import CalendarError, NaiveDatetimeError

DEFAULT_TIME_ZONE = "Europe/Madrid"
DEFAULT_OPENING = time(9)
DEFAULT_CLOSING = time(18)

_DAY_US = 86_400_000_000  # microseconds in a wall-clock day
_ONE_DAY = timedelta(days=1)
# Day-interval cache entries kept per calendar before it is emptied (about 55 years of days).
_CACHE_LIMIT = 20_000
_YEAR_TABLE_LIMIT = 200
_ZERO = timedelta(0)

Interval = tuple[datetime, datetime]


def ensure_aware(moment: datetime, name: str = "datetime") -> datetime:
    """Return ``moment`` if aware. Raises NaiveDatetimeError, TypeError (not a datetime)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise NaiveDatetimeError(f"{name} must be timezone-aware: {moment!r}")
    return moment


@functools.lru_cache(maxsize=512)
def public_holidays(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    """Public holidays of one year from the ``holidays`` package (national, plus region)."""
    try:
        found = holidays_lib.country_holidays(country, subdiv=subdiv, years=year)
    except NotImplementedError as exc:  # the package's way to say "unknown country/subdiv"
        raise CalendarError(f"no holidays known for {country!r} / {subdiv!r}") from exc
    return frozenset(found.keys())


@functools.lru_cache(maxsize=64)
def _check_holiday_region(country: str, subdiv: str | None) -> None:
    """Raises CalendarError unless ``holidays`` knows the region (no year is computed)."""
    try:
        holidays_lib.country_holidays(country, subdiv=subdiv)
    except NotImplementedError as exc:
        raise CalendarError(f"no holidays known for {country!r} / {subdiv!r}") from exc


def spanish_holidays(years: Iterable[int], subdiv: str | None = None) -> frozenset[date]:
    """Spanish national holidays of ``years``, plus those of region ``subdiv`` when given.

    ``subdiv`` is an ISO 3166-2:ES community code of the ``holidays`` package, e.g. ``"CN"``
    (Canarias: 30 May, Día de Canarias) or ``"MD"`` (Madrid). Raises CalendarError.
    """
    found: set[date] = set()
    for year in years:
        found |= public_holidays("ES", subdiv, year)
    return frozenset(found)


def wall_to_utc(wall: datetime, tz: tzinfo) -> datetime:
    """The UTC instant of naive wall time ``wall`` in ``tz``; non-decreasing in ``wall``.

    An ambiguous wall time (the repeated hour when summer time ends) is its first
    occurrence. A wall time that does not exist (the hour skipped when summer time starts)
    is the transition instant itself, so opening hours never overlap nor run backwards.
    """
    utc = wall.replace(tzinfo=tz).astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) == wall:
        return utc
    # In a gap: the transition lies between the two readings of the wall time. Transitions
    # are on whole seconds: bisect for the first second whose wall time is not before `wall`.
    readings = (utc, wall.replace(tzinfo=tz, fold=1).astimezone(UTC))
    low = int(min(readings).timestamp()) - 1
    high = int(max(readings).timestamp()) + 1
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _time_to_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _us_to_time(us: int) -> time:
    us %= _DAY_US  # 24:00 is written time(0)
    seconds, micro = divmod(us, 1_000_000)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)


def _normalize_day(weekday: object, spans: object) -> tuple[tuple[int, int], ...]:
    """Sorted, merged (start, end) microseconds of the day; end 0:00 means midnight (24:00)."""
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
        raise CalendarError(f"weekday must be an int 0 (Monday) to 6 (Sunday), not {weekday!r}")
    ranges: list[tuple[int, int]] = []
    for span in spans:  # type: ignore[attr-defined]
        try:
            start, end = span
        except (TypeError, ValueError) as exc:
            raise CalendarError(f"an opening interval is a (start, end) pair: {span!r}") from exc
        if not (isinstance(start, time) and isinstance(end, time)):
            raise CalendarError(f"opening interval bounds must be datetime.time: {span!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise CalendarError(f"opening hours are local wall times, without tzinfo: {span!r}")
        start_us = _time_to_us(start)
        end_us = _time_to_us(end) or _DAY_US
        if start_us >= end_us:
            raise CalendarError(f"an opening interval must end after it starts: {span!r}")
        ranges.append((start_us, end_us))
    merged: list[list[int]] = []
    for start_us, end_us in sorted(ranges):
        if merged and start_us <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end_us)
        else:
            merged.append([start_us, end_us])
    return tuple((start_us, end_us) for start_us, end_us in merged)


def _normalize_closures(closures: Iterable[tuple[datetime, datetime]]) -> tuple[Interval, ...]:
    """Sorted, merged UTC intervals, empties dropped. Raises CalendarError, NaiveDatetimeError."""
    ranges: list[Interval] = []
    for closure in closures:
        try:
            start, end = closure
        except (TypeError, ValueError) as exc:
            raise CalendarError(f"a closure is a (start, end) pair: {closure!r}") from exc
        try:
            start = ensure_aware(start, "closure start").astimezone(UTC)
            end = ensure_aware(end, "closure end").astimezone(UTC)
        except TypeError as exc:
            raise CalendarError(str(exc)) from exc
        if start < end:
            ranges.append((start, end))
    merged: list[list[datetime]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


@dataclass(frozen=True, eq=True)
class Calendar:
    """When the business clock runs. Immutable and hashable; needs no database.

    - ``tz``: the zone of the opening hours, results and holidays (a ``ZoneInfo`` or a name).
    - ``weekly_hours``: weekday (0 = Monday) → opening intervals in local wall time, several
      per day allowed, ``[start, end)``; an ``end`` of ``time(0)`` means midnight (24:00).
      Missing or empty weekdays are closed. Stored sorted and merged.
    - ``holidays``: local dates closed all day (e.g. ``spanish_holidays(...)`` or the admin's).
    - ``closures``: aware ``[start, end)`` intervals closed (admin-added closures), any zone.
    - ``holiday_country`` / ``holiday_subdiv``: also close the public holidays of this
      country (and region) from the ``holidays`` package, computed lazily for any year it
      covers (Spain: 2008 to 2100), e.g. ``"ES"`` / ``"CN"`` for the Canary Islands.

    A wall time skipped by a summer-time change is read as the change itself; a repeated one
    as its first occurrence. Opening hours are wall times, so 09:00-18:00 stays 9 real hours
    on the days the clocks change. Raises CalendarError on malformed input.

    Each calendar caches the intervals of the days it has seen and per-year running totals:
    keep and reuse one instance (it is hashable, picklable, and safe to share) rather than
    building a new one per call.
    """

    tz: ZoneInfo
    weekly_hours: Mapping[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date] = frozenset()
    closures: tuple[tuple[datetime, datetime], ...] = ()
    holiday_country: str | None = None
    holiday_subdiv: str | None = None
    _cache: dict[date, tuple[Interval, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _year_tables: dict[int, list[timedelta]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        tz = self.tz
        if isinstance(tz, str):
            try:
                tz = ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise CalendarError(f"unknown time zone {tz!r}") from exc
        if not isinstance(tz, tzinfo):
            raise CalendarError(f"tz must be a ZoneInfo (or a zone name), not {tz!r}")
        if not isinstance(self.weekly_hours, Mapping):
            raise CalendarError("weekly_hours must map weekday numbers to opening intervals")
        week = {day: _normalize_day(day, spans) for day, spans in self.weekly_hours.items()}
        week_us = tuple(week.get(day, ()) for day in range(7))
        closed_dates = frozenset(
            value.date() if isinstance(value, datetime) else value for value in self.holidays
        )
        if not all(isinstance(value, date) for value in closed_dates):
            raise CalendarError("holidays must be dates")
        if self.holiday_subdiv is not None and self.holiday_country is None:
            raise CalendarError("holiday_subdiv needs holiday_country")
        if self.holiday_country is not None:
            _check_holiday_region(self.holiday_country, self.holiday_subdiv)
        closures = _normalize_closures(self.closures)
        set_ = object.__setattr__  # the dataclass is frozen: normalize once, here
        set_(self, "tz", tz)
        set_(
            self,
            "weekly_hours",
            MappingProxyType(
                {
                    day: tuple((_us_to_time(a), _us_to_time(b)) for a, b in spans)
                    for day, spans in enumerate(week_us)
                    if spans
                }
            ),
        )
        set_(self, "holidays", closed_dates)
        set_(self, "closures", closures)
        set_(self, "_week_us", week_us)
        set_(self, "_closure_ends", [end for _, end in closures])

    def __hash__(self) -> int:
        return hash(
            (
                self.tz,
                tuple(self.weekly_hours.items()),
                self.holidays,
                self.closures,
                self.holiday_country,
                self.holiday_subdiv,
            )
        )

    def __reduce__(self):
        """Pickle the configuration only (a read-only mapping itself cannot be pickled)."""
        return (
            type(self),
            (
                self.tz,
                dict(self.weekly_hours),
                self.holidays,
                self.closures,
                self.holiday_country,
                self.holiday_subdiv,
            ),
        )

    @property
    def has_opening_hours(self) -> bool:
        """True when at least one weekday has opening hours."""
        return any(self._week_us)

    def is_holiday(self, day: date) -> bool:
        """True when the local date ``day`` is closed all day as a holiday."""
        if day in self.holidays:
            return True
        return self.holiday_country is not None and day in public_holidays(
            self.holiday_country, self.holiday_subdiv, day.year
        )

    def day_start(self, day: date) -> datetime:
        """The UTC instant of local midnight starting ``day``."""
        return wall_to_utc(datetime(day.year, day.month, day.day), self.tz)  # noqa: DTZ001

    def open_intervals(self, day: date) -> tuple[Interval, ...]:
        """Open ``[start, end)`` intervals of local date ``day``, aware in UTC, sorted.

        Holidays and closures are removed; intervals of successive days never overlap.
        """
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        spans = self._week_us[day.weekday()]
        intervals: tuple[Interval, ...] = ()
        if spans and not self.is_holiday(day):
            midnight = datetime(day.year, day.month, day.day)  # noqa: DTZ001 (wall time)
            found = []
            for start_us, end_us in spans:
                start = wall_to_utc(midnight + timedelta(microseconds=start_us), self.tz)
                end = wall_to_utc(midnight + timedelta(microseconds=end_us), self.tz)
                if start < end:  # a span inside a summer-time gap can vanish
                    found.append((start, end))
            intervals = self._without_closures(found)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[day] = intervals
        return intervals

    def business_time_of_days(self, first: date, stop: date) -> timedelta:
        """Business time of the whole local days ``first`` to ``stop`` (excluded)."""
        if stop <= first:
            return _ZERO
        total = _ZERO
        day = first
        while day.year < stop.year:
            table = self._year_table(day.year)
            total += table[-1] - table[_day_of_year(day)]
            day = date(day.year + 1, 1, 1)
        table = self._year_table(day.year)
        return total + table[_day_of_year(stop)] - table[_day_of_year(day)]

    def skip_whole_days(self, day: date, amount: timedelta) -> tuple[date, timedelta]:
        """Skip, from ``day`` on, the whole days whose business time together is below ``amount``.

        Returns the first day not skipped (the one where ``amount`` runs out) and the amount
        left for it. Needs a positive ``amount`` and a calendar that opens some day.
        """
        while True:
            table = self._year_table(day.year)
            index = _day_of_year(day)
            reached = table[index] + amount
            if table[-1] < reached:  # the rest of the year is not enough
                amount = reached - table[-1]
                day = date(day.year + 1, 1, 1)
                continue
            last_skipped = bisect_left(table, reached, lo=index) - 1
            return day + timedelta(days=last_skipped - index), reached - table[last_skipped]

    def _year_table(self, year: int) -> list[timedelta]:
        """Cumulative business time at the start of each local day of ``year``, and at its end."""
        table = self._year_tables.get(year)
        if table is None:
            table = [_ZERO]
            day = date(year, 1, 1)
            while day.year == year:
                table.append(
                    table[-1] + sum((end - start for start, end in self.open_intervals(day)), _ZERO)
                )
                day += _ONE_DAY
            if len(self._year_tables) >= _YEAR_TABLE_LIMIT:
                self._year_tables.clear()
            self._year_tables[year] = table
        return table

    def closure_end_after(self, moment: datetime) -> datetime | None:
        """End of the closure containing UTC ``moment``, or None when it is not in one."""
        index = bisect_right(self._closure_ends, moment)
        if index < len(self.closures) and self.closures[index][0] <= moment:
            return self.closures[index][1]
        return None

    def _without_closures(self, intervals: list[Interval]) -> tuple[Interval, ...]:
        if not intervals or not self.closures:
            return tuple(intervals)
        closures = self.closures
        index = bisect_right(self._closure_ends, intervals[0][0])
        kept: list[Interval] = []
        for start, end in intervals:
            while index < len(closures) and closures[index][0] < end:
                closed_from, closed_until = closures[index]
                if closed_from > start:
                    kept.append((start, closed_from))
                if closed_until >= end:
                    start = end  # the closure may also cover the next interval: keep index
                    break
                start = max(start, closed_until)
                index += 1
            if start < end:
                kept.append((start, end))
        return tuple(kept)


@functools.cache
def default_calendar() -> Calendar:
    """Monday to Friday 09:00-18:00 Europe/Madrid, minus Spanish national holidays (any year)."""
    opening = ((DEFAULT_OPENING, DEFAULT_CLOSING),)
    return Calendar(
        tz=ZoneInfo(DEFAULT_TIME_ZONE),
        weekly_hours=dict.fromkeys(range(5), opening),
        holiday_country="ES",
    )


def _day_of_year(day: date) -> int:
    """0 for 1 January."""
    return day.toordinal() - date(day.year, 1, 1).toordinal()


def local_date(moment: datetime, calendar: Calendar) -> date:
    """The calendar's local date of an aware moment."""
    return moment.astimezone(calendar.tz).date()


def next_day(day: date) -> date:
    return day + _ONE_DAY
