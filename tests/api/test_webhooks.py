"""Webhooks: a receiver in the test (a local HTTP server thread) checks the Standard
Webhooks signature and sees each event once; private destinations are refused; an
endpoint answering 500 forever is paused and its owner told."""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from notifications import services as notifications
from notifications import webhooks
from notifications.models import OutboxEmail, WebhookDelivery, WebhookEvent
from tests.tickets.factories import grant_credits, log_time, open_ticket
from tickets import services

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server that records what it receives and answers ``status``."""

    def __init__(self, status=200):
        self.status = status
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok" if receiver.status < 300 else b"boom")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def allow_local(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """The receiver's side of Standard Webhooks, written from the spec."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(f"v1,{expected}", sig) for sig in headers["webhook-signature"].split()
    )


def test_receiver_verifies_each_event_once(
    allow_local, receiver, client_user, technician, django_capture_on_commit_callbacks
):
    endpoint = webhooks.create_endpoint(
        by=client_user, url=receiver.url, events=WebhookEvent.values
    )
    grant_credits(client_user.organization, 200)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(client_user)
        services.add_reply(ticket, author=technician, body="Mirando")
        log_time(ticket, technician, 10)
        services.resolve(ticket, by=technician)
    headers = [{k.lower(): v for k, v in h.items()} for h, _body in receiver.requests]
    bodies = [json.loads(body) for _h, body in receiver.requests]
    assert all(
        verify(endpoint.secret, h, body)
        for h, (_x, body) in zip(headers, receiver.requests, strict=True)
    )
    events = [body["type"] for body in bodies]
    assert events.count("ticket.created") == 1
    assert events.count("ticket.replied") == 1
    assert events.count("ticket.resolved") == 1
    assert "ticket.status_changed" in events
    ids = [h["webhook-id"] for h in headers]
    assert len(ids) == len(set(ids))
    resolved = next(b for b in bodies if b["type"] == "ticket.resolved")
    assert resolved["data"]["charge"]["credits"] == 15
    assert resolved["data"]["ticket"]["id"] == ticket.pk
    assert WebhookDelivery.objects.filter(status="delivered").count() == len(events)
    # Delivering again changes nothing: each event once.
    for delivery in WebhookDelivery.objects.all():
        assert webhooks.deliver(delivery.pk) is None
    assert len(receiver.requests) == len(events)


def test_another_organizations_events_are_not_sent(
    allow_local, receiver, client_user, other_client_user, django_capture_on_commit_callbacks
):
    webhooks.create_endpoint(by=client_user, url=receiver.url, events=["ticket.created"])
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(other_client_user)
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://10.1.2.3/x",
        "http://localhost:8000/x",
        "ftp://example.com/x",
    ],
)
def test_private_loopback_and_link_local_destinations_are_refused(client_user, url):
    with pytest.raises(webhooks.WebhookError):
        webhooks.create_endpoint(by=client_user, url=url, events=["ticket.created"])
    assert not client_user.organization.webhook_endpoints.exists()


def test_endpoint_answering_500_forever_is_paused_and_owner_told(
    allow_local, settings, client_user, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_PAUSE_AFTER = 3
    failing = Receiver(status=500)
    try:
        endpoint = webhooks.create_endpoint(
            by=client_user, url=failing.url, events=["ticket.created"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                open_ticket(client_user)
        endpoint.refresh_from_db()
        assert endpoint.paused_at is not None
        assert endpoint.consecutive_failures == 3
        assert len(failing.requests) == 3
        delivery = endpoint.deliveries.first()
        assert delivery.status == "pending"  # kept, retried after a resume
        assert delivery.response_status == 500
        assert delivery.response_body == "boom"
        # The owner is told once, through the outbox, in their language (Spanish here).
        [told] = OutboxEmail.objects.filter(kind="webhook_paused")
        assert told.recipient == client_user
        assert told.context["failures"] == 3
        assert told.context["last_error"] == "HTTP 500"
        notifications.send_email(told.pk)
        [sent] = [m for m in mail.outbox if m.to == [client_user.email]]
        assert "Webhook en pausa" in sent.subject
        assert f"/integrations/webhooks/{endpoint.pk}/" in sent.body
        with django_capture_on_commit_callbacks(execute=True):
            open_ticket(client_user)
        assert len(failing.requests) == 3  # a paused endpoint gets nothing queued
    finally:
        failing.close()


def test_resend_delivers_again_with_the_same_id(
    allow_local, receiver, client_user, django_capture_on_commit_callbacks
):
    webhooks.create_endpoint(by=client_user, url=receiver.url, events=["ticket.created"])
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(client_user)
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.resend(delivery)
    first, second = (
        {k.lower(): v for k, v in h.items()}["webhook-id"] for h, _b in receiver.requests
    )
    assert first == second == delivery.message_id


def test_a_delivery_left_by_a_dead_worker_is_swept(
    allow_local, receiver, client_user, django_capture_on_commit_callbacks
):
    webhooks.create_endpoint(by=client_user, url=receiver.url, events=["ticket.created"])
    open_ticket(client_user)  # committed callbacks never run: the publish is "lost"
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.sweep_webhooks() == 1
    assert len(receiver.requests) == 1


def _resolver(monkeypatch, answers):
    """A DNS that answers ``answers`` in turn (the last one from then on), as a
    rebinding attacker's server would; the real resolver for every other name."""
    import socket

    real = socket.getaddrinfo
    seen = []

    def fake(host, port, *args, **kwargs):
        if host != "hooks.rebind.example":
            return real(host, port, *args, **kwargs)
        address = answers[min(len(seen), len(answers) - 1)]
        seen.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return seen


def test_a_delivery_connects_to_the_address_it_vetted_not_a_second_answer(
    allow_local, receiver, client_user, monkeypatch, django_capture_on_commit_callbacks
):
    port = receiver.server.server_port
    # Registration and the delivery's check get the receiver; any later answer (nothing
    # listens on 127.0.0.2) would fail the delivery if the connection resolved again.
    seen = _resolver(monkeypatch, ["127.0.0.1", "127.0.0.1", "127.0.0.2"])
    endpoint = webhooks.create_endpoint(
        by=client_user, url=f"http://hooks.rebind.example:{port}/hook", events=["ticket.created"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(client_user)
    assert len(seen) == 2  # once at registration, once per delivery: never by the socket
    [(headers, _body)] = receiver.requests
    assert headers["Host"] == f"hooks.rebind.example:{port}"
    assert endpoint.deliveries.get().status == "delivered"


def test_a_name_that_turns_private_after_registration_is_refused_at_delivery(
    client_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    _resolver(monkeypatch, ["93.184.215.14", "169.254.169.254"])
    endpoint = webhooks.create_endpoint(
        by=client_user, url="https://hooks.rebind.example/hook", events=["ticket.created"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(client_user)
    delivery = endpoint.deliveries.get()
    assert delivery.status == "pending"  # retried later, never sent to the metadata address
    assert delivery.response_status is None
    assert "169.254.169.254" in delivery.last_error
