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
