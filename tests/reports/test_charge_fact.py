"""reports.ChargeFact, kept by PostgreSQL's triggers, against the charges themselves:
after real resolutions (tickets.services), a goodwill resolution, an update, a delete, a
rolled-back resolution and a bulk insert; and the client's breakdowns read only it."""

import pytest
from django.db import connection, transaction

from reports import selectors
from reports.models import ChargeFact
from reports.periods import last_months
from tests.credits.factories import grant
from tests.reports.conftest import resolve
from tests.tickets.factories import open_ticket
from tickets import services
from tickets.models import TicketCharge

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's only"
)


def direct() -> set:
    return {
        (
            c.pk,
            c.ticket.organization_id,
            c.ticket_id,
            c.created_at,
            c.kind,
            c.outcome,
            c.credits,
            c.minutes,
        )
        for c in TicketCharge.objects.select_related("ticket")
    }


def kept() -> set:
    return {
        (
            f.charge_id,
            f.organization_id,
            f.ticket_id,
            f.created_at,
            f.kind,
            f.outcome,
            f.credits,
            f.minutes,
        )
        for f in ChargeFact.objects.all()
    }


@pytest.fixture
def charged(db, client_user, other_client_user, technician):
    grant(client_user.organization, 500, reason="Pack")
    grant(other_client_user.organization, 500, reason="Pack")
    ours = [resolve(open_ticket(client_user), technician, minutes=m) for m in (20, 45)]
    theirs = resolve(open_ticket(other_client_user), technician, minutes=30)
    goodwill = open_ticket(client_user)
    services.assign(goodwill, technician, by=technician)
    services.log_time(goodwill, by=technician, minutes=15, channel="portal")
    services.resolve(goodwill, by=technician, goodwill_reason="Cortesía")
    return ours, theirs


def test_every_charge_is_copied_with_its_organization(charged, client_user, other_client_user):
    assert len(kept()) == 4
    assert kept() == direct()
    orgs = {f.organization_id for f in ChargeFact.objects.all()}
    assert orgs == {client_user.organization_id, other_client_user.organization_id}
    assert ChargeFact.objects.filter(outcome=TicketCharge.Outcome.GOODWILL).count() == 1


def test_updates_and_deletes_follow(charged):
    charge = TicketCharge.objects.filter(outcome=TicketCharge.Outcome.CHARGED).first()
    TicketCharge.objects.filter(pk=charge.pk).update(credits=charge.credits + 7, minutes=99)
    assert kept() == direct()
    fact = ChargeFact.objects.get(pk=charge.pk)
    assert (fact.credits, fact.minutes) == (charge.credits + 7, 99)
    goodwill = TicketCharge.objects.get(outcome=TicketCharge.Outcome.GOODWILL)
    goodwill.entries.update(charge=None)
    TicketCharge.objects.filter(pk=goodwill.pk).delete()
    assert kept() == direct()
    assert not ChargeFact.objects.filter(pk=goodwill.pk).exists()


def test_a_rolled_back_resolution_leaves_no_copy(db, client_user, technician):
    from tickets.services.charging import resolve_within

    grant(client_user.organization, 500, reason="Pack")
    ticket = open_ticket(client_user)
    services.assign(ticket, technician, by=technician)
    services.log_time(ticket, by=technician, minutes=20, channel="portal")
    seen = []

    class Boom(Exception):
        pass

    def resolve_then_fail():
        with transaction.atomic():  # resolve itself is durable: its nestable twin here
            resolve_within(ticket, by=technician)
            seen.append(ChargeFact.objects.count())  # inside the transaction
            raise Boom

    with pytest.raises(Boom):
        resolve_then_fail()
    assert seen == [1]
    assert not TicketCharge.objects.exists()
    assert not ChargeFact.objects.exists()


def test_breakdowns_come_from_the_copy(charged, client_user):
    period = last_months(12)
    before = selectors.breakdowns(client_user.organization, period)
    assert sum(r["credits"] for r in before["kind"]) == sum(
        f.credits
        for f in ChargeFact.objects.filter(
            organization_id=client_user.organization_id, outcome=TicketCharge.Outcome.CHARGED
        )
    )
    assert len(before["ticket"]) == 2
    # Emptied behind the triggers' back, the copy is what the breakdowns read.
    ChargeFact.objects.all().delete()
    after = selectors.breakdowns(client_user.organization, period)
    assert after == {"product": [], "requester": [], "kind": [], "ticket": []}


def test_per_ticket_rows_are_limited_in_the_query_not_the_sums(charged, client_user, monkeypatch):
    ours, _ = charged
    monkeypatch.setattr(selectors, "PER_TICKET_LIMIT", 1)
    figures = selectors.breakdowns(client_user.organization, last_months(12))
    newest = max(ours, key=lambda t: (t.charges.get().created_at, t.pk))
    assert [r["ticket_id"] for r in figures["ticket"]] == [newest.pk]
    charged_credits = sum(t.charges.get().credits for t in ours)
    assert sum(r["credits"] for r in figures["kind"]) == charged_credits
    assert sum(r["tickets"] for r in figures["product"]) == 2
