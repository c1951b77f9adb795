"""Properties of the SLA engine over random calendars, moments and durations (Hypothesis).

Moments are compared and shifted in UTC: two datetimes of the same zone compare, add and
subtract as wall times, which is off by the change around a summer-time transition.
"""

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.sla import (
    Calendar,
    add_business_time,
    add_elapsed_time,
    business_time_between,
    clock,
    default_calendar,
    is_open,
    next_opening,
    resolution_due,
    resume_due,
)

PROPERTY = settings(max_examples=100, deadline=None)
ONE_US = timedelta(microseconds=1)
ZERO = timedelta(0)

# Zones with summer time at 02:00 (Madrid), 01:00 (Canary), at midnight (Santiago), by
# half an hour (Lord Howe), and none (UTC).
ZONES = [
    "Europe/Madrid",
    "Atlantic/Canary",
    "UTC",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
]
OFFICE = ((time(9), time(18)),)
# Hypothesis takes naive bounds and attaches the zones itself.
MOMENTS_FROM, MOMENTS_UNTIL = datetime(2026, 1, 1), datetime(2028, 12, 31)  # noqa: DTZ001
CLOSURES_FROM, CLOSURES_UNTIL = datetime(2025, 6, 1), datetime(2029, 6, 1)  # noqa: DTZ001


def utc(moment):
    return moment.astimezone(UTC)


def _fixed_calendars():
    madrid = ZoneInfo("Europe/Madrid")
    return [
        default_calendar(),
        Calendar(
            tz=ZoneInfo("Atlantic/Canary"),
            weekly_hours=dict.fromkeys(range(5), OFFICE),
            holiday_country="ES",
            holiday_subdiv="CN",
        ),
        Calendar(
            tz=madrid,
            weekly_hours=dict.fromkeys(range(5), ((time(9), time(14)), (time(15), time(18)))),
            holiday_country="ES",
            closures=(
                (datetime(2026, 8, 1, tzinfo=madrid), datetime(2026, 9, 1, tzinfo=madrid)),
                (datetime(2027, 2, 3, 11, tzinfo=UTC), datetime(2027, 2, 4, 16, tzinfo=UTC)),
            ),
        ),
        Calendar(tz=madrid, weekly_hours=dict.fromkeys(range(7), ((time(0), time(0)),))),
    ]


def _wall_time(minute):
    return time(0) if minute == 24 * 60 else time(minute // 60, minute % 60)


@st.composite
def intervals(draw):
    start = draw(st.integers(0, 24 * 60 - 30))
    end = draw(st.integers(start + 30, 24 * 60))
    return (_wall_time(start), _wall_time(end))


@st.composite
def closures(draw, tz):
    start = draw(st.datetimes(CLOSURES_FROM, CLOSURES_UNTIL, timezones=st.just(tz)))
    length = draw(st.timedeltas(timedelta(minutes=1), timedelta(days=40)))
    return (start, utc(start) + length)


@st.composite
def random_calendars(draw):
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    weekly_hours = draw(
        st.dictionaries(
            st.integers(0, 6),
            st.lists(intervals(), min_size=1, max_size=3).map(tuple),
            # Two open days a week at least: the walk costs one step per day crossed.
            min_size=2,
            max_size=7,
        )
    )
    return Calendar(
        tz=tz,
        weekly_hours=weekly_hours,
        holidays=draw(st.frozensets(st.dates(date(2025, 6, 1), date(2029, 12, 31)), max_size=40)),
        closures=tuple(draw(st.lists(closures(tz), max_size=3))),
        holiday_country=draw(st.sampled_from([None, "ES"])),
    )


calendars = st.one_of(st.sampled_from(_fixed_calendars()), random_calendars())
moments = st.datetimes(MOMENTS_FROM, MOMENTS_UNTIL, timezones=st.sampled_from(ZONES).map(ZoneInfo))
durations = st.timedeltas(ZERO, timedelta(hours=200))
positive_durations = st.timedeltas(ONE_US, timedelta(hours=200))


@PROPERTY
@given(calendars, moments, durations)
def test_due_date_is_never_before_the_start(calendar, start, duration):
    due = add_business_time(start, duration, calendar)
    assert utc(due) >= utc(start)
    assert due.tzinfo is calendar.tz


@PROPERTY
@given(calendars, moments, durations, durations)
def test_adding_twice_is_adding_the_sum(calendar, start, first, second):
    twice = add_business_time(add_business_time(start, first, calendar), second, calendar)
    assert utc(twice) == utc(add_business_time(start, first + second, calendar))


@PROPERTY
@given(calendars, moments, durations)
def test_business_time_between_undoes_add(calendar, start, duration):
    due = add_business_time(start, duration, calendar)
    assert business_time_between(start, due, calendar) == duration


@PROPERTY
@given(calendars, moments, moments, durations)
def test_monotonic_in_the_start(calendar, one, other, duration):
    early, late = sorted((one, other), key=utc)
    assert utc(add_business_time(early, duration, calendar)) <= utc(
        add_business_time(late, duration, calendar)
    )


@PROPERTY
@given(calendars, moments, durations, durations)
def test_monotonic_in_the_duration(calendar, start, one, other):
    short, long = sorted((one, other))
    assert utc(add_business_time(start, short, calendar)) <= utc(
        add_business_time(start, long, calendar)
    )


@PROPERTY
@given(calendars, moments, positive_durations)
def test_result_is_an_open_moment_or_a_closing_boundary(calendar, start, duration):
    due = add_business_time(start, duration, calendar)
    # Open now, or open the microsecond before: the end of an interval.
    just_before = utc(due) - ONE_US
    assert is_open(due, calendar) or is_open(just_before, calendar)
    assert business_time_between(just_before, due, calendar) == ONE_US


@PROPERTY
@given(calendars, moments, moments, moments)
def test_business_time_adds_up_and_never_exceeds_real_time(calendar, one, two, three):
    first, middle, last = sorted((one, two, three), key=utc)
    left = business_time_between(first, middle, calendar)
    right = business_time_between(middle, last, calendar)
    assert left + right == business_time_between(first, last, calendar)
    assert ZERO <= left <= utc(middle) - utc(first)
    assert business_time_between(last, first, calendar) == ZERO


@PROPERTY
@given(calendars, moments)
def test_is_open_matches_one_microsecond_of_business_time(calendar, moment):
    counted = business_time_between(moment, utc(moment) + ONE_US, calendar)
    assert counted == (ONE_US if is_open(moment, calendar) else ZERO)


@PROPERTY
@given(calendars, moments)
def test_next_opening_is_open_and_nothing_is_counted_before_it(calendar, moment):
    opening = next_opening(moment, calendar)
    assert is_open(opening, calendar)
    assert utc(opening) >= utc(moment)
    assert business_time_between(moment, opening, calendar) == ZERO


@PROPERTY
@given(calendars, moments, durations, moments)
def test_zero_length_pause_changes_nothing(calendar, opened, duration, paused_at):
    due = add_business_time(opened, duration, calendar)
    assert utc(resume_due(due, paused_at, paused_at, calendar)) == utc(due)
    assert utc(resume_due(due, paused_at, paused_at, calendar, business_hours=False)) == utc(due)


@PROPERTY
@given(calendars, moments, durations, moments, durations)
def test_a_pause_adds_exactly_the_business_time_paused(calendar, opened, target, paused, length):
    due = add_business_time(opened, target, calendar)
    resumed = utc(paused) + length
    moved = resume_due(due, paused, resumed, calendar)
    paused_for = business_time_between(paused, resumed, calendar)
    assert business_time_between(due, moved, calendar) == paused_for
    assert utc(moved) == utc(add_business_time(opened, target + paused_for, calendar))


@PROPERTY
@given(moments, durations)
def test_elapsed_time_is_real_time(start, duration):
    assert utc(add_elapsed_time(start, duration)) - utc(start) == duration


@PROPERTY
@given(moments, st.sampled_from(["critical", "major", "minor"]))
def test_resolution_due_counts_the_severity_target_in_business_hours(opened, severity):
    hours = {"critical": 8, "major": 24, "minor": 72}[severity]
    due = resolution_due(opened, severity)
    assert business_time_between(opened, due, default_calendar()) == timedelta(hours=hours)
    elapsed = resolution_due(opened, severity, business_hours=False)
    assert utc(elapsed) - utc(opened) == timedelta(hours=hours)


@contextmanager
def walking_day_by_day():
    """Turn off the per-year totals, leaving only the day-by-day walk to compare with."""
    saved = clock.WALK_DAYS
    clock.WALK_DAYS = 10**9
    try:
        yield
    finally:
        clock.WALK_DAYS = saved


@settings(max_examples=50, deadline=None)
@given(calendars, moments, st.timedeltas(ZERO, timedelta(hours=1_000)), moments)
def test_year_totals_give_the_same_results_as_the_walk(calendar, start, duration, other):
    jumped = add_business_time(start, duration, calendar)
    jumped_between = business_time_between(start, other, calendar)
    with walking_day_by_day():
        walked = add_business_time(start, duration, calendar)
        walked_between = business_time_between(start, other, calendar)
    assert utc(jumped) == utc(walked)
    assert jumped_between == walked_between
    assert business_time_between(start, jumped, calendar) == duration
