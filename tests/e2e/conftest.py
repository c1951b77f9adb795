"""Browser journeys: Playwright for Python driving Debian's chromium (never a downloaded one).

Screenshots go to var/screenshots/; on a failure the page is saved there too.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.reference_data import restore_reference_data

# Playwright's sync API runs an event loop in this thread; the ORM calls that the tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        reason = f"no chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI must run the browser journeys, never skip them
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture
def page(browser, request, live_server):
    """A browser page on the live server, with the migrations' reference data in place
    (browser tests are transactional: an earlier one may have emptied the tables)."""
    restore_reference_data()
    context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def victim(transactional_db):
    """The organization of the URL walk (tests/authz.py) with every app's objects, for the
    walks of pages (axe, reflow)."""
    from tests.accounts.factories import OrganizationFactory, UserFactory
    from tests.authz import Victim, build_victim

    restore_reference_data()
    organization = OrganizationFactory(name=f"{Victim.MARKER} S.L.", tax_id="B99999999")
    user = UserFactory(organization=organization, full_name=f"{Victim.MARKER} Persona")
    return build_victim(Victim(organization=organization, user=user))


def screenshot(page, name: str) -> Path:
    """Save a screenshot of the current page under var/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, email: str, password: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/2fa/verify/" in page.url:
        # Staff pass their second factor (tests/accounts/mfa.py gives them a known key).
        page.fill("input[name=code]", next_totp_code(email))
        page.click("#second-factor-form button[type=submit]")
        page.wait_for_load_state()


def log_in_as(page, user) -> None:
    """Give the browser a session of ``user``, second factor passed, without the login form
    (for tests about a page, not about logging in)."""
    from tests.accounts.mfa import SecondFactorClient

    django_client = SecondFactorClient()
    django_client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": django_client.cookies["sessionid"].value,
                "url": page.base_url,
            }
        ]
    )


def next_totp_code(email: str) -> str:
    """The code the user's authenticator app accepts next: django-otp refuses a time
    step already used, so a second login within 30 seconds takes the next step."""
    import base64
    import time

    import pyotp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email__iexact=email, confirmed=True)
    step = max(int(time.time()) // device.step, device.last_t + 1)
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode()).at(step * device.step)
