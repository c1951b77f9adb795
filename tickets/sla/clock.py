"""Counting business time on a calendar, and elapsed ("calendar hours") time.

Every function takes aware datetimes (NaiveDatetimeError otherwise) and returns them in the
calendar's zone. Business time is real time spent inside open intervals: the walk jumps from
interval to interval and from day to day (across whole closures at once), never minute by
minute. Past ``WALK_DAYS`` days it stops walking and uses the calendar's per-year running
totals (built once per calendar and year), so a span of years costs about what a week does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tickets.sla.calendars import Calendar, Interval, ensure_aware, local_date, next_day
from tickets.sla.errors import NoOpeningHoursError, SlaError

ZERO = timedelta(0)
# Days walked one by one before switching to the per-year totals: a short target never
# pays for building a year's table (about 2 ms), a long one pays it once per year.
WALK_DAYS = 45


def _check_duration(duration: timedelta) -> None:
    if not isinstance(duration, timedelta):
        raise TypeError(f"duration must be a timedelta, not {type(duration).__name__}")
    if duration < ZERO:
        raise SlaError(f"duration must not be negative: {duration}")


def _require_hours(calendar: Calendar) -> None:
    if not calendar.has_opening_hours:
        raise NoOpeningHoursError("the calendar has no opening hours on any weekday")


def _following_day(calendar: Calendar, day: date, intervals: tuple[Interval, ...]) -> date:
    """The next local date worth looking at: tomorrow, or past a closure that covers it."""
    following = next_day(day)
    if not intervals and calendar.closures:
        closed_until = calendar.closure_end_after(calendar.day_start(following))
        if closed_until is not None:
            # Every day before the closure's last one is closed from midnight to midnight.
            return max(following, local_date(closed_until, calendar))
    return following


def is_open(moment: datetime, calendar: Calendar) -> bool:
    """True when the business clock runs at ``moment`` (opening included, closing excluded)."""
    instant = ensure_aware(moment, "moment").astimezone(UTC)
    return any(
        opens <= instant < closes
        for opens, closes in calendar.open_intervals(local_date(instant, calendar))
    )


def next_opening(moment: datetime, calendar: Calendar) -> datetime:
    """``moment`` itself when open, else the next opening. Raises NoOpeningHoursError."""
    _require_hours(calendar)
    cursor = ensure_aware(moment, "moment").astimezone(UTC)
    day = local_date(cursor, calendar)
    while True:
        intervals = calendar.open_intervals(day)
        for opens, closes in intervals:
            if closes > cursor:
                return max(opens, cursor).astimezone(calendar.tz)
        day = _following_day(calendar, day, intervals)


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The moment when ``duration`` of business time has passed since ``start``.

    Closed time (nights, weekends, holidays, closures, the gap of a split day) is skipped;
    a start outside business hours counts from the next opening. The result is the earliest
    such moment, so a target met exactly at closing returns the closing time (Monday 09:00
    + 8 h → Monday 17:00; Monday 17:00 + 8 h → Tuesday 16:00 on 09:00-18:00).

    A zero ``duration`` returns ``start`` itself (in the calendar's zone), even when closed:
    nothing is left to count, so the target is met at once. This keeps
    ``add(add(s, a), b) == add(s, a + b)`` for every ``a, b >= 0``, and a zero-length pause
    in ``resume_due`` changes nothing.

    Raises NaiveDatetimeError, SlaError (negative duration), NoOpeningHoursError (a positive
    duration on a calendar that never opens).
    """
    ensure_aware(start, "start")
    _check_duration(duration)
    if not duration:
        return start.astimezone(calendar.tz)
    _require_hours(calendar)
    cursor = start.astimezone(UTC)
    remaining = duration
    day = local_date(cursor, calendar)
    days_walked = 0
    while True:
        intervals = calendar.open_intervals(day)
        for opens, closes in intervals:
            if closes <= cursor:
                continue
            if opens > cursor:
                cursor = opens
            available = closes - cursor
            if available >= remaining:
                return (cursor + remaining).astimezone(calendar.tz)
            remaining -= available
            cursor = closes
        day = _following_day(calendar, day, intervals)
        days_walked += 1
        if days_walked == WALK_DAYS:
            # Whole days from here on: skip those that cannot exhaust what remains.
            day, remaining = calendar.skip_whole_days(day, remaining)


def business_time_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """Business time in ``[start, end)``; zero when ``end <= start``. Raises NaiveDatetimeError."""
    begin = ensure_aware(start, "start").astimezone(UTC)
    finish = ensure_aware(end, "end").astimezone(UTC)
    if finish <= begin or not calendar.has_opening_hours:
        return ZERO
    day = local_date(begin, calendar)
    last = local_date(finish, calendar)
    if (last - day).days > WALK_DAYS:
        # The partial first and last days, and the whole days between from the year totals.
        return (
            _clipped(calendar.open_intervals(day), begin, finish)
            + calendar.business_time_of_days(next_day(day), last)
            + _clipped(calendar.open_intervals(last), begin, finish)
        )
    total = ZERO
    while day <= last:
        intervals = calendar.open_intervals(day)
        total += _clipped(intervals, begin, finish)
        day = _following_day(calendar, day, intervals)
    return total


def _clipped(intervals: tuple[Interval, ...], begin: datetime, finish: datetime) -> timedelta:
    """Business time of ``intervals`` inside ``[begin, finish)``."""
    total = ZERO
    for opens, closes in intervals:
        if closes <= begin:
            continue
        if opens >= finish:
            break
        total += min(closes, finish) - max(opens, begin)
    return total


def add_elapsed_time(start: datetime, duration: timedelta) -> datetime:
    """``start`` plus ``duration`` of real elapsed time, in ``start``'s zone.

    The sum is done in UTC, so 8 hours across a summer-time change are 8 real hours (the
    wall clock shows 7 or 9). Raises NaiveDatetimeError, SlaError (negative duration).
    """
    ensure_aware(start, "start")
    _check_duration(duration)
    return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
