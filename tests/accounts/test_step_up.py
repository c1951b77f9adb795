"""Step-up: revealing access data, refunds and manual adjustments need a check of the
second factor in the last 10 minutes (accounts.security.recent_auth_required)."""

import time

import pytest
import time_machine
from django.urls import reverse

from tests.billing.factories import paid_order
from tests.tickets.factories import open_ticket, store_credential
from tickets import services
from tickets.models import CredentialReveal

pytestmark = pytest.mark.django_db
LATER = 11 * 60  # seconds: past STEP_UP_MAX_AGE_SECONDS


def _stale(client):
    return time_machine.travel(time.time() + LATER, tick=False)


def test_a_reveal_after_ten_minutes_asks_for_the_code_again(client, client_user, technician):
    ticket = open_ticket(client_user, kind="intervention")
    services.assign(ticket, technician, by=technician)
    credential = store_credential(client_user)
    client.force_login(technician)
    url = reverse("tickets:credential_reveal", args=[credential.pk])
    with _stale(client):
        response = client.post(
            url, {"ticket": ticket.pk}, HTTP_REFERER=f"http://testserver{ticket.get_absolute_url()}"
        )
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:reauthenticate"))
    assert not CredentialReveal.objects.exists()
    assert client.post(url, {"ticket": ticket.pk}).status_code == 200  # fresh: revealed
    assert CredentialReveal.objects.count() == 1


def test_a_refund_after_ten_minutes_asks_for_the_code_again(client, admin_user, organization):
    paid = paid_order(organization, 60)
    client.force_login(admin_user)
    url = reverse("admin:billing_order_refund", args=[paid.pk])
    assert client.get(url).status_code == 200
    with _stale(client):
        response = client.post(url, {"reason": "Duplicado", "confirm": "on"})
    assert response.url.startswith(reverse("accounts:reauthenticate"))
    paid.refresh_from_db()
    assert paid.status == "paid"


def test_a_manual_adjustment_after_ten_minutes_asks_for_the_code_again(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:credits_ledgerentry_adjust")
    assert client.get(url).status_code == 200
    with _stale(client):
        response = client.get(url)
    assert response.url.startswith(reverse("accounts:reauthenticate"))
    assert "next=" in response.url
