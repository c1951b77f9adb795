"""A demo client buys the 60-credit pack with the test provider, sees the balance grow by 60
and downloads the invoice PDF."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from billing.models import Invoice
from tests.e2e.conftest import login, screenshot


@pytest.fixture
def demo(transactional_db, live_server, settings):
    call_command("seed_demo", stdout=io.StringIO())
    # The provider sends the client back to SITE_URL: here, the live server.
    settings.SITE_URL = live_server.url


def test_client_buys_60_credits_online_and_downloads_the_invoice(page, demo):
    login(page, "marta@laespiga.example", "demo-soporte-2026")
    page.wait_for_url("**/dashboard/")
    assert page.get_by_test_id("credits-available").inner_text() == "105"

    page.get_by_role("link", name="Comprar créditos", exact=True).first.click()
    page.wait_for_url("**/billing/buy/")
    card = page.get_by_test_id("pack-60")
    assert card.get_by_test_id("base").inner_text() == "36,00\xa0€"
    assert card.get_by_test_id("vat").inner_text() == "7,56\xa0€"
    assert card.get_by_test_id("total").inner_text() == "43,56\xa0€"
    assert card.get_by_test_id("discount").inner_text() == "10 % de descuento"
    screenshot(page, "billing-buy")
    card.get_by_role("button", name="Comprar 60 créditos").click()

    page.wait_for_url("**/billing/orders/*/")
    assert page.get_by_test_id("order-total").inner_text() == "43,56\xa0€"
    screenshot(page, "billing-order-summary")
    page.get_by_role("button", name="Pagar en línea").click()

    page.wait_for_url("**/billing/payments/*/")
    screenshot(page, "billing-test-provider")
    page.get_by_test_id("payment-form").get_by_role("button", name="Pagar").click()

    page.wait_for_url("**/billing/orders/*/")
    assert page.get_by_text("Este pedido está pagado: sus créditos están disponibles.").is_visible()
    assert page.get_by_test_id("order-status").inner_text() == "Pagado"
    screenshot(page, "billing-order-paid")

    page.get_by_role("link", name="Ver sus créditos").click()
    page.wait_for_url("**/credits/")
    assert page.get_by_test_id("balance-available").inner_text() == "165"

    page.go_back()
    invoice = Invoice.objects.get(order__organization__name__startswith="Panadería")
    with page.expect_download() as download_info:
        page.get_by_test_id("invoice-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"factura-{invoice.number}.pdf"
    with open(download.path(), "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    text = "\n".join(p.extract_text() for p in reader.pages).replace("\xa0", " ")
    assert invoice.number in text
    assert "Total 43,56 €" in text
    assert "Panadería La Espiga S.L." in text
    assert "B12345678" in text
