"""Approval settings and approvals (issue 19): bounded settings, decided exactly once."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import approvals
from accounts.models import MAX_TEAM_CREDITS, Approval, Organization
from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import MemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """The messages are checked in English (the site's default language is Spanish), in
    the test's threads too."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client_user):
    return client_user


@pytest.fixture
def member(manager):
    return MemberFactory(organization=manager.organization, email="m@cliente.example")


def _request(member, reference="tickets.estimate:7", credits=240):
    return approvals.request_approval(
        member.organization,
        requested_by=member,
        kind=Approval.Kind.ESTIMATE,
        what="Presupuesto T-2026-00007: migración",
        credits=credits,
        reference=reference,
    )


# --- Settings -------------------------------------------------------------------------


def test_a_manager_sets_the_threshold_and_the_monthly_limit(manager):
    approvals.update_team_settings(
        manager.organization,
        by=manager,
        members_see_all_tickets=True,
        approval_threshold_credits=120,
        member_monthly_credit_limit=600,
    )
    org = Organization.objects.get(pk=manager.organization_id)
    assert (org.members_see_all_tickets, org.approval_threshold_credits) == (True, 120)
    assert org.member_monthly_credit_limit == 600


@pytest.mark.parametrize(
    ("threshold", "limit", "message"),
    [
        (-1, None, "cannot be negative"),
        (None, -5, "cannot be negative"),
        (MAX_TEAM_CREDITS + 1, None, "at most"),
        (None, 10**12, "at most"),
        ("12", None, "whole number"),
    ],
)
def test_negative_or_absurd_settings_are_refused_and_nothing_changes(
    manager, threshold, limit, message
):
    with pytest.raises(approvals.ApprovalError, match=message):
        approvals.update_team_settings(
            manager.organization,
            by=manager,
            members_see_all_tickets=True,
            approval_threshold_credits=threshold,
            member_monthly_credit_limit=limit,
        )
    org = Organization.objects.get(pk=manager.organization_id)
    assert org.members_see_all_tickets is False
    assert org.approval_threshold_credits is None
    assert org.member_monthly_credit_limit is None


def test_a_member_cannot_change_the_settings(member):
    with pytest.raises(approvals.ApprovalError):
        approvals.update_team_settings(
            member.organization,
            by=member,
            members_see_all_tickets=True,
            approval_threshold_credits=1,
            member_monthly_credit_limit=1,
        )
    assert not Organization.objects.get(pk=member.organization_id).members_see_all_tickets


def test_needs_approval_and_the_monthly_limit(manager, member):
    org = manager.organization
    assert not approvals.needs_approval(org, 10_000, by=member)  # no threshold: never
    org.approval_threshold_credits = 120
    org.member_monthly_credit_limit = 300
    org.save()
    member.refresh_from_db()
    assert not approvals.needs_approval(org, 120, by=member)
    assert approvals.needs_approval(org, 121, by=member)
    assert not approvals.needs_approval(org, 121, by=manager)  # a manager approves themselves
    assert not approvals.exceeds_member_limit(member, spent_this_month=200, credits=100)
    assert approvals.exceeds_member_limit(member, spent_this_month=200, credits=101)
    assert not approvals.exceeds_member_limit(manager, spent_this_month=10**6, credits=1)


def test_the_settings_page_saves_and_explains_a_bad_number(client, manager):
    client.force_login(manager)
    url = reverse("accounts:team_settings")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"approval_threshold_credits": "-3"})
    assert bad.status_code == 400
    assert "negative" in bad.content.decode() or "negativo" in bad.content.decode()
    absurd = client.post(url, {"member_monthly_credit_limit": "99999999999999999999"})
    assert absurd.status_code == 400
    assert Organization.objects.get(pk=manager.organization_id).member_monthly_credit_limit is None
    ok = client.post(url, {"approval_threshold_credits": "90", "members_see_all_tickets": "on"})
    assert ok.status_code == 302
    org = Organization.objects.get(pk=manager.organization_id)
    assert org.approval_threshold_credits == 90
    assert org.members_see_all_tickets


def test_a_member_gets_404_on_the_settings_page_and_changes_nothing(client, member):
    client.force_login(member)
    url = reverse("accounts:team_settings")
    assert client.get(url).status_code == 404
    assert client.post(url, {"approval_threshold_credits": "1"}).status_code == 404
    assert Organization.objects.get(pk=member.organization_id).approval_threshold_credits is None


# --- Requesting and deciding ----------------------------------------------------------


def test_a_request_emails_each_manager_a_signed_approve_and_refuse_link(manager, member):
    second = UserFactory(organization=manager.organization)
    approval = _request(member)
    assert approval.outcome == Approval.Outcome.PENDING
    emails = OutboxEmail.objects.filter(kind=Kind.APPROVAL_REQUESTED).order_by("recipient_id")
    assert [e.recipient_id for e in emails] == sorted([manager.pk, second.pk])
    assert _request(member).pk == approval.pk  # the same reference again: the first one
    assert OutboxEmail.objects.filter(kind=Kind.APPROVAL_REQUESTED).count() == 2
    approve_url = emails[0].context["approve_url"]
    token = re.search(r"/accounts/approvals/([^/]+)/", approve_url).group(1)
    link = approvals.read_link(token, user=emails[0].recipient)
    assert (link.approval.pk, link.decision) == (approval.pk, "approve")
    # Another manager's link is not theirs.
    other = manager if emails[0].recipient_id != manager.pk else second
    with pytest.raises(approvals.BadLink):
        approvals.read_link(token, user=other)


def test_the_email_says_whether_a_member_asked_or_a_charge_went_beyond_their_limit(manager, member):
    from notifications.rendering import render_email

    _request(member)
    approvals.request_approval(
        member.organization,
        requested_by=member,
        kind=Approval.Kind.MONTHLY_LIMIT,
        what="Cargo del ticket T-2026-00008: correo",
        credits=60,
        reference="tickets.charge:8:1:charge:3",
    )
    estimate, charge = OutboxEmail.objects.filter(recipient=manager).order_by("pk")
    name = member.get_full_name()
    asked = render_email(estimate.kind, estimate.context, language="en")
    assert asked.subject == f"{name} asks for your approval"
    assert f"{name} asks for your approval, as a manager of" in asked.text
    beyond = render_email(charge.kind, charge.context, language="en")
    assert beyond.subject == f"A charge beyond {name}'s monthly limit needs your approval"
    assert f"A charge on a ticket of {name} goes beyond their monthly credit limit" in beyond.text
    assert "asks for your approval" not in beyond.text
    assert "goes beyond their monthly credit limit" in beyond.html
    # A request queued before the kind was in the context still renders, as a request.
    old_context = {k: v for k, v in charge.context.items() if k != "approval_kind"}
    assert render_email(charge.kind, old_context, language="en").subject.endswith(
        "asks for your approval"
    )


def test_decided_once_the_second_decision_says_who_decided(manager, member):
    approval = _request(member)
    approvals.decide(approval, by=manager, approve=True)
    with pytest.raises(approvals.AlreadyDecided, match="already approved"):
        approvals.decide(approval, by=manager, approve=False)
    approval.refresh_from_db()
    assert approval.outcome == Approval.Outcome.APPROVED
    assert approval.decided_by == manager


def test_a_member_cannot_decide(member):
    approval = _request(member)
    with pytest.raises(approvals.ApprovalError):
        approvals.decide(approval, by=member, approve=True)
    approval.refresh_from_db()
    assert approval.outcome == Approval.Outcome.PENDING


def test_bad_requests_are_refused(member, other_client_user):
    with pytest.raises(approvals.ApprovalError):
        _request(member, credits=-1)
    with pytest.raises(approvals.ApprovalError):
        approvals.request_approval(
            member.organization,
            requested_by=other_client_user,
            kind=Approval.Kind.ESTIMATE,
            what="x",
            credits=1,
            reference="r",
        )
    assert not Approval.objects.exists()


def test_the_link_shows_a_confirm_page_and_the_post_decides(client, manager, member):
    approval = _request(member)
    url = reverse(
        "accounts:approval_decide",
        kwargs={"token": approvals.decision_token(approval, manager, "refuse")},
    )
    client.force_login(manager)
    page = client.get(url)
    assert page.status_code == 200
    assert b"confirm-decision" in page.content
    approval.refresh_from_db()
    assert approval.outcome == Approval.Outcome.PENDING  # a GET decides nothing
    assert client.post(url).status_code == 302
    approval.refresh_from_db()
    assert approval.outcome == Approval.Outcome.REFUSED
    again = client.post(url, follow=True)
    assert "already refused" in again.content.decode() or "rechaz" in again.content.decode()


def test_a_forged_link_is_a_404(client, manager):
    client.force_login(manager)
    assert client.get("/accounts/approvals/forged:token/").status_code == 404


# --- Concurrency (PostgreSQL, threads) ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_one_wins_the_other_gets_a_clear_error():
    from tests.credits.test_concurrency import race

    first = UserFactory()
    second = UserFactory(organization=first.organization)
    member = MemberFactory(organization=first.organization)
    deciders = [(first, True), (second, False)]
    for round_ in range(5):  # several rounds: either side may win, never both
        approval = _request(member, reference=f"tickets.estimate:{round_}")
        results = race(
            2,
            lambda i, approval=approval: approvals.decide(
                approval, by=deciders[i][0], approve=deciders[i][1]
            ),
        )
        won = [r for r in results if isinstance(r, Approval)]
        lost = [r for r in results if isinstance(r, approvals.AlreadyDecided)]
        assert len(won) == 1, results
        assert len(lost) == 1, results
        assert "already" in lost[0].message
        approval.refresh_from_db()
        assert approval.outcome == won[0].outcome
        assert approval.decided_by_id == won[0].decided_by.pk


def test_the_decision_is_signalled_once_after_commit(
    manager, member, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, approval, **kwargs):
        received.append((approval.pk, approval.outcome))

    approvals.approval_decided.connect(receiver)
    try:
        approval = _request(member)
        with django_capture_on_commit_callbacks(execute=True):
            approvals.decide(approval, by=manager, approve=True)
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(approvals.AlreadyDecided),
        ):
            approvals.decide(approval, by=manager, approve=False)
    finally:
        approvals.approval_decided.disconnect(receiver)
    assert received == [(approval.pk, Approval.Outcome.APPROVED)]
