import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.factories import PASSWORD


@pytest.mark.django_db
def test_login_with_email_lands_on_the_dashboard(client, client_user):
    response = client.post(
        reverse("accounts:login"), {"username": client_user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    page = client.get(reverse("dashboard"))
    assert "Cliente Uno S.L." in page.content.decode()


@pytest.mark.django_db
def test_wrong_password_shows_an_error_in_spanish(client, client_user):
    response = client.post(
        reverse("accounts:login"), {"username": client_user.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "y clave correctos" in response.content.decode()


@pytest.mark.django_db
def test_logout_needs_post_and_ends_the_session(client_client):
    response = client_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client_client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_profile_language_switches_the_interface(client_client, client_user):
    assert 'lang="es"' in client_client.get(reverse("dashboard")).content.decode()
    response = client_client.post(
        reverse("accounts:profile"), {"full_name": "Ana", "phone": "", "language": "en"}
    )
    assert response.status_code == 302
    page = client_client.get(reverse("dashboard")).content.decode()
    assert 'lang="en"' in page
    assert "Hello, Ana" in page


@pytest.mark.django_db
def test_profile_with_a_bad_language_shows_the_error(client_client, client_user):
    response = client_client.post(
        reverse("accounts:profile"), {"full_name": "Ana", "phone": "", "language": "xx"}
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    client_user.refresh_from_db()
    assert client_user.language == "es"


@pytest.mark.django_db
def test_language_switcher_saves_the_choice_of_a_logged_in_user(client_client, client_user):
    response = client_client.post(
        reverse("accounts:set_language"), {"language": "en", "next": "/dashboard/"}
    )
    assert response.status_code == 302
    client_user.refresh_from_db()
    assert client_user.language == "en"


@pytest.mark.django_db
def test_language_switcher_works_for_visitors(client):
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Log in" in page


@pytest.mark.django_db
def test_client_edits_billing_details(client_client, organization):
    response = client_client.post(
        reverse("accounts:organization"),
        {
            "tax_id": "B11111111",
            "email": "pagos@uno.example",
            "phone": "",
            "address": "Gran Vía 1",
            "postal_code": "28013",
            "city": "Madrid",
            "province": "Madrid",
            "country": "ES",
            "language": "es",
        },
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.tax_id == "B11111111"
    assert organization.address == "Gran Vía 1"


@pytest.mark.django_db
def test_bad_billing_email_shows_an_error_and_changes_nothing(client_client, organization):
    before = organization.email
    response = client_client.post(
        reverse("accounts:organization"),
        {"tax_id": "B1", "email": "not-an-email", "country": "ES", "language": "es"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    organization.refresh_from_db()
    assert organization.email == before
    assert organization.tax_id != "B1"


@pytest.mark.django_db
def test_staff_has_no_organization_page(staff_client):
    assert staff_client.get(reverse("accounts:organization")).status_code == 404


@pytest.mark.django_db
def test_password_reset_email_goes_in_the_users_language(
    client, client_user, django_capture_on_commit_callbacks
):
    from notifications.models import Kind, OutboxEmail

    client_user.language = "en"
    client_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": client_user.email})
    # Through the outbox, once: the web request only queued it.
    queued = OutboxEmail.objects.get(kind=Kind.PASSWORD_RESET)
    assert (queued.recipient, queued.language, queued.status) == (client_user, "en", "sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Reset your password" in message.subject
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)
    assert message.alternatives  # an HTML part too
    # Follow the link and set a new password.
    path = urlsplit(link).path
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Nueva-clave-2026", "new_password2": "Nueva-clave-2026"}
    )
    assert response.status_code == 302
    client_user.refresh_from_db()
    assert client_user.check_password("Nueva-clave-2026")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_is_throttled_per_address(client, client_user, settings):
    from notifications.models import OutboxEmail

    url = reverse("accounts:password_reset")
    for i in range(settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR):
        ip = f"10.0.0.{i + 1}"
        assert client.post(url, {"email": client_user.email}, REMOTE_ADDR=ip).status_code == 302
    refused = client.post(url, {"email": client_user.email.upper()}, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429
    assert "Demasiadas solicitudes" in refused.content.decode()
    # An unknown address is throttled the same way: nothing tells them apart.
    for _ in range(settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR):
        client.post(url, {"email": "nobody@nowhere.example"}, REMOTE_ADDR="10.1.1.1")
    unknown = client.post(url, {"email": "nobody@nowhere.example"}, REMOTE_ADDR="10.1.1.2")
    assert unknown.status_code == 429
    assert OutboxEmail.objects.count() <= settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR


@pytest.mark.django_db
def test_password_reset_is_throttled_per_ip(client, settings):
    url = reverse("accounts:password_reset")
    for i in range(settings.PASSWORD_RESET_PER_IP_PER_HOUR):
        client.post(url, {"email": f"person{i}@example.com"})
    assert client.post(url, {"email": "another@example.com"}).status_code == 429
