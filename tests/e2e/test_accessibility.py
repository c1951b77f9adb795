"""Issue 21: axe-core (bundled by axe-playwright-python) in Chromium on every page of the
URL walk (tests/authz.py, the same list the authorization walk uses, so a new page is
checked here too), for each role, in Spanish and English, and three client pages on a
390x844 phone. Any violation of a WCAG 2.0/2.1/2.2 A or AA rule fails.

One browser for the whole file and one page per role and language, reused page after page;
GET only (a POST-only URL answers 405 and is skipped, as are files: PDF, CSV, images).
"""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import reverse

from tests.accounts.factories import AdminFactory, TechnicianFactory
from tests.accounts.mfa import SecondFactorClient
from tests.authz import Access, Victim, collect_cases, url_names

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
LANGUAGES = ("es", "en")
PHONE = {"width": 390, "height": 844}
PHONE_PAGES = ("dashboard", "tickets:create", "billing:buy")

# Which cases of the walk each role opens: anonymous visitors the public pages, a client
# their own pages and objects, staff their own, the objects and the staff pages.
ROLE_ACCESS = {
    "anonymous": {Access.PUBLIC},
    "client": {Access.OWN, Access.OBJECT},
    "technician": {Access.OWN, Access.OBJECT, Access.STAFF},
    "admin": {Access.OWN, Access.OBJECT, Access.STAFF},
}
# GETs that would end the session the rest of the walk needs (each has its own tests).
NOT_OPENED = {"accounts:logout", "accounts:logout_other_sessions"}
# Machine endpoints that payment and mail providers call: no page for a person.
NOT_OPENED |= {"billing:payment_callback", "billing:provider_webhook", "mailchannel:inbound"}

AXE = Axe()


def _violations(page) -> list[str]:
    page.evaluate(AXE.axe_script)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    found = []
    for violation in results["violations"]:
        if not set(violation["tags"]) & set(WCAG_TAGS):
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def _pages(role: str, victim: Victim) -> list[tuple[str, str]]:
    cases = collect_cases()
    pages = []
    for name in url_names():
        case = cases.get(name)
        if case is None or case.access not in ROLE_ACCESS[role] or name in NOT_OPENED:
            continue
        pages.append((name, reverse(name, kwargs=case.kwargs(victim))))
    return pages


def _person(role: str, victim: Victim):
    if role == "client":
        return victim.user
    if role == "technician":
        return TechnicianFactory(full_name="Lucía Técnica")
    if role == "admin":
        return AdminFactory(full_name="Admin Uno")
    return None


def _context(browser, live_server, user, language: str, viewport=None, **options):
    """A browser context logged in as ``user`` (second factor passed), in ``language``;
    ``options`` go to ``new_context`` (device_scale_factor)."""
    context = browser.new_context(
        locale=f"{language}-ES", viewport=viewport or {"width": 1280, "height": 800}, **options
    )
    host = live_server.url.split("//", 1)[1].split(":")[0]
    cookies = [
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"}
    ]
    if user is not None:
        user.language = language
        user.save(update_fields=["language"])
        django_client = SecondFactorClient()
        django_client.force_login(user)
        session = django_client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}
        )
    context.add_cookies(cookies)
    return context


def _is_page(page, url: str) -> bool:
    """Whether ``url`` is a page to open, asked first without the page (with the page's
    cookies): POST-only URLs (405), files (PDF, CSV, images) and htmx fragments are not."""
    head = page.request.get(url, max_redirects=0)
    if head.status == 405 or (
        head.status == 200 and "text/html" not in head.headers.get("content-type", "")
    ):
        return False
    # An htmx fragment (kb:suggest) is checked inside the page that loads it.
    return not (head.status == 200 and "<html" not in head.text()[:2000].lower())


def _walk(page, base_url: str, pages, label: str, seen: set) -> tuple[dict, int]:
    failures, checked = {}, 0
    for name, path in pages:
        if not _is_page(page, base_url + path):
            continue
        page.goto(base_url + path)
        final = page.url.split("#")[0]
        if final in seen:  # a redirect to a page already checked
            continue
        seen.add(final)
        checked += 1
        found = _violations(page)
        if found:
            failures[f"{label} {name} ({final.removeprefix(base_url)})"] = found
    return failures, checked


@pytest.mark.parametrize("role", list(ROLE_ACCESS))
def test_every_page_of_the_walk_passes_axe(browser, live_server, victim, role):
    started = time.monotonic()
    user = _person(role, victim)
    pages = _pages(role, victim)
    failures, checked = {}, 0
    for language in LANGUAGES:
        context = _context(browser, live_server, user, language)
        page = context.new_page()
        page.set_default_timeout(15_000)
        found, count = _walk(page, live_server.url, pages, f"{role}/{language}", set())
        # The session must have lasted the whole walk (no page logged the user out).
        if user is not None:
            page.goto(live_server.url + reverse("accounts:profile"))
            assert reverse("accounts:login") not in page.url, f"{role}/{language} logged out"
        context.close()
        failures.update(found)
        checked += count
    print(f"axe {role}: {checked} pages in {time.monotonic() - started:.1f} s")  # noqa: T201
    assert checked >= len(LANGUAGES) * 3, f"{role}: only {checked} pages were checked"
    assert not failures, "\n".join(f"{where}: {what}" for where, what in failures.items())


def test_client_pages_on_a_phone_pass_axe(browser, live_server, victim):
    pages = [(name, reverse(name)) for name in PHONE_PAGES]
    failures = {}
    for language in LANGUAGES:
        context = _context(browser, live_server, victim.user, language, viewport=PHONE)
        page = context.new_page()
        found, checked = _walk(page, live_server.url, pages, f"phone/{language}", set())
        context.close()
        assert checked == len(PHONE_PAGES), f"phone/{language}: {checked} pages checked"
        failures.update(found)
    assert not failures, "\n".join(f"{where}: {what}" for where, what in failures.items())
