"""The inbound webhook (django-anymail): signed and verified, then handled like polled mail."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from mailchannel.models import InboundEmail
from tests.mailchannel.conftest import corpus
from tickets.models import Ticket

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


# --- Postmark, SendGrid and Amazon SES: anymail's real views, their payload shapes ---------

WRONG = "Basic " + base64.b64encode(b"inbound:guess").decode()


def _postmark_raw():
    """Postmark's inbound JSON with "Include raw email content" on (anymail's test shape)."""
    return {
        "FromFull": {"Email": "Ana@Cliente.example", "Name": "Ana Cliente", "MailboxHash": ""},
        "ToFull": [{"Email": "soporte@example.com", "Name": "Soporte", "MailboxHash": ""}],
        "CcFull": [],
        "BccFull": [],
        "Subject": "La tienda no carga",
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Date": "Tue, 01 Dec 2026 10:00:00 +0100",
        "TextBody": "Hola, desde esta mañana la tienda no carga.",
        "Headers": [
            {"Name": "Return-Path", "Value": "<ana@cliente.example>"},
            {"Name": "Message-ID", "Value": "<new-plain-1@cliente.example>"},
        ],
        "Attachments": [],
        "RawEmail": corpus("new_plain.eml").decode(),
    }


def _postmark_parsed():
    """Postmark's default inbound JSON (no RawEmail): anymail builds the message."""
    event = _postmark_raw()
    del event["RawEmail"]
    event["Headers"].append({"Name": "Date", "Value": "Tue, 01 Dec 2026 10:00:00 +0100"})
    event["HtmlBody"] = "<p>Hola, desde esta mañana la tienda no carga.</p>"
    return event


@pytest.mark.parametrize("payload", [_postmark_raw, _postmark_parsed])
def test_postmark_inbound_creates_the_ticket(ana, payload):
    response = Client().post(
        "/mail/inbound/postmark/",
        json.dumps(payload()),
        content_type="application/json",
        HTTP_AUTHORIZATION=AUTH,
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.subject) == (ana, "La tienda no carga")
    assert "la tienda no carga" in ticket.description
    record = InboundEmail.objects.get()
    assert record.source == InboundEmail.Source.WEBHOOK
    assert record.message_key == "new-plain-1@cliente.example"


def _sendgrid_raw():
    """SendGrid Inbound Parse with "POST the raw, full MIME message" (multipart fields)."""
    return {
        "email": corpus("new_plain.eml").decode(),
        "envelope": json.dumps({"to": ["soporte@example.com"], "from": "ana@cliente.example"}),
        "charsets": json.dumps({"to": "UTF-8", "from": "UTF-8", "subject": "UTF-8"}),
        "spam_score": "0.1",
        "spam_report": "",
        "SPF": "pass",
        "dkim": "{@cliente.example : pass}",
        "sender_ip": "192.0.2.10",
        "to": "soporte@example.com",
        "from": "Ana Cliente <ana@cliente.example>",
        "subject": "La tienda no carga",
    }


def _sendgrid_parsed():
    """SendGrid's default (parsed) fields: headers, text, html, charsets."""
    fields = _sendgrid_raw()
    del fields["email"]
    fields["headers"] = (
        "From: Ana Cliente <ana@cliente.example>\n"
        "To: soporte@example.com\n"
        "Subject: La tienda no carga\n"
        "Message-ID: <new-plain-1@cliente.example>\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0100\n"
        "MIME-Version: 1.0\n"
    )
    fields["text"] = "Hola, desde esta mañana la tienda no carga."
    fields["charsets"] = json.dumps(
        {"to": "UTF-8", "from": "UTF-8", "subject": "UTF-8", "text": "UTF-8"}
    )
    fields["attachments"] = "0"
    return fields


@pytest.mark.parametrize("payload", [_sendgrid_raw, _sendgrid_parsed])
def test_sendgrid_inbound_creates_the_ticket(ana, payload):
    response = Client().post("/mail/inbound/sendgrid/", payload(), HTTP_AUTHORIZATION=AUTH)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.subject) == (ana, "La tienda no carga")
    assert "la tienda no carga" in ticket.description
    assert InboundEmail.objects.get().message_key == "new-plain-1@cliente.example"


def _ses_notification(raw: bytes):
    """An SNS Notification of an SES receipt rule with an SNS action, BASE64 encoding."""
    ses_event = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-12-01T09:00:00.000Z",
            "source": "ana@cliente.example",
            "messageId": "jili9m351il3gkburn7o2f0u6788stij94c8ld01",
            "destination": ["soporte@example.com"],
            "headersTruncated": False,
            "commonHeaders": {"subject": "La tienda no carga"},
        },
        "receipt": {
            "timestamp": "2026-12-01T09:00:00.000Z",
            "recipients": ["soporte@example.com"],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "PASS"},
            "spfVerdict": {"status": "PASS"},
            "dkimVerdict": {"status": "PASS"},
            "dmarcVerdict": {"status": "PASS"},
            "action": {
                "type": "SNS",
                "topicArn": "arn:aws:sns:eu-west-1:111111111111:SES_Inbound",
                "encoding": "BASE64",
            },
        },
        "content": base64.b64encode(raw).decode(),
    }
    return {
        "Type": "Notification",
        "MessageId": "8f6dd8f2-1c44-5d3a-a1e7-0d5f7f0d9b1a",
        "TopicArn": "arn:aws:sns:eu-west-1:111111111111:SES_Inbound",
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": json.dumps(ses_event),
        "Timestamp": "2026-12-01T09:00:01.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE-SIGNATURE==",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
    }


def _post_ses(body, auth):
    return Client().post(
        "/mail/inbound/amazon_ses/",
        json.dumps(body),
        content_type="text/plain; charset=UTF-8",  # what SNS sends
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=body["Type"],
        HTTP_X_AMZ_SNS_MESSAGE_ID=body["MessageId"],
        HTTP_AUTHORIZATION=auth,
    )


def test_amazon_ses_inbound_creates_the_ticket(ana):
    response = _post_ses(_ses_notification(corpus("new_plain.eml")), AUTH)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.subject) == (ana, "La tienda no carga")
    assert InboundEmail.objects.get().source == InboundEmail.Source.WEBHOOK


def test_amazon_ses_message_id_mismatch_is_refused(ana):
    body = _ses_notification(corpus("new_plain.eml"))
    response = Client().post(
        "/mail/inbound/amazon_ses/",
        json.dumps(body),
        content_type="text/plain",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        HTTP_X_AMZ_SNS_MESSAGE_ID="another-id",
        HTTP_AUTHORIZATION=AUTH,
    )
    assert response.status_code == 400
    assert not InboundEmail.objects.exists()


@pytest.mark.parametrize("auth", [None, WRONG, "Bearer test-secret", "Basic !!not-base64"])
def test_other_providers_refuse_wrong_auth_and_store_nothing(ana, auth):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    responses = [
        Client().post(
            "/mail/inbound/postmark/",
            json.dumps(_postmark_raw()),
            content_type="application/json",
            **extra,
        ),
        Client().post("/mail/inbound/sendgrid/", _sendgrid_raw(), **extra),
        _post_ses(_ses_notification(corpus("new_plain.eml")), auth or ""),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert not InboundEmail.objects.exists()
    assert not Ticket.objects.exists()
