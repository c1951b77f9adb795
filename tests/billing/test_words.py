"""Words and formats: day-first dates with one short and one long format in both languages,
no doubled periods, the payment test form, the statement's file name and the country on
PDFs in the reader's language."""

import io
import re
from datetime import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from billing.countries import localized_address_lines
from tests.accounts.factories import UserFactory
from tests.billing.factories import order, paid_order, registered
from tests.credits.factories import grant

pytestmark = pytest.mark.django_db

AFTERNOON = timezone.make_aware(datetime(2026, 12, 1, 15, 30))  # noqa: DTZ001


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", ["1 de diciembre de 2026", "01/12/2026", "1 de diciembre de 2026 a las 15:30",
                "01/12/2026 15:30"]),
        ("en", ["1 December 2026", "01/12/2026", "1 December 2026, 15:30", "01/12/2026 15:30"]),
    ],
)  # fmt: skip
def test_one_short_and_one_long_day_first_format_in_each_language(language, expected):
    names = ("DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT")
    with translation.override(language):
        assert [date_format(timezone.localtime(AFTERNOON), n) for n in names] == expected


def test_an_english_page_shows_day_first_dates_without_p_m(client, organization, time_machine):
    time_machine.move_to(AFTERNOON, tick=False)
    grant(organization, 30, reason="Recarga")
    client.force_login(UserFactory(organization=organization, language="en"))
    html = client.get(reverse("credits:movements")).content.decode()
    assert "01/12/2026 15:30" in html
    assert "p.m." not in html
    assert "Dec." not in html


def test_the_english_invoice_pdf_and_email_have_day_first_dates_and_no_doubled_period(
    client, organization, time_machine, settings
):
    time_machine.move_to(AFTERNOON, tick=False)
    organization.name = "Panadería Inglesa S.L."
    organization.save()
    reader = UserFactory(organization=organization, language="en")
    invoice = paid_order(organization, 60).invoices.get()
    client.force_login(reader)
    text = pdf_text(client.get(reverse("billing:invoice_pdf", args=[invoice.pk])).content)
    assert "01/12/2026" in text
    assert "Spain" in text
    assert "España" not in text
    assert not re.search(r"[A-Za-z]\.\.(?!\.)", text)
    for message in mail.outbox:
        body = message.body + "".join(str(a[0]) for a in getattr(message, "alternatives", []))
        assert "S.L.." not in body
        assert "p.m." not in body


def test_a_spanish_invoice_pdf_keeps_espana(client_client, organization):
    invoice = paid_order(organization, 60).invoices.get()
    text = pdf_text(client_client.get(reverse("billing:invoice_pdf", args=[invoice.pk])).content)
    assert "España" in text


def test_country_lines_are_translated_whole_or_after_a_comma():
    lines = ["Calle Mayor 1", "28013 Madrid", "España", "Calle Mayor 1, 28013 Madrid, España"]
    with translation.override("en"):
        assert localized_address_lines(lines) == [
            "Calle Mayor 1",
            "28013 Madrid",
            "Spain",
            "Calle Mayor 1, 28013 Madrid, Spain",
        ]
    with translation.override("es"):
        assert localized_address_lines(lines) == lines


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_deduction_email_does_not_double_the_period_after_a_company_name(language):
    from notifications.rendering import render_email

    email = render_email(
        "balance_after_deduction",
        {
            "organization_name": "Talleres Pérez S.L.",
            "credits": 15,
            "balance": 85,
            "reason": "Consulta",
            "ticket_reference": "T-2026-00001",
            "ticket_url": "/tickets/1/",
            "statement_url": "/credits/movements/",
        },
        language=language,
    )
    assert "Talleres Pérez S.L." in email.text
    assert "S.L.." not in email.text + email.html


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("es", ["Control de fraude", "Sin paso 3-D Secure"]),
        ("en", ["Outcome the provider reports", "Fraud check", "No 3-D Secure step"]),
    ],
)  # fmt: skip
def test_the_payment_test_form_is_in_the_readers_language(client, organization, language, labels):
    registered(organization)
    new = order(organization, 60)
    client.force_login(UserFactory(organization=organization, language=language))
    client.post(reverse("billing:order_pay", args=[new.pk]), {"method": "online"})
    page = client.get(reverse("billing:payment_page", args=[new.payments.get().pk]))
    html = page.content.decode()
    for label in labels:
        assert label in html
    assert "Gateway response" not in html
    assert "3DS disabled" not in html
    if language == "es":
        assert "Outcome the provider reports" not in html


@pytest.mark.parametrize(("language", "prefix"), [("es", "extracto-"), ("en", "statement-")])
def test_the_statement_file_name_is_in_the_readers_language(client, organization, language, prefix):
    grant(organization, 30)
    client.force_login(UserFactory(organization=organization, language=language))
    today = timezone.localdate()
    response = client.post(
        reverse("credits:statements"),
        {"start": today.replace(day=1).isoformat(), "end": today.isoformat()},
    )
    assert response.status_code == 200
    start = today.replace(day=1)
    expected = f'filename="{prefix}{start.isoformat()}-{today.isoformat()}.pdf"'
    assert expected in response["Content-Disposition"]
