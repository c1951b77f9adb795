"""A client saves a (test) card, subscribes to a monthly plan, sees its credits and the
period's invoice, schedules a plan change for the next period and turns on the automatic
recharge; the plans page passes axe in Spanish and English."""

import pytest

from credits import selectors as credit_selectors
from plans.models import AutoRecharge, Subscription
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import _context, _violations
from tests.plans.factories import plan


@pytest.fixture
def client_user(transactional_db):
    from tests.reference_data import restore_reference_data

    restore_reference_data()
    organization = OrganizationFactory(name="Talleres Norte S.L.")
    return UserFactory(organization=organization, email="ana@talleres.example")


def test_client_subscribes_changes_plan_and_turns_on_auto_recharge(
    browser, live_server, client_user
):
    plan(300, "250.00", name="Plan 300")
    plan(600, "450.00", name="Plan 600")
    context = _context(browser, live_server, client_user, "en")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/plans/")
    page.get_by_label("Test card").select_option("ok")
    page.get_by_role("button", name="Save the card").click()
    assert page.get_by_test_id("saved-card").inner_text() == "Test card 4242"

    page.get_by_test_id("plan-" + str(plan_pk(300))).get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state()
    assert "Subscribed to Plan 300" in page.content()
    assert "Your plan: Plan 300." in page.get_by_test_id("current-plan").inner_text()
    assert credit_selectors.balance(client_user.organization) == 300

    page.get_by_test_id("plan-" + str(plan_pk(600))).get_by_role(
        "button", name="Change to this plan next period"
    ).click()
    page.wait_for_load_state()
    assert "nothing is charged or granted now" in page.content()
    assert Subscription.objects.get().next_plan.credits == 600
    assert credit_selectors.balance(client_user.organization) == 300

    page.get_by_label("When the balance falls below (credits)").fill("-4")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert not AutoRecharge.objects.exists()  # refused by the browser or the form
    page.get_by_label("When the balance falls below (credits)").fill("50")
    page.get_by_label("At most, automatic purchases a month").fill("2")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "Automatic recharge saved." in page.content()
    assert AutoRecharge.objects.get().threshold == 50
    screenshot(page, "plans-overview-en")
    assert _violations(page) == []
    context.close()

    context = _context(browser, live_server, client_user, "es")
    page = context.new_page()
    page.goto(live_server.url + "/plans/")
    screenshot(page, "plans-overview-es")
    assert _violations(page) == []
    context.close()


def plan_pk(credits: int) -> int:
    from plans.models import Plan

    return Plan.objects.get(credits=credits).pk
