import pytest

from notifications.kinds import get_kind
from notifications.models import Kind
from notifications.rendering import UnknownLanguage, render_email
from tests.notifications.factories import SAMPLE_CONTEXTS


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://soporte.example.com"


def render(kind, language, **changes):
    stored = get_kind(kind).dump_context({**SAMPLE_CONTEXTS[kind], **changes})
    return render_email(kind, stored, language=language, recipient_name="Ana")


@pytest.mark.parametrize("kind", Kind.values)
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_kind_renders_subject_text_and_html_in_both_languages(kind, language):
    email = render(kind, language)
    assert email.subject
    assert "\n" not in email.subject
    assert "{{" not in email.text + email.html
    assert "{%" not in email.text + email.html
    assert f'<html lang="{language}">' in email.html
    assert "https://soporte.example.com" in email.text
    greeting = "Hola, Ana:" if language == "es" else "Hello Ana,"
    assert greeting in email.text
    assert greeting in email.html


@pytest.mark.parametrize("kind", Kind.values)
def test_spanish_and_english_differ_for_every_kind(kind):
    spanish, english = render(kind, "es"), render(kind, "en")
    assert spanish.subject != english.subject
    assert spanish.text != english.text


def test_amounts_and_dates_follow_the_recipient_language():
    spanish, english = render(Kind.INVOICE_ISSUED, "es"), render(Kind.INVOICE_ISSUED, "en")
    assert "Total (IVA incluido): 1.234,56\u00a0€" in spanish.text
    assert "Total (VAT included): €1,234.56" in english.text
    assert "10 de marzo de 2026" in spanish.text
    assert "10 March 2026" in english.text


def test_credit_balances_are_grouped_per_language():
    assert render(Kind.BALANCE_AFTER_DEDUCTION, "es").subject == (
        "Panadería La Espiga: 75 créditos descontados, saldo 1.245"
    )
    assert render(Kind.BALANCE_AFTER_DEDUCTION, "en").subject == (
        "Panadería La Espiga: 75 credits deducted, balance 1,245"
    )


def test_one_credit_is_singular():
    assert render(Kind.LOW_BALANCE, "es", balance=1).subject == (
        "Saldo bajo en Talleres Norte: queda 1 crédito"
    )
    assert render(Kind.LOW_BALANCE, "en", balance=1).subject == (
        "Low balance for Talleres Norte: 1 credit left"
    )


def test_sla_times_are_shown_in_the_business_time_zone_with_translated_severity():
    spanish = render(Kind.SLA_WARNING, "es")
    assert spanish.subject == "Aviso de SLA, 75 % del objetivo: #7 La web no carga"
    assert "Gravedad: Crítica" in spanish.text
    assert "10 de marzo de 2026 a las 17:30" in spanish.text
    english = render(Kind.SLA_BREACH, "en")
    assert "Severity: Major" in english.text


def test_links_are_absolute_on_the_site_url():
    email = render(Kind.ESTIMATE_EXCEEDS_BALANCE, "en")
    assert "https://soporte.example.com/tickets/7/" in email.text
    assert 'href="https://soporte.example.com/credits/buy/"' in email.html


def test_missing_optional_link_falls_back_to_the_site():
    email = render(Kind.LOW_BALANCE, "es")
    assert "Comprar créditos: https://soporte.example.com" in email.text


def test_plain_text_is_not_escaped_and_html_is():
    email = render(Kind.TICKET_REPLY, "es")
    assert "Ya está resuelto: <b>caché</b> & DNS." in email.text
    assert "&lt;b&gt;caché&lt;/b&gt; &amp; DNS." in email.html
    assert "<b>caché</b>" not in email.html


def test_the_html_uses_the_shared_email_layout():
    email = render(Kind.SLA_BREACH, "en")
    assert 'role="presentation"' in email.html
    assert "This is an automatic message from Soporte Créditos" in email.html


def test_an_unknown_language_is_refused():
    stored = get_kind(Kind.LOW_BALANCE).dump_context(SAMPLE_CONTEXTS[Kind.LOW_BALANCE])
    with pytest.raises(UnknownLanguage):
        render_email(Kind.LOW_BALANCE, stored, language="fr")
