"""A demo client logs in and sees the dashboard, in Spanish and then in English."""

import io

import pytest
from django.core.management import call_command

from tests.e2e.conftest import login, screenshot


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())


def test_client_logs_in_and_switches_language(page, demo):
    login(page, "marta@laespiga.example", "demo-soporte-2026")
    page.wait_for_url("**/dashboard/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_test_id("organization-name").inner_text() == "Panadería La Espiga S.L."
    assert page.get_by_role("heading", name="Hola, Marta").is_visible()
    assert page.get_by_role("link", name="Mi organización").is_visible()
    screenshot(page, "dashboard-es")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Hello, Marta").is_visible()
    assert page.get_by_role("link", name="My organization").is_visible()
    screenshot(page, "dashboard-en")

    # Bootstrap came from our own static files (the page is styled, no CDN request).
    navbar_bg = page.eval_on_selector("nav.navbar", "el => getComputedStyle(el).backgroundColor")
    assert navbar_bg == "rgb(33, 37, 41)"


def test_wrong_password_is_explained(page, demo):
    login(page, "marta@laespiga.example", "not-the-password")
    assert (
        "clave correctos"
        in page.locator(".alert-danger, .invalid-feedback, form").first.inner_text()
    )
