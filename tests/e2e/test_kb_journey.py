"""A client starts a ticket, types its subject, sees a suggested article, opens it,
answers "helpful" and does not open the ticket: a question answered without credits."""

import pytest

from kb.models import Deflection
from tests.accounts.factories import PASSWORD, TechnicianFactory, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.kb.factories import article
from tests.tickets.factories import ContractFactory, ProductFactory
from tickets.models import Ticket


@pytest.fixture
def people(transactional_db):
    client = UserFactory(email="marta@cliente.example", full_name="Marta Cliente")
    ContractFactory(organization=client.organization, product=ProductFactory(name="Tienda"))
    item = article(
        "Cómo descargar una factura en PDF",
        "Entra en **Facturas** y pulsa *Descargar PDF* junto a la factura.",
        by=TechnicianFactory(),
        slug="descargar-factura-pdf",
    )
    return {"client": client, "article": item}


@pytest.mark.postgres
def test_client_reads_a_suggestion_and_needs_no_ticket(page, people):
    login(page, people["client"].email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto(page.base_url + "/tickets/new/")
    page.locator("input[name=subject]").press_sequentially("No puedo descargar la factura")
    suggestion = page.get_by_test_id("kb-suggestion").first
    suggestion.wait_for()
    assert "descargar una factura" in suggestion.inner_text()
    screenshot(page, "kb-suggestions")
    suggestion.click()
    page.wait_for_url("**/help/es/descargar-factura-pdf/**")
    assert (
        page.get_by_test_id("kb-article-title").inner_text() == "Cómo descargar una factura en PDF"
    )
    page.get_by_test_id("kb-helpful-yes").click()
    page.get_by_test_id("kb-voted").wait_for()
    screenshot(page, "kb-helpful")
    deflection = Deflection.objects.get()
    assert deflection.helpful is True
    assert deflection.user == people["client"]
    assert not Ticket.objects.exists()
    people["article"].refresh_from_db()
    assert people["article"].helpful_yes == 1


@pytest.mark.postgres
def test_technician_inserts_a_canned_reply_and_an_article_link(page, people):
    from tests.kb.factories import macro
    from tests.tickets.factories import open_ticket

    technician = TechnicianFactory(email="lucia@soporte.example", full_name="Lucía Técnica")
    ticket = open_ticket(people["client"], subject="Factura")
    macro(name="Pedir captura", body="Hola {client_name}, ¿una captura de {ticket_reference}?",
          status="awaiting_client")  # fmt: skip
    login(page, technician.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto(page.base_url + ticket.get_absolute_url())
    page.fill("[data-kb-macro-filter]", "captura")
    page.press("[data-kb-macro-filter]", "Enter")
    reply = page.locator("form[data-testid=reply-form] textarea[name=body]")
    assert reply.input_value() == f"Hola Marta Cliente, ¿una captura de {ticket.reference}?"
    status = page.locator("form[data-testid=reply-form] select[name=status]")
    assert status.input_value() == "awaiting_client"
    page.fill("[data-kb-lookup]", "descargar")
    page.get_by_test_id("kb-lookup-result").first.click()
    assert "/help/es/descargar-factura-pdf/" in reply.input_value()
    screenshot(page, "kb-reply-tools")
