"""A client opens a critical ticket; a technician finds it on top of the queue with its
countdown and replies; the client reads the reply."""

import pytest

from tests.accounts.factories import PASSWORD, TechnicianFactory, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.tickets.factories import ContractFactory, ProductFactory, open_ticket
from tickets.models import Ticket


@pytest.fixture
def people(transactional_db):
    product = ProductFactory(name="Tienda online")
    client = UserFactory(email="marta@cliente.example", full_name="Marta Cliente")
    ContractFactory(organization=client.organization, product=product)
    technician = TechnicianFactory(email="lucia@soporte.example", full_name="Lucía Técnica")
    # Already in the queue: a minor ticket, less urgent than the critical one to come.
    open_ticket(client, product=product, subject="Cambiar el pie de página", severity="minor")
    return {"client": client, "technician": technician, "product": product}


def test_critical_ticket_from_client_to_technician_and_back(page, browser, people):
    # The client opens a critical ticket.
    login(page, people["client"].email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Tickets").first.click()
    page.get_by_test_id("new-ticket").click()
    page.select_option("select[name=product]", label="Tienda online")
    page.check("input[name=severity][value=critical]")
    page.check("input[name=kind][value=intervention]")
    page.fill("input[name=subject]", "La tienda no carga")
    page.fill("textarea[name=description]", "Error 500 en todas las páginas desde las 9:00.")
    screenshot(page, "tickets-open-form")
    page.get_by_test_id("ticket-form").locator("button[type=submit]").click()
    page.wait_for_url("**/tickets/*/")
    reference = page.get_by_test_id("ticket-reference").inner_text()
    assert reference.startswith("T-")
    assert page.get_by_test_id("ticket-status").inner_text() == "Nuevo"

    # The technician sees it on top of the queue, with its countdown, and replies.
    context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 800})
    staff = context.new_page()
    staff.set_default_timeout(15_000)
    staff.base_url = page.base_url
    login(staff, people["technician"].email, PASSWORD)
    staff.wait_for_url("**/dashboard/")
    staff.get_by_role("link", name="Cola", exact=True).click()
    first_row = staff.get_by_test_id("queue-row").first
    assert reference in first_row.inner_text()
    badge = first_row.get_by_test_id("sla-badge")
    assert badge.get_attribute("data-state") in ("ok", "warning")
    assert " h " in badge.inner_text()
    # The state in words too, not only in colour (WCAG 1.4.1).
    assert badge.inner_text().split(" · ")[0] in ("En plazo", "Vence pronto")
    screenshot(staff, "tickets-queue")
    first_row.get_by_role("link", name=reference).click()
    staff.fill("textarea[name=body] >> nth=0", "Estamos en ello: reiniciamos el servidor.")
    staff.get_by_test_id("reply-form").locator("button[type=submit]").click()
    staff.wait_for_load_state()
    assert "Estamos en ello" in staff.get_by_test_id("thread").inner_text()
    screenshot(staff, "tickets-staff-page")
    context.close()

    # The client sees the reply.
    page.reload()
    thread = page.get_by_test_id("thread").inner_text()
    assert "Estamos en ello: reiniciamos el servidor." in thread
    assert page.get_by_test_id("ticket-status").inner_text() == "Abierto"
    screenshot(page, "tickets-client-sees-reply")
    assert Ticket.objects.get(reference=reference).public_message_count == 1
