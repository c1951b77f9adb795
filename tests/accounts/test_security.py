"""Second factor, lockout, audit, sessions, step-up and headers (accounts.security)."""

import re
import time

import pyotp
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security
from accounts.models import LoginEvent
from tests.accounts.factories import PASSWORD, AdminFactory, TechnicianFactory, UserFactory
from tests.accounts.mfa import TEST_TOTP_KEY, SecondFactorClient, totp_now

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def _setup_secret(page: str) -> str:
    return re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page).group(1)


def test_new_technician_is_sent_to_set_up_totp_and_then_logs_in_with_a_code(client):
    tech = TechnicianFactory(second_factor=False)
    response = _login(client, tech.email)
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa_setup"))
    page = client.get(response.url).content.decode()
    assert "data:image/svg+xml;base64," in page  # the QR code
    secret = _setup_secret(page)
    response = client.post(reverse("accounts:mfa_setup"), {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(
        r"<li class=\"col\">([0-9a-f]{5}-[0-9a-f]{5})</li>", response.content.decode()
    )
    assert len(codes) == 10
    assert not any(
        c in str(list(tech.recovery_codes.values_list("code_hash", flat=True))) for c in codes
    )
    assert client.get(reverse("dashboard")).status_code == 200
    assert LoginEvent.objects.filter(user=tech, kind=LoginEvent.Kind.SECOND_FACTOR_ENABLED).exists()

    client.post(reverse("accounts:logout"))
    response = _login(client, tech.email)
    assert client.get(reverse("dashboard")).url.startswith(reverse("accounts:mfa_verify"))
    # The code just used for the set-up is refused (replay); the next step's works.
    device = TOTPDevice.objects.get(user=tech)
    replay = client.post(reverse("accounts:mfa_verify"), {"code": pyotp.TOTP(secret).now()})
    if device.last_t >= int(time.time()) // 30:
        assert "ya fue usado" in replay.content.decode()
    next_code = pyotp.TOTP(secret).at((device.last_t + 1) * 30)
    with time_machine.travel(time.time() + 2):  # past django-otp's 1-second throttle
        response = client.post(reverse("accounts:mfa_verify"), {"code": next_code})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_wrong_code_gets_a_clear_message_and_no_access(client):
    tech = TechnicianFactory()
    client.force_login(tech, verified=False)
    wrong = "000000" if totp_now() != "000000" else "111111"
    response = client.post(reverse("accounts:mfa_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "ya fue usado" in response.content.decode()  # Spanish: wrong, expired or already used
    assert client.get(reverse("dashboard")).status_code == 302
    assert LoginEvent.objects.filter(user=tech, kind=LoginEvent.Kind.SECOND_FACTOR_FAILED).exists()


def test_an_expired_code_is_refused(client):
    tech = TechnicianFactory()
    client.force_login(tech, verified=False)
    old = pyotp.TOTP(TEST_TOTP_KEY).at(time.time() - 10 * 60)
    response = client.post(reverse("accounts:mfa_verify"), {"code": old})
    assert response.status_code == 200
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_recovery_code_works_once(client):
    tech = TechnicianFactory()
    codes = security.new_recovery_codes(tech)
    client.force_login(tech, verified=False)
    response = client.post(reverse("accounts:mfa_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert (
        LoginEvent.objects.filter(user=tech, kind=LoginEvent.Kind.RECOVERY_CODE_USED).count() == 1
    )

    other = SecondFactorClient()
    other.force_login(tech, verified=False)
    response = other.post(reverse("accounts:mfa_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert "ya se ha usado" in response.content.decode()
    assert other.get(reverse("dashboard")).status_code == 302
    assert security.unused_recovery_codes(tech) == 9


def test_the_sixth_wrong_password_locks_and_then_the_right_one_is_refused(client, settings):
    tech = TechnicianFactory()
    for _ in range(5):
        assert _login(client, tech.email, "wrong-password").status_code == 200
    assert _login(client, tech.email, PASSWORD).status_code == 302  # 5 failures: still in
    client.post(reverse("accounts:logout"))
    for _ in range(6):
        response = _login(client, tech.email, "wrong-password")
    assert response.status_code == 429
    locked = _login(client, tech.email, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.LOCKED_OUT, email=tech.email).exists()
    # Another IP is not locked out of the same account.
    assert _login(Client(), tech.email, PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_a_lockout_reads_the_same_whether_or_not_the_address_exists(client):
    tech = TechnicianFactory()
    pages = []
    for email in (tech.email, "nobody@nowhere.example"):
        for _ in range(6):
            response = _login(Client(), email, "wrong-password")
        page = re.sub(r'value="[^"]{64}"', "", response.content.decode())  # CSRF token
        pages.append((response.status_code, page.replace(email, "EMAIL")))
    assert pages[0][0] == pages[1][0] == 429
    assert pages[0][1] == pages[1][1]


def test_the_lock_ends_after_the_cooling_off_time(client, settings):
    tech = TechnicianFactory()
    for _ in range(6):
        _login(client, tech.email, "wrong-password")
    with time_machine.travel(time.time() + 16 * 60, tick=False):
        assert _login(client, tech.email, PASSWORD).status_code == 302


def test_the_admin_login_needs_the_second_factor(client):
    admin = AdminFactory()
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    _login(client, admin.email)
    response = client.get(reverse("admin:index"))
    assert response.url.startswith(reverse("accounts:mfa_verify"))
    client.post(reverse("accounts:mfa_verify"), {"code": totp_now()})
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_stale_staff_session_is_refused(client, settings):
    tech = TechnicianFactory()
    client.force_login(tech)
    assert client.get(reverse("dashboard")).status_code == 200
    with time_machine.travel(time.time() + 31 * 60, tick=False):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.filter(user=tech, kind=LoginEvent.Kind.SESSION_EXPIRED).exists()


def test_a_staff_session_ends_after_twelve_hours_even_when_used(client):
    tech = TechnicianFactory()
    client.force_login(tech)
    start = time.time()
    for minutes in range(25, 12 * 60, 25):
        with time_machine.travel(start + minutes * 60, tick=False):
            client.get(reverse("accounts:profile"))
    with time_machine.travel(start + 12 * 3600 + 60, tick=False):
        response = client.get(reverse("dashboard"))
    assert response.url.startswith(reverse("accounts:login"))


def test_a_client_session_survives_an_idle_hour(client, client_user):
    client.force_login(client_user)
    with time_machine.travel(time.time() + 3600, tick=False):
        assert client.get(reverse("dashboard")).status_code == 200


def test_log_out_my_other_sessions(client, client_user):
    other = SecondFactorClient()
    other.force_login(client_user)
    client.force_login(client_user)
    response = client.post(reverse("accounts:logout_other_sessions"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert other.get(reverse("dashboard")).status_code == 302


def test_changing_the_password_ends_the_other_sessions(client, client_user):
    other = SecondFactorClient()
    other.force_login(client_user)
    client.force_login(client_user)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-Secret-99",
            "new_password2": "a-new-Secret-99",
        },
    )
    assert client.get(reverse("dashboard")).status_code == 200
    assert other.get(reverse("dashboard")).status_code == 302
    assert LoginEvent.objects.filter(
        user=client_user, kind=LoginEvent.Kind.PASSWORD_CHANGED
    ).exists()


def test_setting_up_a_new_device_ends_the_other_sessions(client):
    tech = TechnicianFactory()
    other = SecondFactorClient()
    other.force_login(tech)
    client.force_login(tech)
    page = client.get(reverse("accounts:mfa_setup")).content.decode()
    client.post(reverse("accounts:mfa_setup"), {"code": pyotp.TOTP(_setup_secret(page)).now()})
    assert client.get(reverse("dashboard")).status_code == 200
    assert other.get(reverse("dashboard")).status_code == 302


def test_an_admin_resets_a_lost_device_and_it_is_recorded(client, admin_user):
    tech = TechnicianFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [tech.pk]},
    )
    assert response.status_code == 302
    assert not security.has_second_factor(tech)
    event = LoginEvent.objects.get(user=tech, kind=LoginEvent.Kind.SECOND_FACTOR_RESET)
    assert event.by == admin_user


def test_a_client_may_turn_the_second_factor_on_in_the_profile(client, client_user):
    client.force_login(client_user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:mfa_setup") in page
    setup = client.get(reverse("accounts:mfa_setup")).content.decode()
    client.post(reverse("accounts:mfa_setup"), {"code": pyotp.TOTP(_setup_secret(setup)).now()})
    assert security.has_second_factor(client_user)
    fresh = SecondFactorClient()
    _login(fresh, client_user.email)
    assert fresh.get(reverse("dashboard")).url.startswith(reverse("accounts:mfa_verify"))


def test_the_profile_lists_my_recent_logins(client, client_user):
    _login(client, client_user.email, HTTP_USER_AGENT="Firefox de prueba")
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Firefox de prueba" in page
    assert "127.0.0.1" in page


def test_failed_logins_are_recorded_without_telling_who_exists(client):
    response = _login(client, "nobody@nowhere.example", "x")
    assert response.status_code == 200
    assert LoginEvent.objects.filter(
        kind=LoginEvent.Kind.LOGIN_FAILED, email="nobody@nowhere.example"
    ).exists()


def test_step_up_asks_for_a_fresh_code_after_ten_minutes(rf, client):
    tech = TechnicianFactory()
    client.force_login(tech)

    @security.recent_auth_required
    def view(request):
        from django.http import HttpResponse

        return HttpResponse("revealed")

    request = rf.get("/secret/")
    request.user = tech
    request.session = client.session
    assert view(request).status_code == 200
    with time_machine.travel(time.time() + 11 * 60, tick=False):
        response = view(request)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:reauthenticate"))


def test_reauthenticate_with_a_code_or_with_the_password(client, client_user):
    tech = TechnicianFactory()
    client.force_login(tech)
    session = client.session
    session[security.RECENT_AUTH_KEY] = int(time.time()) - 3600
    session.save()
    page = client.get(reverse("accounts:reauthenticate") + "?next=/accounts/profile/")
    assert 'name="code"' in page.content.decode()
    device = TOTPDevice.objects.get(user=tech)
    code = pyotp.TOTP(TEST_TOTP_KEY).at((max(device.last_t + 1, int(time.time()) // 30)) * 30)
    response = client.post(
        reverse("accounts:reauthenticate"), {"code": code, "next": "/accounts/profile/"}
    )
    assert response.url == "/accounts/profile/"
    assert security.RECENT_AUTH_KEY in client.session

    plain = SecondFactorClient()
    plain.force_login(client_user)
    assert 'name="password"' in plain.get(reverse("accounts:reauthenticate")).content.decode()
    wrong = plain.post(reverse("accounts:reauthenticate"), {"password": "nope"})
    assert wrong.status_code == 200
    ok = plain.post(
        reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": "https://evil.example/"}
    )
    assert ok.url == reverse("dashboard")


def test_headers_carry_a_strict_csp_and_a_permissions_policy(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]


def test_csp_report_only_mode(client, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    del settings.CONTENT_SECURITY_POLICY
    response = client.get(reverse("accounts:login"))
    assert "Content-Security-Policy" not in response
    assert "default-src 'self'" in response["Content-Security-Policy-Report-Only"]


def test_has_second_factor():
    assert security.has_second_factor(TechnicianFactory())
    assert not security.has_second_factor(TechnicianFactory(second_factor=False))
    assert not security.has_second_factor(UserFactory())
