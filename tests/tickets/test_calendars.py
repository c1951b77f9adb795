"""The SLA calendar and targets admins edit, as tickets.sla values, cached and invalidated."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tickets import calendars, sla
from tickets.models import BusinessCalendar, Closure, OpeningHours, SlaTarget

MADRID = ZoneInfo("Europe/Madrid")


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def test_the_default_calendar_is_monday_to_friday_nine_to_six_in_madrid(office):
    calendar = calendars.default_calendar()
    assert calendar.tz == MADRID
    assert calendar.weekly_hours[0] == ((time(9), time(18)),)
    assert 5 not in calendar.weekly_hours
    assert sla.is_open(madrid(2026, 3, 9, 10), calendar)
    assert not sla.is_open(madrid(2026, 3, 14, 10), calendar)  # Saturday


def test_spanish_national_holidays_are_closed_and_a_region_adds_its_own(office):
    with time_machine.travel(madrid(2026, 3, 1, 12), tick=False):
        calendar = calendars.default_calendar()
        assert calendar.is_holiday(date(2026, 1, 6))  # Epifanía, national
        assert not calendar.is_holiday(date(2026, 4, 2))  # Jueves Santo: regional
        office.holiday_region = "MD"
        office.save()
        assert calendars.default_calendar().is_holiday(date(2026, 4, 2))
        office.national_holidays = False
        office.save()
        assert not calendars.default_calendar().is_holiday(date(2026, 1, 6))


def test_a_closure_added_in_admin_is_counted_at_once(office):
    opened = madrid(2026, 3, 9, 11)  # Monday
    before = sla.add_business_time(opened, timedelta(hours=8), calendars.default_calendar())
    assert before == madrid(2026, 3, 10, 10)
    Closure.objects.create(
        calendar=office,
        starts_at=madrid(2026, 3, 9, 12),
        ends_at=madrid(2026, 3, 9, 14),
        reason="Formación",
    )
    after = sla.add_business_time(opened, timedelta(hours=8), calendars.default_calendar())
    assert after == madrid(2026, 3, 10, 12)


def test_changed_hours_invalidate_the_cached_calendar(office):
    first = calendars.default_calendar()
    assert calendars.default_calendar() is first  # cached
    OpeningHours.objects.create(calendar=office, weekday=5, opens_at=time(10), closes_at=time(14))
    second = calendars.default_calendar()
    assert second is not first
    assert second.weekly_hours[5] == ((time(10), time(14)),)


def test_another_process_sees_the_change_through_the_shared_version(office):
    first = calendars.default_calendar()
    # Another process saved: only the shared version in the cache changed.
    from django.core.cache import cache

    cache.set(calendars.VERSION_KEY, "changed-elsewhere", timeout=None)
    assert calendars.default_calendar() is not first


def test_only_one_default_calendar(office):
    other = BusinessCalendar(name="Verano", is_default=True)
    with pytest.raises(ValidationError, match="already the default"):
        other.full_clean()


def test_targets_come_from_admin_with_the_spec_defaults(db):
    SlaTarget.objects.all().delete()
    assert calendars.current_target("critical").hours == sla.DEFAULT_TARGET_HOURS["critical"]
    assert calendars.current_target("minor").business_hours
    SlaTarget.objects.create(severity="minor", hours=40, business_hours=False, warning_percent=50)
    target = calendars.current_target("minor")
    assert (target.hours, target.business_hours, target.warning_ratio) == (40, False, 0.5)
    assert str(target.label) == "Minor"


def test_without_a_default_calendar_the_engines_default_is_used(db):
    BusinessCalendar.objects.all().delete()
    calendar = calendars.default_calendar()
    assert sla.is_open(madrid(2026, 3, 9, 10), calendar)
    assert not sla.is_open(madrid(2026, 3, 9, 20), calendar)
