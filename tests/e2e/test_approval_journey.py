"""A manager sets an approval threshold; a member accepts an estimate above it, which
waits; the manager opens the approve link of the outbox email and approves; the estimate
is accepted and its credits held (issue 19)."""

import re

import pytest
from django.core import mail

from accounts.models import Approval, Organization
from notifications.models import Kind, OutboxEmail
from notifications.services import send_email
from tests.accounts.factories import PASSWORD, MemberFactory, TechnicianFactory, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.tickets.factories import (
    ContractFactory,
    ProductFactory,
    grant_credits,
    open_ticket,
    send_estimate,
)
from tickets.models import Estimate


@pytest.fixture
def team(transactional_db):
    product = ProductFactory(name="Tienda online")
    manager = UserFactory(email="gestora@cliente.example", full_name="Gema Gestora")
    member = MemberFactory(
        organization=manager.organization, email="miembro@cliente.example", full_name="Nico"
    )
    ContractFactory(organization=manager.organization, product=product)
    grant_credits(manager.organization, 300)
    ticket = open_ticket(member, product=product, kind="intervention", subject="Migración")
    estimate = send_estimate(ticket, TechnicianFactory(), 120)
    return {"manager": manager, "member": member, "ticket": ticket, "estimate": estimate}


def test_a_member_s_big_estimate_waits_and_the_manager_approves_from_the_email(page, browser, team):
    manager, member = team["manager"], team["member"]
    # The manager sets the threshold on the team settings page.
    login(page, manager.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto(f"{page.base_url}/accounts/organization/settings/")
    page.fill("input[name=approval_threshold_credits]", "60")
    page.get_by_test_id("save-team-settings").click()
    page.wait_for_load_state()
    organization = Organization.objects.get(pk=manager.organization_id)
    assert organization.approval_threshold_credits == 60

    # The member accepts the 120-credit estimate: it waits for a manager.
    context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 800})
    other = context.new_page()
    other.set_default_timeout(15_000)
    other.base_url = page.base_url
    login(other, member.email, PASSWORD)
    other.wait_for_url("**/dashboard/")
    other.goto(f"{page.base_url}/tickets/{team['ticket'].pk}/")
    other.get_by_test_id("estimate-accept").click()
    other.get_by_test_id("awaiting-approval").wait_for()
    screenshot(other, "approval-member-waits")
    estimate = Estimate.objects.get(pk=team["estimate"].pk)
    assert estimate.status == Estimate.Status.PENDING
    context.close()

    # The outbox email goes out; the manager opens its approve link and confirms.
    row = OutboxEmail.objects.get(kind=Kind.APPROVAL_REQUESTED, recipient=manager)
    send_email(row.pk)
    body = mail.outbox[-1].body
    path = re.search(r"https?://[^/\s]+(/accounts/approvals/[^/\s]+/)", body).group(1)
    page.goto(f"{page.base_url}{path}")
    page.get_by_test_id("confirm-decision").click()
    page.wait_for_url("**/accounts/organization/settings/")
    screenshot(page, "approval-approved")
    estimate.refresh_from_db()
    assert estimate.status == Estimate.Status.ACCEPTED
    assert estimate.hold is not None
    assert Approval.objects.get().decided_by == manager
    assert "T-" in page.locator("main").inner_text()


def test_a_charge_beyond_a_member_s_monthly_limit_waits_and_a_refusal_charges_nothing(
    page, browser, team
):
    """A technician resolves a member's ticket beyond the member's monthly limit: nothing
    is charged, the ticket stays open and the manager is asked; the manager (in English)
    refuses from the email's link; still nothing charged, and the decision is on the team
    settings page with who and when (issue 19)."""
    from credits import selectors as credit_selectors
    from tests.tickets.factories import log_time
    from tickets.models import Ticket

    manager, member = team["manager"], team["member"]
    organization = Organization.objects.get(pk=manager.organization_id)
    organization.member_monthly_credit_limit = 30
    organization.save(update_fields=["member_monthly_credit_limit"])
    manager.language = "en"
    manager.save(update_fields=["language"])
    ticket = open_ticket(member, product=team["ticket"].product, subject="Correo caído")
    technician = TechnicianFactory(email="lucia@soporte.example")
    log_time(ticket, technician, minutes=45)
    status = Ticket.objects.get(pk=ticket.pk).status

    login(page, technician.email, PASSWORD)
    page.goto(f"{page.base_url}/tickets/{ticket.pk}/resolve/")
    page.get_by_test_id("resolve-form").locator("input[name=how][value=charge]").check()
    page.get_by_test_id("confirm-resolve").click()
    page.wait_for_load_state()
    assert "límite mensual de 30 créditos" in page.locator("main").inner_text()
    assert Ticket.objects.get(pk=ticket.pk).status == status
    assert credit_selectors.balance(organization) == 300

    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.base_url = page.base_url
    login(phone, manager.email, PASSWORD)
    phone.wait_for_url("**/dashboard/")
    row = OutboxEmail.objects.get(kind=Kind.APPROVAL_REQUESTED, recipient=manager)
    send_email(row.pk)
    body = mail.outbox[-1].body
    refuse = re.findall(r"https?://[^/\s]+(/accounts/approvals/[^/\s]+/)", body)[1]
    phone.goto(f"{page.base_url}{refuse}")
    assert "refuse" in phone.get_by_test_id("confirm-decision").inner_text().lower()
    phone.get_by_test_id("confirm-decision").click()
    phone.wait_for_url("**/accounts/organization/settings/")
    approval = Approval.objects.get()
    assert approval.outcome == Approval.Outcome.REFUSED
    assert approval.decided_by == manager
    assert approval.decided_at is not None
    decided = phone.get_by_test_id("approvals").inner_text()
    assert "Refused" in decided
    assert manager.get_full_name() in decided
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "approval-limit-refused-phone-en")
    context.close()
    assert Ticket.objects.get(pk=ticket.pk).status == status
    assert credit_selectors.balance(organization) == 300
