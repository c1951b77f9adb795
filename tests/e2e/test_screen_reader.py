"""Issue 21, what a screen reader is given (WCAG 3.3.1, 4.1.2, 4.1.3, 3.1.1), read from
Chromium's accessibility tree (Playwright's aria snapshot, the tree assistive technology
gets, and the accessible descriptions it computes), in Spanish and English:

- after a failed login and after sending an empty new-ticket form, the page's ``lang`` is
  the language of the page, and its words (the summary's title, Django's messages) are in
  that language;
- every error is in one alert (the error summary) and only once: nothing else on the page
  is an alert, a status or a log that repeats it, and the summary lists each error once;
- each field in error is marked invalid and its accessible description is its own message
  (aria-describedby), which is not in a live region: read when the field is reached, not
  announced a second time with the summary.

Not a real screen reader: how NVDA, JAWS or VoiceOver speak this tree is not tested.
"""

import re

import pytest
import yaml
from django import forms
from django.utils import translation
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.e2e.conftest import log_in_as
from tests.e2e.test_error_summary import SUMMARY_TITLE
from tests.tickets.factories import ContractFactory, ProductFactory

LIVE_ROLES = {"alert", "status", "log", "alertdialog", "marquee", "timer"}
# What a live region is in the DOM (the tree lists roles; aria-live on a plain element has none).
LIVE = "[role=alert],[role=status],[role=log],[role=alertdialog],[aria-live]:not([aria-live=off])"
IN_LIVE_REGION = f"el => !!(el.closest('{LIVE}') || el.querySelector('{LIVE}'))"


def _walk(items, path=()):
    """(ancestors' roles, text) for every name and text of an aria snapshot (its YAML)."""
    for item in items or ():
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, dict):
            for key, value in item.items():
                yield path, key
                role = key.split(" ", 1)[0].split(":", 1)[0]
                if isinstance(value, list):
                    yield from _walk(value, (*path, role))
                elif value is not None:
                    yield (*path, role), str(value)


def _tree(page) -> list[tuple[tuple, str]]:
    return list(_walk(yaml.safe_load(page.locator("body").aria_snapshot())))


def _roles(tree, role: str) -> int:
    return sum(1 for _, text in tree if text.split(" ", 1)[0].split(":", 1)[0] == role)


def _heard(tree, text: str) -> tuple[int, int]:
    """How many times ``text`` is in the tree: inside live regions, and in all."""
    live = sum(t.count(text) for path, t in tree if LIVE_ROLES & set(path))
    return live, sum(t.count(text) for _, t in tree)


def _live_regions_with(page, text: str) -> int:
    """Live regions of the DOM (those without a role too: aria-live) that hold ``text``."""
    return page.evaluate(
        f"text => [...document.querySelectorAll('{LIVE}')]"
        ".filter(el => el.textContent.includes(text)).length",
        text,
    )


def _language(page, language: str) -> None:
    page.context.add_cookies(
        [{"name": "helpdesk_language", "value": language, "url": page.base_url}]
    )


def _summary(page, tree, language: str) -> None:
    """One alert on the page, the error summary, in the page's language."""
    assert page.locator("html").get_attribute("lang") == language
    assert _roles(tree, "alert") == 1, tree
    assert sum(_roles(tree, role) for role in LIVE_ROLES) == 1, "another live region"
    alert = page.get_by_role("alert")
    assert alert.evaluate("el => el.closest('[lang]').lang") == language
    assert _heard(tree, SUMMARY_TITLE[language]) == (1, 1)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_failed_login_is_heard_once_in_the_pages_language(page, transactional_db, language):
    from accounts.forms import LoginForm

    UserFactory(email="ana@cliente.example", language=language)
    _language(page, language)
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", "ana@cliente.example")
    page.fill("input[name=password]", "not-the-password")
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    tree = _tree(page)
    _summary(page, tree, language)
    with translation.override(language):
        form = LoginForm()
        message = str(form.error_messages["invalid_login"]) % {
            "username": form.username_field.verbose_name
        }
    # In the alert, once; nowhere else (a login error belongs to no field).
    assert _heard(tree, message) == (1, 1), (message, tree)
    assert _live_regions_with(page, message) == 1
    assert page.locator("[aria-invalid=true]").count() == 0


@pytest.mark.parametrize("language", ["es", "en"])
def test_empty_new_ticket_errors_are_heard_once_and_tied_to_their_fields(
    page, transactional_db, language
):
    user = UserFactory(email="marta@cliente.example", language=language)
    ContractFactory(organization=user.organization, product=ProductFactory(name="Tienda"))
    _language(page, language)
    log_in_as(page, user)
    page.goto(f"{page.base_url}/tickets/new/")
    page.get_by_test_id("ticket-form").locator("button[type=submit]").click()
    page.wait_for_load_state()

    tree = _tree(page)
    _summary(page, tree, language)
    with translation.override(language):
        required = str(forms.Field.default_error_messages["required"])
    # The summary: one link per field in error, «Label: message», each once in the tree.
    links = page.get_by_role("alert").get_by_role("link")
    assert links.count() == 3, links.all_inner_texts()
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() == links.count()
    for link in links.all():
        text = link.inner_text().strip()
        label, message = text.rsplit(": ", 1)
        assert message == required, text
        assert _heard(tree, text) == (1, 1), text
        assert _live_regions_with(page, text) == 1, text
        # The field it leads to: invalid, named by its label, described by its message.
        field = page.locator(link.get_attribute("href"))
        assert field.get_attribute("aria-invalid") == "true"
        assert field.evaluate("el => el.labels[0].innerText").startswith(label)
        described = (field.get_attribute("aria-describedby") or "").split()
        messages = [page.locator(f"#{id_}") for id_ in described]
        own = [m for m in messages if m.inner_text().strip() == message]
        assert len(own) == 1, (text, described)
        # Read with the field, not announced: the message is in no live region.
        assert not own[0].evaluate(IN_LIVE_REGION), text
        # What the browser gives assistive technology as the field's description.
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    # Each field's own message is outside every live region: the alert holds the summary's
    # three «Label: message» lines, no bare «message».
    live_bare = sum(1 for path, t in tree if LIVE_ROLES & set(path) and t.strip() == required)
    assert live_bare == 0
    assert _heard(tree, required)[0] == 3
