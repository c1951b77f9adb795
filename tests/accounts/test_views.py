import re

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
def test_password_reset_email_goes_in_the_users_language(client, client_user):
    client_user.language = "en"
    client_user.save()
    client.post(reverse("accounts:password_reset"), {"email": client_user.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Reset your password" in message.subject
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)
    assert message.alternatives  # an HTML part too
    # Follow the link and set a new password.
    path = link.split("testserver", 1)[1]
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
