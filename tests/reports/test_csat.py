"""CSAT: one click from the email or the ticket page, a comment, per technician."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reports import selectors, services
from reports.models import Rating
from reports.periods import Period
from tests.credits.factories import grant
from tests.tickets.factories import open_ticket
from tickets import services as ticket_services


@pytest.fixture
def resolved(client_user, technician):
    grant(client_user.organization, 200)
    ticket = open_ticket(client_user)
    ticket_services.assign(ticket, technician, by=technician)
    ticket_services.log_time(ticket, by=technician, minutes=10, channel="portal")
    ticket_services.resolve(ticket, by=technician)
    ticket.refresh_from_db()
    return ticket


def _rate_url(ticket, score):
    return reverse("reports:rate", kwargs={"token": services.rating_token(ticket), "score": score})


def test_one_click_records_the_score_for_the_resolving_technician(
    client_client, resolved, technician, client_user
):
    response = client_client.get(_rate_url(resolved, 4))
    assert response.status_code == 200
    rating = Rating.objects.get(ticket=resolved)
    assert (rating.score, rating.technician, rating.rated_by) == (4, technician, client_user)
    # A second click changes the score; there is still one rating.
    client_client.get(_rate_url(resolved, 5))
    assert Rating.objects.get(ticket=resolved).score == 5


def test_the_comment_is_kept_and_bounded(client_client, resolved):
    client_client.get(_rate_url(resolved, 3))
    url = reverse("reports:rate_comment", kwargs={"token": services.rating_token(resolved)})
    response = client_client.post(url, {"comment": "Rápido y claro."})
    assert response.status_code == 302
    assert Rating.objects.get(ticket=resolved).comment == "Rápido y claro."
    response = client_client.post(url, {"comment": "x" * 5000})
    assert response.status_code == 400
    assert Rating.objects.get(ticket=resolved).comment == "Rápido y claro."


def test_bad_tokens_and_scores_are_404_and_change_nothing(client_client, resolved):
    bad = reverse("reports:rate", kwargs={"token": "forged:token", "score": 5})
    assert client_client.get(bad).status_code == 404
    assert client_client.get(_rate_url(resolved, 9)).status_code == 302
    assert not Rating.objects.exists()


def test_an_open_ticket_cannot_be_rated(client_client, client_user):
    ticket = open_ticket(client_user)
    response = client_client.get(_rate_url(ticket, 5))
    assert response.status_code == 302
    assert not Rating.objects.exists()


def test_another_organizations_client_gets_404(client, other_client_user, resolved):
    client.force_login(other_client_user)
    assert client.get(_rate_url(resolved, 1)).status_code == 404
    assert not Rating.objects.exists()


def test_the_ticket_page_asks_how_we_did(client_client, resolved):
    html = client_client.get(resolved.get_absolute_url()).text
    assert 'data-testid="csat-ask"' in html
    # The token is signed with a timestamp: the link of this page, not the test's.
    link = html.split('data-testid="csat-5"')[0].rsplit('href="', 1)[1]
    assert link.startswith("/reports/rate/")
    assert services.ticket_reference_from_token(link.split("/")[3]) == resolved.reference


def test_the_resolution_email_carries_the_rating_links(resolved):
    from notifications.models import OutboxEmail
    from notifications.rendering import render_email

    email = OutboxEmail.objects.filter(kind="balance_after_deduction").first()
    rendered = render_email(email.kind, email.context, language="en")
    assert "How did we do?" in rendered.text
    assert "/reports/rate/" in rendered.text
    assert "/reports/rate/" in rendered.html


def test_csat_per_technician_and_month(client_client, resolved, technician, admin_user):
    client_client.get(_rate_url(resolved, 4))
    scope, _ = selectors.staff_scope(admin_user)
    today = timezone.localdate()
    rows = selectors.csat(scope, Period(today.replace(day=1), today))
    # Per month, then the whole period (month None), grouped in one query.
    assert [(r["month"], r["technician"], r["average"], r["count"]) for r in rows] == [
        (today.replace(day=1), technician.full_name, 4.0, 1),
        (None, technician.full_name, 4.0, 1),
    ]
    del mail.outbox[:]
