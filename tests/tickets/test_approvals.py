"""Approvals wired into tickets (issue 19): a member's acceptance above the threshold and
a charge beyond a member's monthly limit wait for a manager; the decision carries them
out in its own transaction, exactly once."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts import approvals
from accounts.models import Approval, Organization
from credits.models import Hold
from notifications.models import OutboxEmail
from tests.accounts.factories import MemberFactory, UserFactory
from tests.tickets.factories import grant_credits, log_time, open_ticket, send_estimate
from tickets import services
from tickets.models import Estimate, Message, Ticket, TicketCharge

pytestmark = pytest.mark.django_db
S = Ticket.Status
E = Estimate.Status


def _settings(org, *, threshold=None, limit=None):
    Organization.objects.filter(pk=org.pk).update(
        approval_threshold_credits=threshold, member_monthly_credit_limit=limit
    )


@pytest.fixture
def manager(client_user):
    return client_user


@pytest.fixture
def member(manager):
    return MemberFactory(organization=manager.organization, email="m@cliente-uno.example")


@pytest.fixture
def ticket(member):
    grant_credits(member.organization, 200)
    return open_ticket(member, kind="intervention")


def _approval(**filters):
    return Approval.objects.get(**filters)


# --- Estimates ------------------------------------------------------------------------


def test_without_a_threshold_a_member_accepts_as_today(ticket, member, technician):
    estimate = services.accept_estimate(send_estimate(ticket, technician, 90), by=member)
    assert estimate.status == E.ACCEPTED
    assert not Approval.objects.exists()


def test_at_or_below_the_threshold_a_member_accepts(ticket, member, technician):
    _settings(member.organization, threshold=90)
    estimate = services.accept_estimate(send_estimate(ticket, technician, 90), by=member)
    assert estimate.status == E.ACCEPTED


def test_above_the_threshold_a_members_yes_waits_and_the_managers_are_emailed(
    ticket, member, manager, technician
):
    _settings(member.organization, threshold=60)
    estimate = services.accept_estimate(send_estimate(ticket, technician, 90), by=member)
    estimate.refresh_from_db()
    ticket.refresh_from_db()
    assert estimate.status == E.PENDING
    assert estimate.hold is None
    assert ticket.status == S.AWAITING_ACCEPTANCE
    approval = _approval(reference=f"tickets.estimate:{estimate.pk}")
    assert (approval.kind, approval.credits, approval.requested_by) == ("estimate", 90, member)
    (email,) = OutboxEmail.objects.filter(kind="approval_requested")
    assert email.recipient == manager
    assert not Hold.objects.exists()
    # Accepting again asks nothing more.
    services.accept_estimate(estimate, by=member)
    assert Approval.objects.count() == 1


def test_a_manager_above_the_threshold_accepts_directly(ticket, manager, technician):
    _settings(manager.organization, threshold=60)
    estimate = services.accept_estimate(send_estimate(ticket, technician, 90), by=manager)
    assert estimate.status == E.ACCEPTED
    assert not Approval.objects.exists()


def _waiting(ticket, member, technician, credits=90):
    _settings(member.organization, threshold=60)
    estimate = services.accept_estimate(send_estimate(ticket, technician, credits), by=member)
    return estimate, _approval(reference=f"tickets.estimate:{estimate.pk}")


def test_approving_accepts_and_holds_once(ticket, member, manager, technician):
    estimate, approval = _waiting(ticket, member, technician)
    decided = approvals.decide(approval, by=manager, approve=True)
    assert any("accepted" in text for text in decided.consequences)
    estimate.refresh_from_db()
    ticket.refresh_from_db()
    assert estimate.status == E.ACCEPTED
    assert estimate.decided_by == manager
    assert estimate.hold.amount == 90
    assert ticket.status == S.IN_PROGRESS
    with pytest.raises(approvals.AlreadyDecided):
        approvals.decide(approval, by=manager, approve=True)
    assert Hold.objects.count() == 1


def test_refusing_declines_and_says_who(ticket, member, manager, technician):
    estimate, approval = _waiting(ticket, member, technician)
    approvals.decide(approval, by=manager, approve=False)
    estimate.refresh_from_db()
    ticket.refresh_from_db()
    assert estimate.status == E.DECLINED
    assert estimate.decided_by == manager
    assert manager.get_full_name() in estimate.decline_reason
    assert ticket.status == S.OPEN
    assert not Hold.objects.exists()
    assert OutboxEmail.objects.filter(kind="estimate_answered").exists()


def test_an_estimate_withdrawn_meanwhile_changes_nothing_and_says_so(
    ticket, member, manager, technician
):
    estimate, approval = _waiting(ticket, member, technician)
    send_estimate(ticket, technician, 70)  # withdraws the first
    decided = approvals.decide(approval, by=manager, approve=True)
    assert any("no longer waiting" in text for text in decided.consequences)
    estimate.refresh_from_db()
    assert estimate.status == E.WITHDRAWN
    assert not Hold.objects.exists()


def test_approving_when_the_balance_no_longer_covers_it_changes_nothing(
    ticket, member, manager, technician
):
    estimate, approval = _waiting(ticket, member, technician, credits=150)
    other = open_ticket(manager, kind="intervention")
    services.accept_estimate(send_estimate(other, technician, 100), by=manager)
    with pytest.raises(approvals.ApprovalError, match="Buy at least 50"):
        approvals.decide(approval, by=manager, approve=True)
    approval.refresh_from_db()
    estimate.refresh_from_db()
    assert approval.outcome == Approval.Outcome.PENDING
    assert estimate.status == E.PENDING


def test_new_credits_never_accept_by_themselves_above_the_threshold(member, technician):
    _settings(member.organization, threshold=60)
    ticket = open_ticket(member, kind="intervention")
    estimate = send_estimate(ticket, technician, 90)
    grant_credits(member.organization, 100)
    services.resume_covered_tickets(member.organization_id)
    estimate.refresh_from_db()
    ticket.refresh_from_db()
    assert estimate.status == E.PENDING
    assert ticket.status == S.AWAITING_ACCEPTANCE


# --- Monthly limit --------------------------------------------------------------------


def _consultation(member, technician, minutes=10):
    ticket = open_ticket(member)  # consultation: 10 minutes -> 15 credits
    log_time(ticket, technician, minutes)
    return ticket


@pytest.fixture
def limited(member):
    grant_credits(member.organization, 300)
    _settings(member.organization, limit=30)
    return member


def test_below_and_at_the_limit_the_resolve_charges(limited, technician):
    for _round in range(2):  # 15 + 15 = 30: at the limit
        ticket = services.resolve(_consultation(limited, technician), by=technician)
        assert ticket.status == S.RESOLVED
    assert not Approval.objects.exists()


def test_beyond_the_limit_nothing_is_charged_and_a_manager_is_asked(limited, manager, technician):
    for _round in range(2):
        services.resolve(_consultation(limited, technician), by=technician)
    ticket = _consultation(limited, technician)
    with pytest.raises(services.ChargeNeedsApproval, match="monthly limit of 30"):
        services.resolve(ticket, by=technician)
    ticket.refresh_from_db()
    assert ticket.status != S.RESOLVED
    assert not TicketCharge.objects.filter(ticket=ticket).exists()
    approval = _approval(kind=Approval.Kind.MONTHLY_LIMIT)
    assert (approval.credits, approval.requested_by) == (15, limited)
    assert OutboxEmail.objects.filter(kind="approval_requested", recipient=manager).exists()
    assert Message.objects.filter(ticket=ticket, is_internal=True).count() == 1
    # Trying again asks nothing more.
    with pytest.raises(services.ChargeNeedsApproval):
        services.resolve(ticket, by=technician)
    assert Approval.objects.count() == 1
    # Approving resolves and charges as asked, once.
    decided = approvals.decide(approval, by=manager, approve=True)
    assert any("15 credits charged" in text for text in decided.consequences)
    ticket.refresh_from_db()
    assert ticket.status == S.RESOLVED
    assert ticket.charges.get().credits == 15


def test_a_refused_charge_leaves_the_ticket_unresolved_with_a_note(limited, manager, technician):
    Organization.objects.filter(pk=limited.organization_id).update(member_monthly_credit_limit=10)
    ticket = _consultation(limited, technician)
    with pytest.raises(services.ChargeNeedsApproval):
        services.resolve(ticket, by=technician)
    approvals.decide(_approval(kind="monthly_limit"), by=manager, approve=False)
    ticket.refresh_from_db()
    assert ticket.status != S.RESOLVED
    assert not TicketCharge.objects.exists()
    assert Message.objects.filter(ticket=ticket, body__contains="refused").exists()
    with pytest.raises(services.ChargeNeedsApproval, match="refused"):
        services.resolve(ticket, by=technician)
    # Goodwill is the technician's choice, and charges nothing.
    services.resolve(ticket, by=technician, mode="goodwill", reason="Cortesía")


def test_the_limit_is_per_member_and_managers_have_none(limited, manager, technician):
    other = MemberFactory(organization=limited.organization, email="o@cliente-uno.example")
    Organization.objects.filter(pk=limited.organization_id).update(member_monthly_credit_limit=20)
    services.resolve(_consultation(limited, technician), by=technician)
    services.resolve(_consultation(other, technician), by=technician)
    services.resolve(_consultation(manager, technician), by=technician)
    services.resolve(_consultation(manager, technician), by=technician)
    assert not Approval.objects.exists()
    with pytest.raises(services.ChargeNeedsApproval):
        services.resolve(_consultation(limited, technician), by=technician)


def test_last_months_charges_do_not_count(limited, technician):
    services.resolve(_consultation(limited, technician), by=technician)
    services.resolve(_consultation(limited, technician), by=technician)
    start = services.charging.month_start()
    TicketCharge.objects.update(created_at=start - timedelta(seconds=1))
    assert services.charging.spent_this_month(limited) == 0
    services.resolve(_consultation(limited, technician), by=technician)
    TicketCharge.objects.filter(created_at__gte=start).update(created_at=start)
    assert services.charging.spent_this_month(limited) == 15


def test_a_charge_that_grew_beyond_what_was_approved_is_not_made(limited, manager, technician):
    Organization.objects.filter(pk=limited.organization_id).update(member_monthly_credit_limit=10)
    ticket = _consultation(limited, technician)
    with pytest.raises(services.ChargeNeedsApproval):
        services.resolve(ticket, by=technician)
    log_time(ticket, technician, 20)  # now 30 minutes -> 30 credits
    decided = approvals.decide(_approval(kind="monthly_limit"), by=manager, approve=True)
    assert any("nothing was charged" in text for text in decided.consequences)
    ticket.refresh_from_db()
    assert ticket.status != S.RESOLVED
    assert not TicketCharge.objects.exists()


# --- Views ----------------------------------------------------------------------------


def test_a_member_accepting_sees_the_waiting_message_and_the_page_says_awaiting(
    client, ticket, member, technician, django_assert_max_num_queries
):
    _settings(member.organization, threshold=60)
    estimate = send_estimate(ticket, technician, 90)
    client.force_login(member)
    response = client.post(
        reverse("tickets:estimate_accept", args=[estimate.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    with django_assert_max_num_queries(10, info="the ticket page"):
        page = client.get(response.url)
    html = page.content.decode()
    assert 'data-testid="awaiting-approval"' in html
    assert 'data-testid="estimate-accept"' not in html
    assert "aprobación" in html or "approval" in html


def test_the_approve_link_of_the_email_works_end_to_end(
    client, ticket, member, manager, technician
):
    estimate, _approval_row = _waiting(ticket, member, technician)
    email = OutboxEmail.objects.get(kind="approval_requested", recipient=manager)
    url = email.context["approve_url"]
    assert re.match(r"^/accounts/approvals/", url)
    client.force_login(manager)
    assert client.get(url).status_code == 200
    estimate.refresh_from_db()
    assert estimate.status == E.PENDING  # a GET decides nothing
    response = client.post(url, follow=True)
    assert response.status_code == 200
    estimate.refresh_from_db()
    assert estimate.status == E.ACCEPTED
    assert estimate.hold is not None


# --- Concurrency (PostgreSQL, threads) --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_the_same_estimate_at_once_hold_once(technician):
    from tests.credits.test_concurrency import race

    first = UserFactory()
    second = UserFactory(organization=first.organization)
    member = MemberFactory(organization=first.organization)
    grant_credits(first.organization, 1000)
    _settings(first.organization, threshold=10)
    for _round in range(3):
        ticket = open_ticket(member, kind="intervention")
        estimate = services.accept_estimate(send_estimate(ticket, technician, 60), by=member)
        approval = Approval.objects.get(reference=f"tickets.estimate:{estimate.pk}")
        managers = [first, second]
        results = race(
            2, lambda i, a=approval, m=managers: approvals.decide(a, by=m[i], approve=True)
        )
        assert sum(isinstance(r, Approval) for r in results) == 1, results
        assert sum(isinstance(r, approvals.AlreadyDecided) for r in results) == 1, results
        estimate.refresh_from_db()
        assert estimate.status == E.ACCEPTED
        assert Hold.objects.filter(pk=estimate.hold_id).count() == 1
    assert Hold.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_approval_racing_a_withdrawal_either_holds_or_changes_nothing(technician):
    from tests.credits.test_concurrency import race

    manager = UserFactory()
    member = MemberFactory(organization=manager.organization)
    grant_credits(manager.organization, 1000)
    _settings(manager.organization, threshold=10)
    for _round in range(3):
        ticket = open_ticket(member, kind="intervention")
        estimate = services.accept_estimate(send_estimate(ticket, technician, 60), by=member)
        approval = Approval.objects.get(reference=f"tickets.estimate:{estimate.pk}")
        calls = [
            lambda a=approval: approvals.decide(a, by=manager, approve=True),
            lambda t=ticket: send_estimate(t, technician, 30),
        ]
        results = race(2, lambda i, c=calls: c[i]())
        estimate.refresh_from_db()
        if estimate.status == E.ACCEPTED:  # approved first; the new estimate came after
            assert estimate.hold is not None
        else:  # withdrawn first: the decision changed nothing
            assert estimate.status == E.WITHDRAWN
            assert estimate.hold is None
        errors = [r for r in results if isinstance(r, Exception)]
        assert not errors, results


def test_the_resolve_page_says_a_manager_must_approve_and_charges_nothing(
    client, limited, technician
):
    Organization.objects.filter(pk=limited.organization_id).update(member_monthly_credit_limit=10)
    ticket = _consultation(limited, technician)
    client.force_login(technician)
    response = client.post(
        reverse("tickets:resolve", args=[ticket.pk]),
        {"how": "charge", "expected_credits": 15, "note": "", "goodwill_reason": ""},
    )
    assert response.status_code == 200
    assert "monthly limit" in response.content.decode() or "límite mensual" in (
        response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.status != S.RESOLVED
    assert not TicketCharge.objects.exists()
    assert Approval.objects.filter(kind="monthly_limit", credits=15).count() == 1


def test_resolving_by_a_status_change_also_asks_the_manager(limited, technician):
    Organization.objects.filter(pk=limited.organization_id).update(member_monthly_credit_limit=10)
    ticket = _consultation(limited, technician)
    with pytest.raises(services.ChargeNeedsApproval):
        services.change_status(ticket, S.RESOLVED, by=technician)
    ticket.refresh_from_db()
    assert ticket.status != S.RESOLVED
    assert Approval.objects.filter(kind="monthly_limit").count() == 1
