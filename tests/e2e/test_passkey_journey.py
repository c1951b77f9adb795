"""A technician with an authenticator app adds a passkey on the profile, logs out, and
logs in again with the password and the passkey instead of a code. Chromium's own
WebAuthn virtual authenticator (DevTools Protocol) plays the phone or security key;
django-otp-webauthn's script runs as served from static/ under the site's CSP."""

from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import LoginEvent
from tests.accounts.factories import PASSWORD, TechnicianFactory
from tests.e2e.conftest import login, screenshot


def test_a_technician_adds_a_passkey_and_logs_in_with_it(page, transactional_db, settings):
    # The relying party is SITE_URL's host: the live server's "localhost" (no IP can be
    # an RP id), a secure context over plain http.
    settings.SITE_URL = page.base_url
    assert "//localhost:" in page.base_url
    tech = TechnicianFactory(full_name="Técnica Llave")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    login(page, tech.email, PASSWORD)  # password and TOTP code
    page.goto(f"{page.base_url}/accounts/profile/")
    page.fill("#new-passkey-name", "Portátil de pruebas")
    page.click("#passkey-register-button")
    page.wait_for_selector("#passkey-list")
    assert page.locator("#passkey-list input[name=name]").input_value() == "Portátil de pruebas"
    assert page.locator(".alert-success").first.is_visible()
    device = WebAuthnCredential.objects.get(user=tech)
    assert device.name == "Portátil de pruebas"
    assert (
        len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"])
        == 1
    )
    screenshot(page, "passkey-profile")

    page.eval_on_selector("form[action='/accounts/logout/']", "form => form.submit()")
    page.wait_for_url("**/accounts/login/**")
    page.goto(f"{page.base_url}/accounts/login/?next=/tickets/queue/")
    page.fill("input[name=username]", tech.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(_path("/accounts/2fa/verify/"))
    page.wait_for_selector("#passkey-verification-button")
    screenshot(page, "passkey-verify")
    page.click("#passkey-verification-button")
    page.wait_for_url(_path("/tickets/queue/"))
    screenshot(page, "passkey-queue")

    # Step-up: ten minutes later, the profile asks to confirm; the passkey does it.
    _age_recent_check(page)
    page.goto(f"{page.base_url}/accounts/profile/")
    assert page.locator("#passkey-register-button").count() == 0
    page.click("#passkeys a[href^='/accounts/confirm/']")
    page.wait_for_url(_path("/accounts/confirm/"))
    page.click("#passkey-verification-button")
    page.wait_for_url(_path("/accounts/profile/"))
    page.wait_for_selector("#passkey-register-button")

    device.refresh_from_db()
    assert device.last_used_at is not None
    kinds = set(LoginEvent.objects.filter(user=tech).values_list("kind", flat=True))
    assert {LoginEvent.Kind.PASSKEY_ADDED, LoginEvent.Kind.PASSKEY_USED} <= kinds
    assert LoginEvent.objects.filter(user=tech, kind=LoginEvent.Kind.PASSKEY_USED).count() == 2
    assert not violations, violations


def _age_recent_check(page) -> None:
    """Make the browser session's last second-factor check an hour old."""
    import time

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from accounts import security

    key = next(
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    session = SessionStore(session_key=key)
    session[security.RECENT_AUTH_KEY] = int(time.time()) - 3600
    session.save()


def _path(path: str):
    """Wait on the page's own path: a glob like **/tickets/queue/ would also match the
    code page's ?next=/tickets/queue/ before the passkey has done anything."""
    from urllib.parse import urlsplit

    return lambda url: urlsplit(url).path == path
