"""A demo client opens the balance page, filters movements and downloads a statement PDF."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from tests.e2e.conftest import login, screenshot


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())


def test_client_checks_the_balance_filters_movements_and_downloads_a_statement(page, demo):
    login(page, "marta@laespiga.example", "demo-soporte-2026")
    page.wait_for_url("**/dashboard/")
    assert page.get_by_test_id("credits-available").inner_text() == "105"

    page.get_by_role("link", name="Mis créditos").click()
    page.wait_for_url("**/credits/")
    assert page.get_by_test_id("balance-available").inner_text() == "105"
    assert page.get_by_test_id("balance-held").inner_text() == "0"
    screenshot(page, "credits-balance")

    page.get_by_role("link", name="Movimientos", exact=True).click()
    page.wait_for_url("**/credits/movements/")
    rows = page.get_by_test_id("movements").locator("tbody tr")
    assert rows.count() == 6
    page.get_by_label("Tipo").select_option("consumption")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**/credits/movements/?kind=consumption*")
    assert rows.count() == 4
    assert all("Consumo" in text for text in rows.all_inner_texts())
    assert "Consulta: el TPV no imprime los tickets" in rows.all_inner_texts()[2]
    screenshot(page, "credits-movements-filtered")

    page.get_by_role("link", name="Extractos", exact=True).click()
    page.wait_for_url("**/credits/statements/")
    today = timezone.localdate()
    page.fill("input[name=start]", today.replace(year=today.year - 1).isoformat())
    page.fill("input[name=end]", today.isoformat())
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Descargar PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Extracto de saldo" in text
    assert "Panadería La Espiga S.L." in text
    # The reason wraps in its column: its words are all there, in order (never cut).
    words = ["Consulta:", "el", "TPV", "no", "imprime", "los", "tickets"]
    assert re.search(r"\s.*?".join(map(re.escape, words)), text, re.DOTALL)
    assert "Saldo final" in text
    screenshot(page, "credits-statements")
