"""The report charts in the browser, in Spanish and English: each SVG chart is drawn, has
its table beside it, and the page breaks no CSP rule. Screenshots are kept in
tests/e2e/screenshots/ (reports-*.png)."""

from pathlib import Path

import pytest

from tests.accounts.factories import PASSWORD, AdminFactory, TechnicianFactory, UserFactory
from tests.billing.factories import paid_order
from tests.e2e.conftest import login
from tests.reports.factories import bulk_tickets

KEPT = Path(__file__).resolve().parent / "screenshots"


def keep(page, name: str) -> None:
    KEPT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(KEPT / f"reports-{name}.png"), full_page=True)


@pytest.fixture
def data(transactional_db):
    client = UserFactory(email="marta@cliente.example", full_name="Marta Cliente")
    technician = TechnicianFactory(email="lucia@soporte.example", full_name="Lucía Técnica")
    admin = AdminFactory(email="admin@soporte.example", full_name="Ana Admin")
    bulk_tickets(client, technician, 120)
    paid_order(client.organization, 60)
    return {"client": client, "admin": admin}


def _csp_errors(page) -> list[str]:
    errors = []
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return errors


def _charts_with_tables(page, section_ids: list[str]) -> None:
    for testid in section_ids:
        section = page.get_by_test_id(testid)
        chart = section.locator("svg.report-chart").first
        assert chart.is_visible(), testid
        assert chart.bounding_box()["width"] > 200, testid
        assert chart.get_attribute("role") == "img"
        assert chart.locator("rect").count() > 1, testid


def test_staff_charts_in_both_languages(page, data):
    errors = _csp_errors(page)
    login(page, data["admin"].email, PASSWORD)
    page.goto(f"{page.base_url}/reports/")
    assert page.get_by_role("heading", name="Informes").is_visible()
    _charts_with_tables(page, ["chart-sla", "chart-credits"])
    assert page.get_by_test_id("chart-sla").locator("table").is_visible()
    assert page.get_by_test_id("money").is_visible()
    keep(page, "staff-es")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.goto(f"{page.base_url}/reports/")
    assert page.get_by_role("heading", name="Reports").is_visible()
    assert "SLA compliance" in page.get_by_test_id("chart-sla").inner_text()
    _charts_with_tables(page, ["chart-sla", "chart-credits"])
    keep(page, "staff-en")
    assert errors == []


def test_client_usage_chart_in_both_languages(page, data):
    errors = _csp_errors(page)
    login(page, data["client"].email, PASSWORD)
    page.goto(f"{page.base_url}/reports/usage/")
    assert page.get_by_role("heading", name="Uso de los créditos").is_visible()
    _charts_with_tables(page, ["chart-consumption"])
    assert page.get_by_test_id("chart-consumption").locator("table").is_visible()
    assert page.get_by_test_id("forecast").is_visible()
    keep(page, "usage-es")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.goto(f"{page.base_url}/reports/usage/")
    assert page.get_by_role("heading", name="Usage of credits").is_visible()
    _charts_with_tables(page, ["chart-consumption"])
    keep(page, "usage-en")
    assert errors == []
