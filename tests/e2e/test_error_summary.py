"""Issue 21, errors people hear: a form that fails shows an error summary on top with
role=alert that takes the focus, links to the fields in error, and each field in error
has aria-invalid and aria-describedby pointing at its message. In Spanish and English."""

import pytest

from tests.accounts.factories import UserFactory
from tests.e2e.conftest import log_in_as
from tests.tickets.factories import ContractFactory, ProductFactory

SUMMARY_TITLE = {
    "es": "No se ha podido enviar el formulario. Revise:",
    "en": "The form could not be sent. Please check:",
}


def _focused_summary(page) -> dict:
    return page.evaluate(
        """() => { const el = document.activeElement;
        return {summary: el.hasAttribute('data-error-summary'), role: el.getAttribute('role'),
                text: el.innerText, links: [...el.querySelectorAll('a')].map(a => a.hash)}; }"""
    )


@pytest.mark.parametrize("language", ["es", "en"])
def test_failed_login_focuses_the_error_summary(page, transactional_db, language):
    UserFactory(email="ana@cliente.example", language=language)
    page.context.add_cookies(
        [{"name": "helpdesk_language", "value": language, "url": page.base_url}]
    )
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", "ana@cliente.example")
    page.fill("input[name=password]", "not-the-password")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    focused = _focused_summary(page)
    assert focused["summary"], focused
    assert focused["role"] == "alert", focused
    assert SUMMARY_TITLE[language] in focused["text"], focused


@pytest.mark.parametrize("language", ["es", "en"])
def test_empty_new_ticket_focuses_the_summary_and_ties_each_error(page, transactional_db, language):
    user = UserFactory(email="marta@cliente.example", language=language)
    ContractFactory(organization=user.organization, product=ProductFactory(name="Tienda"))
    log_in_as(page, user)
    page.goto(f"{page.base_url}/tickets/new/")
    page.get_by_test_id("ticket-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    focused = _focused_summary(page)
    assert focused["summary"], focused
    assert focused["role"] == "alert", focused
    assert SUMMARY_TITLE[language] in focused["text"], focused
    assert "#id_subject" in focused["links"], focused
    subject = page.locator("#id_subject")
    assert subject.get_attribute("aria-invalid") == "true"
    described = subject.get_attribute("aria-describedby")
    assert described
    assert page.locator(f"#{described.split()[-1]}").inner_text().strip()


def test_queue_filter_error_focuses_the_summary_and_its_link_reaches_the_field(
    page, transactional_db
):
    """A hand-written form (the queue's filters, partials/error_summary.html): the same
    summary takes the focus; its link, followed with the keyboard, puts the focus in the
    field, which says it is invalid."""
    from tests.accounts.factories import TechnicianFactory

    technician = TechnicianFactory(language="en")
    log_in_as(page, technician)
    page.goto(f"{page.base_url}/tickets/queue/?due_within_hours=-3")
    focused = _focused_summary(page)
    assert focused["summary"], focused
    assert focused["role"] == "alert", focused
    assert SUMMARY_TITLE["en"] in focused["text"], focused
    assert focused["links"] == ["#id_due_within_hours"], focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hash") == "#id_due_within_hours"
    page.keyboard.press("Enter")
    field = page.evaluate(
        "() => [document.activeElement.id, document.activeElement.getAttribute('aria-invalid')]"
    )
    assert field == ["id_due_within_hours", "true"]
