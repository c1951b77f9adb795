"""Issue 21: the accessibility statement is public, in both languages, linked from the
footer of every page, and says how to report a problem."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("language", "heading", "report"),
    [
        ("es", "Declaración de accesibilidad", "Comunicar un problema"),
        ("en", "Accessibility statement", "Report a problem"),
    ],
)
def test_the_statement_is_public_in_both_languages(client, db, language, heading, report):
    client.cookies["helpdesk_language"] = language
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    body = response.content.decode()
    assert heading in body
    assert report in body
    assert "mailto:" in body
    assert "axe-core" in body


def test_the_footer_links_to_it(client, db):
    response = client.get(reverse("accounts:login"))
    assert f'href="{reverse("accessibility")}"'.encode() in response.content


@pytest.mark.parametrize(
    ("language", "still_true"),
    [("es", "con un lector de pantalla real"), ("en", "with a real screen reader")],
)
def test_the_limits_are_the_current_ones(client, db, language, still_true):
    """The webhook delivery log reflows now (tests/e2e/test_reflow.py measures every page):
    no longer a limit; no person has tested with a real screen reader yet: still one."""
    client.cookies["helpdesk_language"] = language
    body = client.get(reverse("accessibility")).content.decode()
    assert "/integrations/webhooks/" not in body
    assert still_true in body
