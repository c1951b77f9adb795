"""Issue 21, errors people hear (WCAG 3.3.1, 4.1.3), in the server's HTML: a form that
fails, crispy or written by hand, shows one error summary (partials/error_summary.html:
role=alert, tabindex=-1, focused by static/js/app.js) with a link to each field in error;
each field in error has aria-invalid="true" and aria-describedby naming its message; no
other live region on the page says the same error again (each error heard once); the
summary speaks the page's language. The browser side (focus) is tests/e2e/test_error_summary.py."""

import re

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

from credits.models import Pack
from tests.accounts.factories import UserFactory
from tests.accounts.mfa import give_second_factor
from tests.reference_data import restore_reference_data
from tests.tickets.factories import open_ticket

TITLE = {
    "es": "No se ha podido enviar el formulario. Revise:",
    "en": "The form could not be sent. Please check:",
}
LIVE = "//*[@role='alert' or @role='status' or @role='log' or (@aria-live and @aria-live!='off')]"


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def check_summary(response, language: str, *, fields=(), says=(), title=True) -> dict:
    """The page's one error summary: its title in ``language``, a link to each id in
    ``fields`` (each such field tied to its message), each text of ``says`` in it and in
    no other live region. Returns {field id: its message}."""
    html = response.content.decode()
    doc = lxml.html.fromstring(html)
    assert doc.get("lang") == language
    summaries = doc.xpath("//*[@data-error-summary]")
    assert len(summaries) == 1, f"{len(summaries)} error summaries"
    summary = summaries[0]
    assert summary.get("role") == "alert"
    assert summary.get("tabindex") == "-1"
    if title:
        assert TITLE[language] in _text(summary)
    links = [a.get("href") for a in summary.xpath(".//a")]
    messages = {}
    for field_id in fields:
        assert f"#{field_id}" in links, (field_id, links)
        (field,) = doc.xpath(f"//*[@id='{field_id}']")
        assert field.get("aria-invalid") == "true", field_id
        described = (field.get("aria-describedby") or "").split()
        assert f"{field_id}_error" in described, (field_id, described)
        (message,) = doc.xpath(f"//*[@id='{field_id}_error']")
        assert _text(message), field_id
        # The field's message is read with the field, never announced on its own.
        assert not message.xpath("ancestor-or-self::*[@role or @aria-live]"), field_id
        messages[field_id] = _text(message)
    live = doc.xpath(LIVE)
    for text in [*says, *messages.values()]:
        assert text in _text(summary), (text, _text(summary))
        saying = [region for region in live if text in _text(region)]
        assert saying == [summary], f"{text!r} said by {len(saying)} live regions"
    return messages


def _language(client, language: str, user=None) -> None:
    """Anonymous pages follow the language cookie, a logged-in user's their own language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        user.language = language
        user.save(update_fields=["language"])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_failed_login_has_one_summary_in_the_page_language(client, language):
    UserFactory(email="ana@cliente.example")
    _language(client, language)
    response = client.post(
        reverse("accounts:login"), {"username": "ana@cliente.example", "password": "no"}
    )
    assert response.status_code == 200
    wrong = {"es": "correo electrónico", "en": "email"}[language]
    check_summary(response, language)
    assert wrong in _text(lxml.html.fromstring(response.content).xpath("//*[@role='alert']")[0])


@pytest.mark.django_db
def test_empty_login_ties_each_field_to_its_error(client):
    _language(client, "en")
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})
    messages = check_summary(response, "en", fields=("id_username", "id_password"))
    assert messages["id_username"] == "This field is required."


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_password_reset_with_a_bad_address(client, language):
    _language(client, language)
    response = client.post(reverse("accounts:password_reset"), {"email": "no-es-un-correo"})
    assert response.status_code == 200
    check_summary(response, language, fields=("id_email",))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_wrong_second_factor_code_for_staff(client, technician, language):
    give_second_factor(technician)
    _language(client, language, technician)
    client.force_login(technician, verified=False)
    response = client.post(reverse("accounts:mfa_verify"), {"code": "000000"})
    assert response.status_code in (200, 400)
    check_summary(response, language, fields=("id_code",))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_checkout_with_a_changed_price(client, client_user, language):
    restore_reference_data()
    pack = Pack.objects.filter(credits=60, active=True).first()
    _language(client, language, client_user)
    client.force_login(client_user)
    response = client.post(reverse("billing:buy"), {"pack": pack.pk, "expected_total": "1.00"})
    assert response.status_code == 400
    doc = lxml.html.fromstring(response.content)
    (summary,) = doc.xpath("//*[@data-error-summary]")
    check_summary(response, language, says=(_text(summary),), title=False)


@pytest.mark.django_db
def test_checkout_with_an_unreadable_choice(client, client_user):
    _language(client, "en", client_user)
    client.force_login(client_user)
    response = client.post(reverse("billing:buy"), {"pack": "x", "expected_total": "?"})
    assert response.status_code == 400
    check_summary(
        response,
        "en",
        says=("We could not read your choice. Please choose a pack again.",),
        title=False,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_queue_filters_with_errors(client, technician, language):
    _language(client, language, technician)
    client.force_login(technician)
    response = client.get(
        reverse("tickets:queue"),
        {"q": "x" * 201, "due_within_hours": "-3", "severity": "enorme"},
    )
    assert response.status_code == 200
    check_summary(response, language, fields=("id_q", "id_due_within_hours", "id_severity"))


@pytest.mark.django_db
def test_time_entry_with_errors(client, technician):
    ticket = open_ticket(subject="Horas")
    _language(client, "en", technician)
    client.force_login(technician)
    response = client.post(reverse("tickets:time_add", args=[ticket.pk]), {"minutes": "-5"})
    doc = lxml.html.fromstring(response.content)
    minutes = doc.xpath("//form[@data-testid='time-form']//input[contains(@name, 'minutes')]")
    check_summary(response, "en", fields=(minutes[0].get("id"),))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_movement_filters_with_errors(client, client_user, language):
    _language(client, language, client_user)
    client.force_login(client_user)
    response = client.get(reverse("credits:movements"), {"start": "ayer", "kind": "regalo"})
    check_summary(response, language, fields=("id_start", "id_kind"))
    reversed_period = client.get(
        reverse("credits:movements"), {"start": "2026-05-01", "end": "2026-04-01"}
    )
    period = {"es": "El periodo", "en": "The period must start"}[language]
    check_summary(reversed_period, language, says=(period,))
