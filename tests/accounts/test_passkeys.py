"""Passkeys (WebAuthn): the ceremonies' guards, the audit, and bad input.

The assertions are real (tests/accounts/passkeys.py signs them with a P-256 key), so the
library's checks of challenge, origin, RP id, signature and counter run as in production.
"""

import json
import re
import time

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import passkey_views, security
from accounts.models import LoginEvent
from tests.accounts.factories import TechnicianFactory
from tests.accounts.mfa import SecondFactorClient, give_second_factor
from tests.accounts.passkeys import SoftAuthenticator, b64url, give_passkey, unb64url

UA = {"HTTP_USER_AGENT": "PasskeyTest/1.0"}
REG_BEGIN = "otp_webauthn:credential-registration-begin"
REG_COMPLETE = "otp_webauthn:credential-registration-complete"
AUTH_BEGIN = "otp_webauthn:credential-authentication-begin"
AUTH_COMPLETE = "otp_webauthn:credential-authentication-complete"


def _post_json(client, name, body=None, query=""):
    data = "" if body is None else (body if isinstance(body, str) else json.dumps(body))
    return client.post(reverse(name) + query, data, content_type="application/json", **UA)


def _register(client, authenticator):
    options = _post_json(client, REG_BEGIN).json()
    return _post_json(client, REG_COMPLETE, authenticator.register(options))


def _stale(client):
    session = client.session
    session[security.RECENT_AUTH_KEY] = int(time.time()) - 3600
    session.save()


# --- Registration -----------------------------------------------------------------------


def test_a_technician_registers_a_passkey_and_it_is_recorded(client, technician):
    client.force_login(technician)
    other = SecondFactorClient()
    other.force_login(technician)
    response = _register(client, SoftAuthenticator())
    assert response.status_code == 200, response.content
    device = WebAuthnCredential.objects.get(user=technician)
    assert response.json() == {"id": device.pk}
    event = LoginEvent.objects.get(user=technician, kind=LoginEvent.Kind.PASSKEY_ADDED)
    assert (event.ip_address, event.user_agent) == ("127.0.0.1", "PasskeyTest/1.0")
    # Adding a second factor ends the other sessions, as setting up a new app does.
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert other.get(reverse("accounts:profile")).status_code == 302
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="passkey-list"' in page
    assert device.name in page

    # Named right after (static/js/passkeys.js posts the name typed above the button).
    client.post(reverse("accounts:passkey_rename", args=[device.pk]), {"name": "  Portátil  "})
    device.refresh_from_db()
    assert device.name == "Portátil"


def test_registering_needs_a_recent_check(client, technician):
    client.force_login(technician)
    _stale(client)
    response = _post_json(client, REG_BEGIN)
    assert response.status_code == 403
    assert response.json()["detail"] == str(passkey_views.CONFIRM_FIRST)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "passkey-register-button" not in page
    assert reverse("accounts:reauthenticate") in page


def test_a_client_without_two_step_verification_cannot_register(client, client_user):
    client.force_login(client_user)
    response = _post_json(client, REG_BEGIN)
    assert response.status_code == 403
    assert response.json()["detail"] == str(passkey_views.NEEDS_FACTOR)
    assert 'id="passkeys"' not in client.get(reverse("accounts:profile")).content.decode()


def test_a_client_with_two_step_verification_registers(client, client_user):
    give_second_factor(client_user)
    client.force_login(client_user)
    assert _register(client, SoftAuthenticator()).status_code == 200
    assert WebAuthnCredential.objects.filter(user=client_user).count() == 1


def test_registration_refuses_replays_and_bad_bodies(client, technician):
    client.force_login(technician)
    authenticator = SoftAuthenticator()
    # Complete without begin: no challenge in the session.
    options = _post_json(client, REG_BEGIN).json()
    body = authenticator.register(options)
    for bad in ("not json", "[1, 2]", {"id": "x"}, {**body, "rawId": 5}):
        _post_json(client, REG_BEGIN)
        response = _post_json(client, REG_COMPLETE, bad)
        assert response.status_code == 400, (bad, response.status_code)
        assert response.json()["detail"] == str(passkey_views.NOT_REGISTERED)
    # The right answer to a challenge that was already spent (the last begin's is gone).
    response = _post_json(client, REG_COMPLETE, body)
    assert response.status_code == 400
    # Another origin (a phishing site relaying the ceremony).
    options = _post_json(client, REG_BEGIN).json()
    phished = SoftAuthenticator(origin="https://helpdesk.example.net").register(options)
    assert _post_json(client, REG_COMPLETE, phished).status_code == 400
    assert not WebAuthnCredential.objects.exists()
    assert not LoginEvent.objects.filter(kind=LoginEvent.Kind.PASSKEY_ADDED).exists()


def test_a_huge_body_is_refused(client, technician):
    client.force_login(technician)
    _post_json(client, REG_BEGIN)
    response = _post_json(client, REG_COMPLETE, {"id": "x" * 100_000})
    assert response.status_code == 413
    assert not WebAuthnCredential.objects.exists()


def test_registration_before_the_second_factor_goes_to_the_code_page(client, technician):
    client.force_login(technician, verified=False)
    response = _post_json(client, REG_BEGIN)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa_verify"))


# --- Authentication (login and step-up) ------------------------------------------------


def _passkey_login(client, authenticator, query=""):
    options = _post_json(client, AUTH_BEGIN).json()
    return _post_json(client, AUTH_COMPLETE, authenticator.sign(options), query)


def test_a_passkey_passes_the_second_factor_at_login(client, technician):
    authenticator = SoftAuthenticator()
    device = give_passkey(technician, authenticator=authenticator)
    client.force_login(technician, verified=False)
    assert client.get(reverse("tickets:queue")).url.startswith(reverse("accounts:mfa_verify"))
    page = client.get(reverse("accounts:mfa_verify")).content.decode()
    assert 'id="passkey-verification-placeholder"' in page
    response = _passkey_login(client, authenticator, "?next=/tickets/queue/")
    assert response.status_code == 200, response.content
    assert response.json() == {"id": device.pk, "redirect_url": "/tickets/queue/"}
    assert client.get(reverse("tickets:queue")).status_code == 200
    device.refresh_from_db()
    assert device.last_used_at is not None
    assert device.sign_count == 1
    event = LoginEvent.objects.get(user=technician, kind=LoginEvent.Kind.PASSKEY_USED)
    assert (event.ip_address, event.user_agent, event.detail) == (
        "127.0.0.1",
        "PasskeyTest/1.0",
        device.name,
    )


def test_an_outside_next_is_not_followed(client, technician):
    authenticator = SoftAuthenticator()
    give_passkey(technician, authenticator=authenticator)
    client.force_login(technician, verified=False)
    response = _passkey_login(client, authenticator, "?next=https://evil.example/")
    assert response.json()["redirect_url"] == reverse("dashboard")


def test_a_staff_user_with_only_a_passkey_is_asked_for_it_not_sent_to_set_up(client, db):
    tech = TechnicianFactory(second_factor=False)
    authenticator = SoftAuthenticator()
    give_passkey(tech, authenticator=authenticator)
    client.force_login(tech, verified=False)
    response = client.get(reverse("tickets:queue"))
    assert response.url.startswith(reverse("accounts:mfa_verify"))
    assert _passkey_login(client, authenticator).status_code == 200
    assert client.get(reverse("tickets:queue")).status_code == 200


def _assert_refused(client, user, response, device=None, sign_count=0):
    assert response.status_code in (400, 403, 404), response.status_code
    assert response.json()["detail"] == str(passkey_views.NOT_VERIFIED)
    assert client.session.get(security.VERIFIED_KEY) is not True
    assert LoginEvent.objects.filter(user=user, kind=LoginEvent.Kind.PASSKEY_FAILED).exists()
    assert not LoginEvent.objects.filter(user=user, kind=LoginEvent.Kind.PASSKEY_USED).exists()
    if device is not None:
        device.refresh_from_db()
        assert device.sign_count == sign_count
        assert device.last_used_at is None


def test_a_tampered_assertion_is_refused_and_changes_nothing(client, technician):
    authenticator = SoftAuthenticator()
    device = give_passkey(technician, authenticator=authenticator)
    client.force_login(technician, verified=False)
    options = _post_json(client, AUTH_BEGIN).json()
    body = authenticator.sign(options)
    signature = bytearray(unb64url(body["response"]["signature"]))
    signature[-1] ^= 1
    body["response"]["signature"] = b64url(bytes(signature))
    _assert_refused(client, technician, _post_json(client, AUTH_COMPLETE, body), device)
    assert client.get(reverse("tickets:queue")).status_code == 302


def test_another_users_passkey_is_refused_with_the_same_message(client, technician):
    mine = SoftAuthenticator()
    give_passkey(technician, authenticator=mine)
    theirs = SoftAuthenticator()
    their_device = give_passkey(TechnicianFactory(), authenticator=theirs)
    client.force_login(technician, verified=False)
    response = _passkey_login(client, theirs)
    _assert_refused(client, technician, response)
    their_device.refresh_from_db()
    assert their_device.sign_count == 0
    assert their_device.last_used_at is None
    # An unknown credential reads the same.
    _assert_refused(client, technician, _passkey_login(client, SoftAuthenticator()))


def test_a_replayed_challenge_is_refused(client, technician):
    authenticator = SoftAuthenticator()
    device = give_passkey(technician, authenticator=authenticator)
    client.force_login(technician, verified=False)
    options = _post_json(client, AUTH_BEGIN).json()
    body = authenticator.sign(options)
    assert _post_json(client, AUTH_COMPLETE, body).status_code == 200
    client = SecondFactorClient()  # another session, the same answer
    client.force_login(technician, verified=False)
    response = _post_json(client, AUTH_COMPLETE, body)
    _assert_refused_after_success(response)
    # A fresh challenge answered with the old signature: the challenge does not match.
    _post_json(client, AUTH_BEGIN)
    _assert_refused_after_success(_post_json(client, AUTH_COMPLETE, body))
    device.refresh_from_db()
    assert device.sign_count == 1
    assert client.get(reverse("tickets:queue")).status_code == 302


def _assert_refused_after_success(response):
    assert response.status_code == 400
    assert response.json()["detail"] == str(passkey_views.NOT_VERIFIED)


@pytest.mark.parametrize("body", ["", "{", "[]", '"x"', '{"id": 1}', '{"response": null}'])
def test_bad_assertion_bodies_never_give_a_500(client, technician, body):
    give_passkey(technician)
    client.force_login(technician, verified=False)
    _post_json(client, AUTH_BEGIN)
    response = client.post(reverse(AUTH_COMPLETE), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == str(passkey_views.NOT_VERIFIED)


def test_without_a_passkey_the_ceremony_does_not_begin(client, technician):
    client.force_login(technician, verified=False)
    response = _post_json(client, AUTH_BEGIN)
    assert response.status_code == 400
    assert response.json()["detail"] == str(passkey_views.NO_PASSKEY)
    assert "passkey-verification" not in client.get(reverse("accounts:mfa_verify")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    for name in (REG_BEGIN, REG_COMPLETE, AUTH_BEGIN, AUTH_COMPLETE):
        response = _post_json(client, name, {})
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_step_up_accepts_a_passkey(client, technician):
    authenticator = SoftAuthenticator()
    give_passkey(technician, authenticator=authenticator)
    client.force_login(technician)
    _stale(client)
    page = client.get(reverse("accounts:reauthenticate") + "?next=/accounts/profile/")
    assert 'id="passkey-verification-placeholder"' in page.content.decode()
    response = _passkey_login(client, authenticator, "?next=/accounts/profile/")
    assert response.json()["redirect_url"] == "/accounts/profile/"
    assert time.time() - client.session[security.RECENT_AUTH_KEY] < 5


# --- Removing, renaming, admin reset ----------------------------------------------------


def test_removing_a_passkey_needs_a_recent_check_and_ends_other_sessions(client, technician):
    device = give_passkey(technician, name="Llave azul")
    client.force_login(technician)
    other = SecondFactorClient()
    other.force_login(technician)
    _stale(client)
    url = reverse("accounts:passkey_remove", args=[device.pk])
    response = client.post(url)
    assert response.url.startswith(reverse("accounts:reauthenticate"))
    assert WebAuthnCredential.objects.filter(pk=device.pk).exists()

    client.force_login(technician)  # a fresh check
    response = client.post(url, **UA)
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=device.pk).exists()
    event = LoginEvent.objects.get(user=technician, kind=LoginEvent.Kind.PASSKEY_REMOVED)
    assert (event.detail, event.user_agent) == ("Llave azul", "PasskeyTest/1.0")
    assert other.get(reverse("accounts:profile")).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_another_users_passkey_cannot_be_renamed_or_removed(client, technician):
    theirs = give_passkey(TechnicianFactory(), name="Suya")
    client.force_login(technician)
    for name in ("accounts:passkey_rename", "accounts:passkey_remove"):
        assert client.post(reverse(name, args=[theirs.pk]), {"name": "Mía"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Suya"


def test_staff_keep_at_least_one_second_factor(client, db):
    tech = TechnicianFactory(second_factor=False)
    device = give_passkey(tech)
    client.force_login(tech)  # the test login gives staff an app: take it away again
    TOTPDevice.objects.filter(user=tech).delete()
    response = client.post(reverse("accounts:passkey_remove", args=[device.pk]), follow=True)
    assert WebAuthnCredential.objects.filter(pk=device.pk).exists()
    page = response.content.decode()
    assert "único segundo factor" in page or "only second factor" in page


@pytest.mark.parametrize("name", ["", "   ", "x" * 65])
def test_a_bad_name_is_refused_with_a_message(client, technician, name):
    device = give_passkey(technician, name="Antes")
    client.force_login(technician)
    response = client.post(
        reverse("accounts:passkey_rename", args=[device.pk]), {"name": name}, follow=True
    )
    assert response.status_code == 200
    assert re.search(r"alert-danger|alert-error", response.content.decode())
    device.refresh_from_db()
    assert device.name == "Antes"


def test_an_admin_reset_also_removes_the_passkeys(client, admin_user):
    tech = TechnicianFactory()
    give_passkey(tech, name="Llave")
    client.force_login(admin_user)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [tech.pk]},
    )
    assert not WebAuthnCredential.objects.filter(user=tech).exists()
    assert not security.has_second_factor(tech)
    event = LoginEvent.objects.get(user=tech, kind=LoginEvent.Kind.PASSKEY_REMOVED)
    assert (event.by, event.detail) == (admin_user, "Llave")


def test_an_admin_deleting_a_passkey_in_admin_is_recorded(client, admin_user):
    tech = TechnicianFactory()
    device = give_passkey(tech, name="Llave admin")
    client.force_login(admin_user)
    url = reverse("admin:django_otp_webauthn_webauthncredential_changelist")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=device.pk).exists()
    event = LoginEvent.objects.get(user=tech, kind=LoginEvent.Kind.PASSKEY_REMOVED)
    assert (event.by, event.detail) == (admin_user, "Llave admin")
    tech.refresh_from_db()
    assert tech.session_epoch == 1


def test_a_client_turning_two_step_verification_off_loses_the_passkeys(client, client_user):
    give_second_factor(client_user)
    give_passkey(client_user)
    client.force_login(client_user)
    client.post(reverse("accounts:mfa_disable"))
    assert not WebAuthnCredential.objects.filter(user=client_user).exists()


# --- The script under the CSP, the relying party ---------------------------------------


@pytest.mark.parametrize(
    ("page", "script"),
    [("accounts:profile", "register"), ("accounts:mfa_verify", "auth")],
)
def test_the_library_script_is_served_from_static_under_the_strict_csp(
    client, technician, page, script
):
    give_passkey(technician)
    client.force_login(technician, verified=page != "accounts:mfa_verify")
    response = client.get(reverse(page))
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1).split()
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src
    # No 'unsafe-inline': an inline script would need this response's nonce.
    nonces = [s for s in script_src if s.startswith("'nonce-")]
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert any(f"django_otp_webauthn/otp_webauthn_{script}.js" in s for s in scripts)
    # Every script is a file of this site, or the JSON config (data, never run).
    for attrs in scripts:
        assert (
            'src="/' in attrs
            or 'type="application/json"' in attrs
            or any(f'nonce="{n[7:-1]}"' in attrs for n in nonces)
        ), attrs
    assert finders.find("django_otp_webauthn/otp_webauthn_register.js")
    assert finders.find("django_otp_webauthn/otp_webauthn_auth.js")
    assert finders.find("js/passkeys.js")
    catalog = client.get(reverse("otp_webauthn:js-i18n-catalog"))
    assert catalog.status_code == 200
    assert "javascript" in catalog.headers["Content-Type"]


def test_the_relying_party_comes_from_site_url(settings):
    from accounts import passkeys

    settings.WEBAUTHN_RP_ID, settings.WEBAUTHN_ORIGINS = "", []
    settings.SITE_URL = "https://soporte.example.com"
    assert passkeys.rp_id() == "soporte.example.com"
    assert passkeys.allowed_origins() == ["https://soporte.example.com"]
    settings.SITE_URL = "http://127.0.0.1:8000"  # an IP is no RP id
    assert (passkeys.rp_id(), passkeys.allowed_origins()) == (
        "localhost",
        ["http://localhost:8000"],
    )
    settings.WEBAUTHN_RP_ID, settings.WEBAUTHN_ORIGINS = "example.com", ["https://a.example.com"]
    assert (passkeys.rp_id(), passkeys.allowed_origins()) == (
        "example.com",
        ["https://a.example.com"],
    )


def test_spanish_users_read_the_refusal_in_spanish(client, technician):
    technician.language = "es"
    technician.save()
    give_passkey(technician)
    client.force_login(technician, verified=False)
    _post_json(client, AUTH_BEGIN)
    response = _post_json(client, AUTH_COMPLETE, {"id": 1})
    assert "No se ha podido verificar" in response.json()["detail"]


def test_users_are_listed_with_their_dates(client, technician):
    give_passkey(technician, name="Llave verde")
    client.force_login(technician)
    html = client.get(reverse("accounts:profile")).content.decode()
    row = re.search(r'<tr data-passkey="\d+">(.*?)</tr>', html, re.S).group(1)
    assert "Llave verde" in row
    assert "Never" in row or "Nunca" in row
