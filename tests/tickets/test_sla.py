"""Worked examples of the SLA engine (tickets.sla): pure functions, no database."""

import copy
import dataclasses
import pickle
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tickets import sla
from tickets.sla import (
    Calendar,
    add_business_time,
    add_elapsed_time,
    business_time_between,
    default_calendar,
    is_open,
    next_opening,
    resolution_due,
    resume_due,
    sla_state,
)

MADRID = ZoneInfo("Europe/Madrid")
CANARY = ZoneInfo("Atlantic/Canary")
H = timedelta(hours=1)
OFFICE = ((time(9), time(18)),)
SPLIT = ((time(9), time(14)), (time(15), time(18)))


def madrid(*args):
    return datetime(*args, tzinfo=MADRID)


def canary(*args):
    return datetime(*args, tzinfo=CANARY)


def real_time(start, end):
    """Elapsed time: datetimes of one zone subtract as wall times, so go through UTC."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def weekdays(spans, days=range(5)):
    return dict.fromkeys(days, spans)


@pytest.fixture
def office():
    """Monday to Friday 09:00-18:00 Madrid, with no holidays at all."""
    return Calendar(tz=MADRID, weekly_hours=weekdays(OFFICE))


@pytest.fixture
def split_day():
    return Calendar(tz=MADRID, weekly_hours=weekdays(SPLIT), holiday_country="ES")


@pytest.fixture
def canary_islands():
    return Calendar(
        tz=CANARY, weekly_hours=weekdays(OFFICE), holiday_country="ES", holiday_subdiv="CN"
    )


@pytest.fixture
def always_open():
    """Open around the clock every day, Madrid time: business time is real time."""
    return Calendar(tz=MADRID, weekly_hours=weekdays(((time(0), time(0)),), range(7)))


# --- Severity targets on the default calendar -------------------------------------------


def test_default_targets_are_those_of_the_spec():
    assert sla.DEFAULT_TARGET_HOURS == {"critical": 8, "major": 24, "minor": 72}
    assert sla.Severity.CRITICAL == "critical"


def test_critical_opened_at_monday_opening_is_due_the_same_afternoon():
    assert resolution_due(madrid(2026, 6, 1, 9), "critical") == madrid(2026, 6, 1, 17)


def test_critical_opened_an_hour_before_closing_is_due_next_day_at_16():
    assert resolution_due(madrid(2026, 6, 1, 17), "critical") == madrid(2026, 6, 2, 16)


def test_target_met_exactly_at_closing_returns_closing_time():
    assert resolution_due(madrid(2026, 6, 1, 9), "critical", target_hours=9) == madrid(
        2026, 6, 1, 18
    )


def test_severity_accepts_the_enum_and_plain_strings():
    opened = madrid(2026, 6, 1, 9)
    assert resolution_due(opened, sla.Severity.MAJOR) == resolution_due(opened, "major")
    # 24 business hours of 9-hour days: Mon 9 h, Tue 9 h, Wed 09:00 + 6 h.
    assert resolution_due(opened, "major") == madrid(2026, 6, 3, 15)


def test_unknown_severity_is_refused():
    with pytest.raises(sla.UnknownSeverityError):
        resolution_due(madrid(2026, 6, 1, 9), "urgent")


def test_target_hours_overrides_the_severity_default_and_must_not_be_negative():
    assert resolution_due(madrid(2026, 6, 1, 9), "minor", target_hours=2) == madrid(2026, 6, 1, 11)
    assert resolution_due(madrid(2026, 6, 1, 9), "minor", target_hours=Decimal("1.5")) == madrid(
        2026, 6, 1, 10, 30
    )
    with pytest.raises(sla.SlaError):
        resolution_due(madrid(2026, 6, 1, 9), "minor", target_hours=-1)
    with pytest.raises(TypeError):
        resolution_due(madrid(2026, 6, 1, 9), "minor", target_hours="8")


def test_result_is_in_the_calendar_zone_whatever_the_input_zone():
    due = resolution_due(datetime(2026, 6, 1, 7, tzinfo=UTC), "critical")  # 09:00 in Madrid
    assert due.tzinfo is MADRID
    assert due == madrid(2026, 6, 1, 17)


# --- Weekends and the moment of opening --------------------------------------------------


def test_friday_afternoon_ticket_continues_on_monday():
    assert resolution_due(madrid(2026, 6, 5, 17), "critical") == madrid(2026, 6, 8, 16)


def test_ticket_opened_at_the_weekend_counts_from_monday_opening():
    assert resolution_due(madrid(2026, 6, 6, 11), "critical") == madrid(2026, 6, 8, 17)


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        (madrid(2026, 6, 1, 3), madrid(2026, 6, 1, 17)),  # before dawn: from 09:00
        (madrid(2026, 6, 1, 18), madrid(2026, 6, 2, 17)),  # at closing: from tomorrow
        (madrid(2026, 6, 1, 22, 30), madrid(2026, 6, 2, 17)),  # at night
    ],
)
def test_ticket_opened_at_night_counts_from_the_next_opening(opened, due):
    assert resolution_due(opened, "critical") == due


def test_minor_ticket_spans_a_week_and_a_half():
    # 72 h = 8 days of 9 h: Mon 1 June 09:00 -> the 8th working day closes Wed 10 June.
    assert resolution_due(madrid(2026, 6, 1, 9), "minor") == madrid(2026, 6, 10, 18)


# --- Spanish national holidays -----------------------------------------------------------


def test_ticket_opened_on_a_holiday_counts_from_the_next_working_day():
    # Tuesday 8 December 2026 is the Inmaculada.
    assert resolution_due(madrid(2026, 12, 8, 10), "critical") == madrid(2026, 12, 9, 17)


def test_major_ticket_skips_the_weekend_and_the_inmaculada():
    # Fri 4 Dec 17:00: Fri 1 h, Mon 7: 9 h, Tue 8 holiday, Wed 9: 9 h, Thu 10: 5 h.
    assert resolution_due(madrid(2026, 12, 4, 17), "major") == madrid(2026, 12, 10, 14)


def test_minor_ticket_over_christmas_new_year_and_epiphany():
    # Thu 24 Dec 10:00: 8 h; 25 Dec, 1 Jan, 6 Jan and the weekends closed;
    # 28-31 Dec 36 h, 4-5 Jan 18 h, 7 Jan 9 h = 71 h, Fri 8 Jan 09:00 + 1 h.
    assert resolution_due(madrid(2026, 12, 24, 10), "minor") == madrid(2027, 1, 8, 10)


def test_calendar_without_the_holidays_counts_them_as_working_days(office):
    assert resolution_due(madrid(2026, 12, 8, 10), "critical", office) == madrid(2026, 12, 8, 18)


def test_default_calendar_knows_the_holidays_of_any_year():
    calendar = default_calendar()
    assert calendar.is_holiday(date(2027, 1, 6))
    assert calendar.is_holiday(date(2099, 12, 25))
    assert calendar.is_holiday(date(2010, 10, 12))
    assert not calendar.is_holiday(date(2026, 12, 9))
    assert not is_open(madrid(2041, 1, 1, 10), calendar)  # a Tuesday


def test_spanish_holidays_national_and_regional():
    national = sla.spanish_holidays([2026, 2027])
    assert {date(2026, 12, 8), date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 6)} <= national
    assert date(2026, 5, 30) not in national
    assert date(2026, 5, 30) in sla.spanish_holidays([2026], subdiv="CN")  # Día de Canarias
    assert date(2026, 5, 2) in sla.spanish_holidays([2026], subdiv="MD")  # Comunidad de Madrid
    with pytest.raises(sla.CalendarError):
        sla.spanish_holidays([2026], subdiv="XX")


# --- Summer time in Europe/Madrid ---------------------------------------------------------


def test_end_of_summer_time_does_not_shift_business_hours():
    # Fri 23 Oct 2026 14:00 CEST: 4 h; clocks go back on Sunday 25; Mon 26 09:00 CET + 4 h.
    due = resolution_due(madrid(2026, 10, 23, 14), "critical")
    assert due == madrid(2026, 10, 26, 13)
    assert due.utcoffset() == H
    # Three days of real time: Sunday has 25 hours.
    assert real_time(madrid(2026, 10, 23, 14), due) == timedelta(hours=72)


def test_start_of_summer_time_does_not_shift_business_hours():
    # Thu 25 Mar 2027 14:00 CET: 4 h; Fri 26 is Good Friday; clocks go forward on Sunday 28.
    due = resolution_due(madrid(2027, 3, 25, 14), "critical")
    assert due == madrid(2027, 3, 29, 13)
    assert due.utcoffset() == 2 * H


def test_weekend_opening_hours_on_the_days_of_the_change():
    every_day = Calendar(tz=MADRID, weekly_hours=weekdays(OFFICE, range(7)))
    assert add_business_time(madrid(2026, 10, 24, 14), 8 * H, every_day) == madrid(2026, 10, 25, 13)
    assert add_business_time(madrid(2027, 3, 27, 14), 8 * H, every_day) == madrid(2027, 3, 28, 13)
    assert business_time_between(madrid(2026, 10, 25), madrid(2026, 10, 26), every_day) == 9 * H


def test_business_time_is_real_time_on_a_round_the_clock_calendar(always_open):
    assert business_time_between(madrid(2026, 10, 25), madrid(2026, 10, 26), always_open) == 25 * H
    assert business_time_between(madrid(2027, 3, 28), madrid(2027, 3, 29), always_open) == 23 * H
    assert add_business_time(madrid(2026, 10, 25), 24 * H, always_open) == madrid(2026, 10, 25, 23)


def test_opening_hours_inside_the_skipped_hour_start_at_the_change():
    night = Calendar(tz=MADRID, weekly_hours={6: ((time(2, 30), time(3, 30)),)})
    # 02:30 does not exist on 28 March 2027: the interval runs from 03:00 CEST to 03:30.
    assert night.open_intervals(date(2027, 3, 28)) == (
        (datetime(2027, 3, 28, 1, tzinfo=UTC), datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
    )
    assert len(night.open_intervals(date(2027, 3, 21))) == 1


def test_elapsed_hours_across_the_end_of_summer_time_are_real_hours():
    opened = madrid(2026, 10, 24, 22)  # CEST, +02:00
    due = resolution_due(opened, "critical", business_hours=False)
    assert due == datetime(2026, 10, 25, 4, tzinfo=UTC)
    assert (due.day, due.hour) == (25, 5)  # 7 wall-clock hours later
    assert due.tzinfo is MADRID


def test_elapsed_hours_across_the_start_of_summer_time_are_real_hours():
    due = add_elapsed_time(madrid(2027, 3, 27, 22), 8 * H)
    assert due == madrid(2027, 3, 28, 7)  # 9 wall-clock hours later, 8 real ones
    assert real_time(madrid(2027, 3, 27, 22), due) == 8 * H


def test_elapsed_mode_ignores_weekends_and_holidays():
    due = resolution_due(madrid(2026, 12, 24, 20), "major", business_hours=False)
    assert due == madrid(2026, 12, 25, 20)


# --- Canary Islands ---------------------------------------------------------------------


def test_canary_calendar_closes_on_dia_de_canarias(canary_islands):
    # Thu 29 May 2025 17:00 WEST: 1 h; Fri 30 May closed; Mon 2 June 09:00 + 7 h.
    due = resolution_due(canary(2025, 5, 29, 17), "critical", canary_islands)
    assert due == canary(2025, 6, 2, 16)
    assert due.tzinfo is CANARY
    # The same instant in Madrid (18:00) is after closing, and 30 May is a working day there.
    assert resolution_due(canary(2025, 5, 29, 17), "critical") == madrid(2025, 5, 30, 17)


def test_canary_calendar_with_an_explicit_holiday_set_behaves_the_same(canary_islands):
    explicit = Calendar(
        tz=CANARY,
        weekly_hours=weekdays(OFFICE),
        holidays=sla.spanish_holidays(range(2024, 2030), subdiv="CN"),
    )
    for opened in (canary(2025, 5, 29, 17), canary(2028, 5, 29, 12), canary(2026, 10, 23, 15)):
        assert resolution_due(opened, "major", explicit) == resolution_due(
            opened, "major", canary_islands
        )


def test_canary_hours_follow_canary_time_across_summer_time(canary_islands):
    # Canary clocks change at 01:00 local (UTC); Fri 23 Oct 2026 14:00 WEST + 8 h.
    assert resolution_due(canary(2026, 10, 23, 14), "critical", canary_islands) == canary(
        2026, 10, 26, 13
    )


# --- Split days and closures -------------------------------------------------------------


def test_split_day_skips_the_lunch_break(split_day):
    assert add_business_time(madrid(2026, 6, 1, 9), 8 * H, split_day) == madrid(2026, 6, 1, 18)
    assert add_business_time(madrid(2026, 6, 1, 12), 8 * H, split_day) == madrid(2026, 6, 2, 12)
    assert add_business_time(madrid(2026, 6, 1, 9), 5 * H, split_day) == madrid(2026, 6, 1, 14)
    assert add_business_time(madrid(2026, 6, 1, 14, 30), H, split_day) == madrid(2026, 6, 1, 16)
    assert not is_open(madrid(2026, 6, 1, 14, 30), split_day)
    assert business_time_between(madrid(2026, 6, 1, 13), madrid(2026, 6, 1, 16), split_day) == 2 * H


def test_touching_and_overlapping_intervals_are_merged():
    calendar = Calendar(
        tz=MADRID, weekly_hours={0: ((time(13), time(18)), (time(9), time(14))), 1: SPLIT}
    )
    assert calendar.weekly_hours[0] == ((time(9), time(18)),)
    assert calendar.weekly_hours[1] == SPLIT
    assert 2 not in calendar.weekly_hours


def test_closure_is_skipped(office):
    closed = Calendar(
        tz=MADRID,
        weekly_hours=weekdays(OFFICE),
        closures=((madrid(2026, 6, 2, 12), madrid(2026, 6, 3, 12)),),
    )
    # Tue 09:00-12:00 3 h, closed until Wed 12:00, then 5 h.
    assert add_business_time(madrid(2026, 6, 2, 9), 8 * H, closed) == madrid(2026, 6, 3, 17)
    assert add_business_time(madrid(2026, 6, 2, 9), 8 * H, office) == madrid(2026, 6, 2, 17)
    assert not is_open(madrid(2026, 6, 3, 11, 59), closed)
    assert is_open(madrid(2026, 6, 3, 12), closed)


def test_closures_in_another_zone_and_overlapping_are_merged():
    closed = Calendar(
        tz=MADRID,
        weekly_hours=weekdays(OFFICE),
        closures=(
            (datetime(2026, 6, 1, 10, tzinfo=UTC), datetime(2026, 6, 1, 12, tzinfo=UTC)),
            (madrid(2026, 6, 1, 13), madrid(2026, 6, 1, 15)),
            (madrid(2026, 6, 1, 17), madrid(2026, 6, 1, 16)),  # empty: ignored
        ),
    )
    # Open 09:00-12:00 and 15:00-18:00 in Madrid (the UTC closure is 12:00-14:00 there).
    assert closed.closures == (
        (datetime(2026, 6, 1, 10, tzinfo=UTC), datetime(2026, 6, 1, 13, tzinfo=UTC)),
    )
    assert business_time_between(madrid(2026, 6, 1), madrid(2026, 6, 2), closed) == 6 * H


def test_summer_shutdown_closure_is_crossed_in_one_jump():
    august = Calendar(
        tz=MADRID,
        weekly_hours=weekdays(OFFICE),
        holiday_country="ES",
        closures=((madrid(2026, 8, 1), madrid(2026, 9, 1)),),
    )
    assert resolution_due(madrid(2026, 7, 31, 17), "critical", august) == madrid(2026, 9, 1, 16)
    decade = Calendar(
        tz=MADRID,
        weekly_hours=weekdays(OFFICE),
        closures=((madrid(2026, 6, 1, 12), madrid(2036, 6, 2, 10)),),
    )
    assert add_business_time(madrid(2026, 6, 1, 11), 2 * H, decade) == madrid(2036, 6, 2, 11)


def test_holidays_given_as_dates_close_whole_days():
    calendar = Calendar(tz=MADRID, weekly_hours=weekdays(OFFICE), holidays={date(2026, 6, 2)})
    assert calendar.holidays == frozenset({date(2026, 6, 2)})
    assert add_business_time(madrid(2026, 6, 1, 17), 2 * H, calendar) == madrid(2026, 6, 3, 10)


# --- is_open, next_opening, business_time_between ---------------------------------------


def test_is_open_includes_opening_and_excludes_closing(office):
    assert is_open(madrid(2026, 6, 1, 9), office)
    assert is_open(madrid(2026, 6, 1, 17, 59, 59), office)
    assert not is_open(madrid(2026, 6, 1, 18), office)
    assert not is_open(madrid(2026, 6, 6, 12), office)


def test_next_opening(office):
    assert next_opening(madrid(2026, 6, 1, 10), office) == madrid(2026, 6, 1, 10)
    assert next_opening(madrid(2026, 6, 5, 18), office) == madrid(2026, 6, 8, 9)
    assert next_opening(datetime(2026, 6, 1, 5, tzinfo=UTC), office).tzinfo is MADRID


def test_business_time_between(office):
    assert business_time_between(madrid(2026, 6, 5, 17), madrid(2026, 6, 8, 10), office) == 2 * H
    assert business_time_between(madrid(2026, 6, 8), madrid(2026, 6, 5), office) == timedelta(0)
    assert business_time_between(madrid(2026, 6, 1), madrid(2026, 6, 8), office) == 45 * H


def test_a_whole_year_of_business_hours():
    # 2026: 261 weekdays, 7 national holidays on weekdays (15 August is a Saturday): 254 x 9 h.
    calendar = default_calendar()
    year = business_time_between(madrid(2026, 1, 1), madrid(2027, 1, 1), calendar)
    assert year == 2286 * H
    assert add_business_time(madrid(2026, 1, 1), 2286 * H, calendar) == madrid(2026, 12, 31, 18)
    assert add_business_time(madrid(2025, 12, 31, 17), 2287 * H, calendar) == madrid(
        2026, 12, 31, 18
    )
    assert business_time_between(madrid(2025, 12, 31, 17), madrid(2028, 1, 1), calendar) == (
        H + year + business_time_between(madrid(2027, 1, 1), madrid(2028, 1, 1), calendar)
    )


# --- Zero durations -----------------------------------------------------------------------


def test_zero_duration_returns_the_start_even_when_closed(office):
    saturday = madrid(2026, 6, 6, 10)
    assert add_business_time(saturday, timedelta(0), office) == saturday
    at_utc = datetime(2026, 6, 1, 8, tzinfo=UTC)
    result = add_business_time(at_utc, timedelta(0), office)
    assert result == at_utc
    assert result.tzinfo is MADRID
    assert resolution_due(saturday, "critical", office, target_hours=0) == saturday


def test_negative_duration_is_refused(office):
    with pytest.raises(sla.SlaError):
        add_business_time(madrid(2026, 6, 1, 9), -H, office)
    with pytest.raises(sla.SlaError):
        add_elapsed_time(madrid(2026, 6, 1, 9), -H)


# --- Pauses ------------------------------------------------------------------------------


def test_pause_moves_the_due_date_by_the_business_time_paused(office):
    due = madrid(2026, 6, 3, 17)
    # Paused Mon 17:00 to Tue 10:00: 2 business hours (17-18 and 09-10).
    assert resume_due(due, madrid(2026, 6, 1, 17), madrid(2026, 6, 2, 10), office) == madrid(
        2026, 6, 4, 10
    )


def test_pause_over_a_night_and_a_weekend_moves_nothing(office):
    due = madrid(2026, 6, 8, 12)
    assert resume_due(due, madrid(2026, 6, 5, 18), madrid(2026, 6, 8, 9), office) == due
    assert resume_due(due, madrid(2026, 6, 1, 19), madrid(2026, 6, 2, 8), office) == due


def test_pause_over_a_holiday_weekend_in_the_default_calendar():
    due = resolution_due(madrid(2026, 12, 4, 17), "major")
    assert due == madrid(2026, 12, 10, 14)
    # Paused Fri 4 Dec 18:00 to Wed 9 Dec 10:00: only Mon 7 Dec (9 h) and Wed 1 h count;
    # Thu 10 Dec 14:00 + 10 h = Thu 4 h, Fri 11 Dec 09:00 + 6 h.
    moved = resume_due(due, madrid(2026, 12, 4, 18), madrid(2026, 12, 9, 10), default_calendar())
    assert moved == madrid(2026, 12, 11, 15)


def test_zero_length_pause_changes_nothing(office):
    due = madrid(2026, 6, 3, 17)
    moment = madrid(2026, 6, 6, 12)
    assert resume_due(due, moment, moment, office) == due


def test_elapsed_pause_moves_by_real_time(office):
    due = madrid(2026, 10, 26, 12)
    moved = resume_due(
        due, madrid(2026, 10, 24, 22), madrid(2026, 10, 25, 6), office, business_hours=False
    )
    assert real_time(due, moved) == 9 * H  # 22:00 CEST to 06:00 CET is 9 real hours


def test_resume_before_pause_is_refused(office):
    with pytest.raises(sla.SlaError):
        resume_due(madrid(2026, 6, 3, 17), madrid(2026, 6, 2), madrid(2026, 6, 1), office)


def test_resolution_after_pause_equals_a_longer_target(office):
    opened = madrid(2026, 6, 1, 10)
    due = resolution_due(opened, "critical", office)
    paused, resumed = madrid(2026, 6, 1, 12), madrid(2026, 6, 2, 11)  # 6 + 2 = 8 h paused
    assert resume_due(due, paused, resumed, office) == resolution_due(
        opened, "critical", office, target_hours=16
    )


# --- State of the countdown ---------------------------------------------------------------


def _state(now, **kwargs):
    opened = madrid(2026, 6, 1, 9)
    due = madrid(2026, 6, 1, 17)  # critical, 8 h
    kwargs.setdefault("paused", False)
    return sla_state(now, opened, due, calendar=default_calendar(), **kwargs)


def test_state_ok_then_warning_at_75_percent_then_breached():
    status = _state(madrid(2026, 6, 1, 14, 59))
    assert status.state == sla.SlaState.OK == "ok"
    assert status.remaining == timedelta(hours=2, minutes=1)
    warning = _state(madrid(2026, 6, 1, 15))
    assert warning.state == "warning"
    assert warning.ratio == 0.75
    assert warning.percent == 75
    breached = _state(madrid(2026, 6, 1, 17))
    assert breached.state == "breached"
    assert breached.remaining == timedelta(0)


def test_breached_ticket_reports_business_time_overdue():
    status = _state(madrid(2026, 6, 2, 10))
    assert status.state == "breached"
    assert status.overdue == 2 * H  # 17-18 and 09-10
    assert status.ratio == 1.25
    assert status.percent == 100


def test_night_does_not_consume_the_countdown():
    evening = sla_state(
        madrid(2026, 6, 1, 23),
        madrid(2026, 6, 1, 17),
        madrid(2026, 6, 2, 16),
        paused=False,
        calendar=default_calendar(),
    )
    assert evening.consumed == H
    assert evening.state == "ok"


def test_paused_ticket_shows_paused_with_a_frozen_countdown():
    status = _state(madrid(2026, 6, 3, 12), paused=True, paused_at=madrid(2026, 6, 1, 11))
    assert status.state == "paused"
    assert status.remaining == 6 * H
    assert _state(madrid(2026, 6, 3, 12), paused=True).state == "paused"


def test_ticket_paused_after_its_breach_stays_breached():
    status = _state(madrid(2026, 6, 3), paused=True, paused_at=madrid(2026, 6, 2, 9, 30))
    assert status.state == "breached"
    assert status.overdue == timedelta(hours=1, minutes=30)


def test_state_with_the_target_after_a_pause():
    opened = madrid(2026, 6, 1, 9)
    due = resume_due(madrid(2026, 6, 1, 17), madrid(2026, 6, 1, 10), madrid(2026, 6, 1, 14), None)
    assert due == madrid(2026, 6, 2, 12)
    status = sla_state(
        madrid(2026, 6, 2, 10), opened, due, paused=False, calendar=None, target=8 * H
    )
    assert status.remaining == 2 * H
    assert status.consumed == 6 * H  # 1 h before the pause, 4 h after it, 1 h today
    assert status.state == "warning"


def test_warning_at_is_three_quarters_of_the_business_time():
    calendar = default_calendar()
    opened = madrid(2026, 6, 5, 15)  # Friday: 3 h, then Monday
    due = resolution_due(opened, "critical")
    assert due == madrid(2026, 6, 8, 14)
    assert sla.warning_at(opened, due, calendar) == madrid(2026, 6, 8, 12)
    assert _state(madrid(2026, 6, 1, 9)).state == "ok"


def test_warning_ratio_must_be_a_fraction():
    with pytest.raises(sla.SlaError):
        _state(madrid(2026, 6, 1, 10), warning_ratio=75)


# --- Rejected input -----------------------------------------------------------------------


NAIVE = datetime(2026, 6, 1, 9)  # noqa: DTZ001 (the point of these tests)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: resolution_due(NAIVE, "critical", c),
        lambda c: add_business_time(NAIVE, H, c),
        lambda c: add_business_time(NAIVE, timedelta(0), c),
        lambda c: business_time_between(NAIVE, madrid(2026, 6, 2), c),
        lambda c: business_time_between(madrid(2026, 6, 2), NAIVE, c),
        lambda c: is_open(NAIVE, c),
        lambda c: next_opening(NAIVE, c),
        lambda c: add_elapsed_time(NAIVE, H),
        lambda c: resume_due(NAIVE, madrid(2026, 6, 1), madrid(2026, 6, 2), c),
        lambda c: resume_due(madrid(2026, 6, 3), NAIVE, madrid(2026, 6, 2), c),
        lambda c: sla_state(NAIVE, madrid(2026, 6, 1), madrid(2026, 6, 2), paused=False),
        lambda c: Calendar(tz=MADRID, weekly_hours={}, closures=((NAIVE, madrid(2026, 6, 2)),)),
    ],
)
def test_naive_datetimes_are_refused(call, office):
    with pytest.raises(sla.NaiveDatetimeError) as caught:
        call(office)
    assert isinstance(caught.value, ValueError)


def test_a_date_is_not_a_datetime(office):
    with pytest.raises(TypeError):
        is_open(date(2026, 6, 1), office)


@pytest.mark.parametrize("weekly_hours", [{}, {0: (), 5: ()}])
def test_calendar_without_opening_hours_raises_instead_of_looping(weekly_hours):
    never = Calendar(tz=MADRID, weekly_hours=weekly_hours)
    assert not never.has_opening_hours
    with pytest.raises(sla.NoOpeningHoursError):
        resolution_due(madrid(2026, 6, 1, 9), "critical", never)
    with pytest.raises(sla.NoOpeningHoursError):
        add_business_time(madrid(2026, 6, 1, 9), H, never)
    with pytest.raises(sla.NoOpeningHoursError):
        next_opening(madrid(2026, 6, 1, 9), never)
    assert not is_open(madrid(2026, 6, 1, 9), never)
    assert business_time_between(madrid(2026, 6, 1), madrid(2036, 6, 1), never) == timedelta(0)
    # Elapsed hours need no opening hours.
    assert resolution_due(madrid(2026, 6, 1, 9), "critical", never, business_hours=False) == (
        madrid(2026, 6, 1, 17)
    )


@pytest.mark.parametrize(
    "weekly_hours",
    [
        {0: ((time(18), time(9)),)},
        {0: ((time(9), time(9)),)},
        {7: OFFICE},
        {"monday": OFFICE},
        {0: (time(9), time(18))},
        {0: (("09:00", "18:00"),)},
        {0: ((time(9, tzinfo=UTC), time(18)),)},
    ],
)
def test_malformed_weekly_hours_are_refused(weekly_hours):
    with pytest.raises(sla.CalendarError):
        Calendar(tz=MADRID, weekly_hours=weekly_hours)


def test_unknown_holiday_region_is_refused():
    with pytest.raises(sla.CalendarError):
        Calendar(tz=MADRID, weekly_hours={}, holiday_country="ES", holiday_subdiv="XX")
    with pytest.raises(sla.CalendarError):
        Calendar(tz=MADRID, weekly_hours={}, holiday_subdiv="CN")


# --- The calendar value -------------------------------------------------------------------


def test_calendar_is_an_immutable_hashable_value():
    first = Calendar(tz="Europe/Madrid", weekly_hours=weekdays(OFFICE), holiday_country="ES")
    second = Calendar(tz=MADRID, weekly_hours=weekdays([list(OFFICE[0])]), holiday_country="ES")
    assert first.tz is MADRID
    assert first == second
    assert hash(first) == hash(second)
    assert first == default_calendar()
    assert {first: "x"}[default_calendar()] == "x"
    with pytest.raises(AttributeError):
        first.tz = CANARY
    with pytest.raises(TypeError):
        first.weekly_hours[5] = OFFICE


def test_calendar_pickles_copies_and_replaces():
    calendar = Calendar(
        tz=CANARY,
        weekly_hours=weekdays(SPLIT),
        holidays={date(2026, 6, 2)},
        closures=((madrid(2026, 6, 3, 12), madrid(2026, 6, 4, 12)),),
        holiday_country="ES",
        holiday_subdiv="CN",
    )
    calendar.open_intervals(date(2026, 6, 1))  # a filled cache is not part of the value
    assert pickle.loads(pickle.dumps(calendar)) == calendar  # noqa: S301 (our own bytes)
    assert copy.deepcopy(calendar) == calendar
    closed = dataclasses.replace(
        default_calendar(), closures=((madrid(2026, 6, 1), madrid(2026, 6, 2)),)
    )
    assert closed != default_calendar()
    assert resolution_due(madrid(2026, 6, 1, 9), "critical", closed) == madrid(2026, 6, 2, 17)


def test_unknown_time_zone_is_refused():
    with pytest.raises(sla.CalendarError):
        Calendar(tz="Europe/Atlantis", weekly_hours={})


def test_midnight_as_end_means_the_end_of_the_day():
    late = Calendar(tz=MADRID, weekly_hours={4: ((time(20), time(0)),)})
    assert add_business_time(madrid(2026, 6, 5, 23), 2 * H, late) == madrid(2026, 6, 12, 21)
    assert is_open(madrid(2026, 6, 5, 23, 59), late)
    assert not is_open(madrid(2026, 6, 6), late)
