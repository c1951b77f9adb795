"""The SLA figures against the hand-computed scenario (tests/reports/conftest.py)."""

from datetime import date

import pytest

from reports import selectors, services
from reports.models import TicketTimes
from reports.periods import Period, last_months
from tests.reports.conftest import at, madrid, resolve

FEBRUARY = Period(date(2026, 2, 1), date(2026, 2, 28))


def test_the_scenario_tickets_have_the_hand_computed_due_dates(scenario):
    assert scenario["weekend"].due_at == madrid(2026, 2, 16, 14)
    assert scenario["breached"].due_at == madrid(2026, 2, 17, 18)
    assert scenario["paused"].due_at == madrid(2026, 2, 19, 18)


def test_sla_compliance_counts_the_weekend_and_the_pause_as_met(scenario, admin_user):
    scope, _ = selectors.staff_scope(admin_user)
    rows = selectors.sla_compliance(scope, FEBRUARY)
    assert [(r.month, r.severity, r.resolved, r.met, r.breached) for r in rows] == [
        (date(2026, 2, 1), "critical", 3, 2, 1)
    ]
    assert rows[0].percent == 66.7


def test_times_are_counted_in_business_hours_without_the_pause(scenario):
    assert services.refresh_times() == 3
    times = {t.ticket_id: t for t in TicketTimes.objects.all()}
    hours = {
        name: (
            times[t.pk].first_response_seconds / 3600,
            times[t.pk].resolution_seconds / 3600,
        )
        for name, t in scenario.items()
    }
    assert hours == {"weekend": (1.5, 6.0), "breached": (2.0, 10.0), "paused": (2.0, 7.0)}
    assert services.refresh_times() == 0  # nothing changed since


def test_medians_and_90th_percentiles(scenario, admin_user):
    services.refresh_times()
    scope, _ = selectors.staff_scope(admin_user)
    times = selectors.response_times(scope, FEBRUARY)
    # First response 1.5, 2, 2 → median 2, p90 2; resolution 6, 7, 10 → median 7,
    # p90 = 7 + 0.8 * (10 - 7) = 9.4 (linear interpolation, as percentile_cont).
    assert times == {
        "count": 3,
        "first_median": 2.0,
        "first_p90": 2.0,
        "resolution_median": 7.0,
        "resolution_p90": 9.4,
    }


def test_percentile_fallback_interpolates_like_postgres():
    assert selectors.percentile_cont([], 0.5) is None
    assert selectors.percentile_cont([6, 7, 10], 0.9) == pytest.approx(9.4)
    assert selectors.percentile_cont([1, 2, 3, 4], 0.5) == 2.5


def test_a_technician_sees_only_tickets_assigned_to_them(scenario, technician):
    from tests.accounts.factories import TechnicianFactory

    other = TechnicianFactory()
    scope, refused = selectors.staff_scope(other, technician_id=technician.pk)
    assert refused == "refused"
    assert scope.technician == other
    assert selectors.sla_compliance(scope, FEBRUARY) == []
    mine, _ = selectors.staff_scope(technician)
    assert selectors.sla_compliance(mine, FEBRUARY)[0].resolved == 3


def test_client_usage_breakdowns_and_minutes_against_credits(scenario, client_user):
    period = Period(date(2026, 2, 1), date(2026, 2, 28))
    usage = selectors.client_usage(client_user.organization, period)
    # The ledger dates its entries with the database's clock (today, not the travelled
    # moment), so the month series is read over the last 12 months.
    per_month = selectors.consumed_per_month(client_user.organization, last_months(12))
    assert len(per_month) == 12
    assert sum(total for _m, total in per_month) == 90
    assert usage.by_kind == [{"label": "Consultation", "credits": 90, "minutes": 60, "tickets": 3}]
    assert [(r["minutes"], r["credits"]) for r in usage.per_ticket] == [(20, 30)] * 3


def test_a_new_charge_shows_at_once_despite_the_cache(scenario, client_user, technician):
    from tests.tickets.factories import open_ticket

    usage = selectors.client_usage(client_user.organization, FEBRUARY)  # cached now
    assert usage.by_kind[0]["credits"] == 90
    with at(madrid(2026, 2, 20, 10)):
        ticket = open_ticket(client_user)
    with at(madrid(2026, 2, 20, 11)):
        resolve(ticket, technician)  # 20 minutes: 30 credits, a new consumption entry
    usage = selectors.client_usage(client_user.organization, FEBRUARY)
    assert [(r["credits"], r["minutes"], r["tickets"]) for r in usage.by_kind] == [(120, 80, 4)]
    assert len(usage.per_ticket) == 4


def test_workload_in_one_query_against_the_scenario(scenario, client_user, technician, admin_user):
    """The week of Monday 16 February: the three tickets' 20 minutes each were logged on
    the 16th, 18th and 19th; their charges (30 credits each) in February; one more ticket
    is open and assigned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.tickets.factories import open_ticket
    from tickets import services as ticket_services

    with at(madrid(2026, 2, 20, 9)):
        ticket_services.assign(open_ticket(client_user), technician, by=technician)
    now = madrid(2026, 2, 20, 12)
    scope, _ = selectors.staff_scope(admin_user)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.workload(scope, FEBRUARY, now=now)
    figures = [(p.pk, p.open_assigned, p.minutes_week, p.credits_charged) for p in rows]
    assert figures == [(technician.pk, 1, 60, 90)]  # the admin has no work: not listed
    if connection.vendor == "postgresql":
        assert len(queries) == 1
    assert [
        (p.pk, p.open_assigned, p.minutes_week, p.credits_charged)
        for p in selectors._workload_orm(scope, FEBRUARY, date(2026, 2, 16))
    ] == figures
    # The next week: no minutes yet, the open ticket still counts, February's credits too.
    later = selectors.workload(scope, FEBRUARY, now=madrid(2026, 2, 23, 12))
    assert [(p.open_assigned, p.minutes_week, p.credits_charged) for p in later] == [(1, 0, 90)]
    mine, _ = selectors.staff_scope(technician)
    assert [p.pk for p in selectors.workload(mine, FEBRUARY, now=now)] == [technician.pk]
