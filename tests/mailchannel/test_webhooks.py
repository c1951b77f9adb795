"""The inbound webhook (django-anymail): signed and verified, then handled like polled mail."""

import base64
import hashlib
import hmac
import time

import pytest
from django.test import Client

from mailchannel.models import InboundEmail
from tickets.models import Ticket

from .conftest import corpus

pytestmark = pytest.mark.django_db
URL = "/mail/inbound/mailgun/"
AUTH = "Basic " + base64.b64encode(b"inbound:test-secret").decode()


def _signed(key=b"test-key"):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key, f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature}


def test_signed_mailgun_inbound_creates_the_ticket(ana):
    data = {**_signed(), "body-mime": corpus("new_plain.eml").decode()}
    response = Client().post(URL, data, HTTP_AUTHORIZATION=AUTH)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == Ticket.Channel.EMAIL
    assert ticket.requester == ana
    assert InboundEmail.objects.get().source == InboundEmail.Source.WEBHOOK


def test_wrong_signature_is_refused_and_stores_nothing(ana):
    data = {**_signed(b"another-key"), "body-mime": corpus("new_plain.eml").decode()}
    response = Client().post(URL, data, HTTP_AUTHORIZATION=AUTH)
    assert response.status_code == 400
    assert not InboundEmail.objects.exists()
    assert not Ticket.objects.exists()


def test_missing_basic_auth_is_refused(ana):
    data = {**_signed(), "body-mime": corpus("new_plain.eml").decode()}
    response = Client().post(URL, data)
    assert response.status_code == 404  # a stranger learns nothing of the endpoint
    wrong = "Basic " + base64.b64encode(b"inbound:guess").decode()
    assert Client().post(URL, data, HTTP_AUTHORIZATION=wrong).status_code == 404
    assert not Ticket.objects.exists()


def test_unconfigured_provider_is_404(settings, ana):
    settings.ANYMAIL = {}
    assert Client().post(URL, {}).status_code == 404
    assert Client().post("/mail/inbound/unknown/", {}).status_code == 404


def test_ticket_page_shows_the_channel_and_by_email(ana, client, technician):
    from tickets.inbound import receive_email

    ticket = receive_email(corpus("new_plain.eml")).ticket
    receive_email(corpus("outlook_reply.eml", REF=ticket.reference))
    client.force_login(ana)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="channel">Correo' in page or 'data-testid="channel">Email' in page
    assert page.count('data-testid="by-email"') == 1  # the reply; the opening is the ticket
    client.force_login(technician)
    staff_page = client.get(ticket.get_absolute_url()).content.decode()
    assert staff_page.count('data-testid="by-email"') == 1
