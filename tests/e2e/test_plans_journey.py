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


def test_a_declined_renewal_shows_its_retries_on_a_phone_and_pay_now_pays_once(
    browser, live_server, client_user
):
    """The dunning state as a manager meets it on a 390 px phone: the plans page says a
    renewal was declined and when the card is charged again (day first in Spanish);
    Pay now with the declined card grants nothing and keeps the schedule; with a card
    that pays it grants the period once and the notice goes (issue 19)."""
    from datetime import timedelta

    from dateutil.relativedelta import relativedelta
    from django.utils import timezone, translation
    from django.utils.formats import date_format

    from billing.models import Invoice
    from plans import services
    from plans.models import PlanPeriod
    from tests.plans.factories import card

    organization = client_user.organization
    now = timezone.now()
    card(organization)
    first = services.subscribe(
        organization,
        plan(100, "90.00", name="Plan 100"),
        now=now - relativedelta(months=1, hours=1),
    )
    subscription = first.subscription
    card(organization, "declined")
    assert services.renew_period(subscription, now=now).status == PlanPeriod.Status.DECLINED
    assert credit_selectors.balance(organization) == 100
    invoices = Invoice.objects.count()
    retry_day = timezone.localtime(now + timedelta(days=1))

    phone = {"width": 390, "height": 844}
    context = _context(browser, live_server, client_user, "es", viewport=phone)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/plans/")
    notice = page.get_by_test_id("dunning")
    with translation.override("es"):
        spanish_day = date_format(retry_day, "DATETIME_FORMAT")
    assert spanish_day in notice.inner_text()  # "5 de diciembre de 2026 a las 12:00"
    assert page.get_by_test_id("pay-now").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "plans-dunning-phone-es")
    assert _violations(page) == []

    # Pay now with the card that is still declined: nothing granted, the retries stay.
    page.get_by_test_id("pay-now").click()
    page.wait_for_load_state()
    assert "No se ha cobrado nada ni se han añadido créditos" in page.locator("main").inner_text()
    assert credit_selectors.balance(organization) == 100
    assert page.get_by_test_id("dunning").is_visible()
    context.close()

    # In English, with a card that pays: Pay now grants the period once.
    context = _context(browser, live_server, client_user, "en", viewport=phone)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/plans/")
    with translation.override("en"):
        english_day = date_format(retry_day, "DATETIME_FORMAT")
    notice = page.get_by_test_id("dunning").inner_text()
    assert "This period's payment was declined" in notice
    assert english_day in notice
    assert "(3 automatic retries left)" in notice
    page.get_by_label("Test card").select_option("ok")
    page.get_by_role("button", name="Save the card").click()
    page.wait_for_load_state()
    page.get_by_test_id("pay-now").click()
    page.wait_for_load_state()
    assert "Paid: this period's credits are in your balance." in page.content()
    assert page.get_by_test_id("dunning").count() == 0
    assert page.get_by_test_id("pay-now").count() == 0
    assert credit_selectors.balance(organization) == 200
    assert Invoice.objects.count() == invoices + 1
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.periods.get(number=1).status == PlanPeriod.Status.PAID
    # The beat's retry, when it comes, finds nothing to charge.
    services.retry_due(now=now + timedelta(days=1, minutes=1))
    assert credit_selectors.balance(organization) == 200
    screenshot(page, "plans-dunning-paid-en")
    context.close()
