"""A technician logs time with the timer and the form, resolves with the breakdown shown;
the client sees the charge and the lower balance. And the estimate path: an estimate above
the balance leaves the ticket awaiting credits, and the client sees how many to buy."""

import pytest
from django.utils import translation

from tests.accounts.factories import PASSWORD, TechnicianFactory, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.tickets.factories import ContractFactory, ProductFactory, grant_credits, open_ticket
from tickets import services
from tickets.models import Ticket


@pytest.fixture
def new_page(browser, live_server):
    """A second person's browser (its own cookies), closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def people(transactional_db):
    product = ProductFactory(name="Tienda online")
    client = UserFactory(email="marta@cliente.example", full_name="Marta Cliente")
    ContractFactory(organization=client.organization, product=product)
    technician = TechnicianFactory(email="lucia@soporte.example", full_name="Lucía Técnica")
    return {"client": client, "technician": technician, "product": product}


def test_time_logged_resolved_with_its_breakdown_and_seen_by_the_client(page, new_page, people):
    client, technician = people["client"], people["technician"]
    grant_credits(client.organization, 100)
    ticket = open_ticket(client, product=people["product"], subject="No llegan los correos")
    services.assign(ticket, technician, by=technician)

    # The technician times a first call, reloads (the timer is kept), stops it.
    login(page, technician.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto(f"{page.base_url}{ticket.get_absolute_url()}")
    page.select_option("select[name=timer-channel]", "phone")
    page.get_by_test_id("timer-start").click()
    page.get_by_test_id("timer-running").wait_for()
    page.reload()
    running = page.get_by_test_id("timer-running")
    assert ":" in running.inner_text()
    screenshot(page, "charging-timer")
    page.get_by_test_id("timer-stop").click()
    page.get_by_test_id("timer-start").wait_for()
    assert page.get_by_test_id("time-entry").count() == 1

    # Then logs 20 more minutes by hand.
    page.locator("#time summary").click()
    page.fill("input[name=time-minutes]", "20")
    page.select_option("select[name=time-channel]", "remote")
    page.get_by_test_id("time-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("time-entry").count() == 2

    # Resolving shows the breakdown: 21 min → 15 + 1 block of 15, + 15 for the call.
    page.get_by_test_id("resolve-link").click()
    page.wait_for_url("**/resolve/")
    assert page.get_by_test_id("breakdown-minutes").inner_text() == "21"
    assert page.get_by_test_id("breakdown-minimum").inner_text() == "15"
    assert page.get_by_test_id("breakdown-blocks").inner_text() == "15"
    assert page.get_by_test_id("breakdown-surcharges").inner_text() == "15"
    assert page.get_by_test_id("breakdown-total").inner_text() == "45"
    assert page.get_by_test_id("balance-after").inner_text() == "55"
    screenshot(page, "charging-resolve-confirmation")
    page.get_by_test_id("confirm-resolve").click()
    page.wait_for_url(f"**{ticket.get_absolute_url()}")
    with translation.override("es"):
        assert page.get_by_test_id("ticket-status").inner_text() == str(
            Ticket.Status.RESOLVED.label
        )

    # The client sees the charge, its breakdown, and the lower balance.
    client_page = new_page()
    login(client_page, client.email, PASSWORD)
    client_page.wait_for_url("**/dashboard/")
    client_page.goto(f"{page.base_url}{ticket.get_absolute_url()}")
    assert client_page.get_by_test_id("time-entry").count() == 2
    assert client_page.get_by_test_id("charge-credits").inner_text() == "45"
    assert client_page.get_by_test_id("charge-balance-after").inner_text() == "55"
    screenshot(client_page, "charging-client-ticket")
    client_page.goto(f"{page.base_url}/credits/")
    assert client_page.get_by_test_id("balance-available").inner_text() == "55"


def test_an_estimate_above_the_balance_waits_for_credits(page, new_page, people):
    client, technician = people["client"], people["technician"]
    grant_credits(client.organization, 20)
    ticket = open_ticket(
        client, product=people["product"], kind="intervention", subject="La tienda va lenta"
    )

    login(page, technician.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto(f"{page.base_url}{ticket.get_absolute_url()}")
    page.locator("#estimates summary").click()
    page.fill("input[name=estimate-credits]", "90")
    page.fill("textarea[name=estimate-description]", "Optimizar la base de datos y la caché.")
    page.get_by_test_id("estimate-form").locator("button[type=submit]").click()
    page.get_by_test_id("estimate").wait_for()
    with translation.override("es"):
        awaiting = str(Ticket.Status.AWAITING_CREDITS.label)
    assert page.get_by_test_id("ticket-status").inner_text() == awaiting

    client_page = new_page()
    login(client_page, client.email, PASSWORD)
    client_page.wait_for_url("**/dashboard/")
    client_page.goto(f"{page.base_url}{ticket.get_absolute_url()}")
    assert client_page.get_by_test_id("ticket-status").inner_text() == awaiting
    banner = client_page.get_by_test_id("awaiting-credits-banner")
    assert "70" in banner.inner_text()  # 90 estimated, 20 available
    assert client_page.get_by_test_id("estimate-accept").is_disabled()
    screenshot(client_page, "charging-awaiting-credits")
    client_page.get_by_test_id("banner-buy-credits").click()
    client_page.wait_for_url("**/billing/buy/?need=70")
    # The checkout suggests the smallest pack that covers the 70 missing credits.
    assert "120" in client_page.get_by_test_id("need-notice").inner_text()
