"""Our own DKIM/DMARC check (no INBOUND_AUTHSERV_ID): messages signed with a key made here,
the DKIM key and DMARC policy served by a real DNS server (dnslib) on 127.0.0.1, asked by
dnspython through INBOUND_DNS_SERVERS."""

import base64
import socket

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSServer

from mailchannel.models import InboundEmail
from notifications.models import OutboxEmail
from tickets.inbound import receive_email
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(public).decode()


class Zone(BaseResolver):
    """TXT records by name; anything else: no answer (NXDOMAIN)."""

    def __init__(self):
        self.records: dict[str, str] = {}
        self.asked: list[str] = []

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        self.asked.append(name)
        if request.q.qtype == QTYPE.TXT and name in self.records:
            value = self.records[name]
            chunks = [value[i : i + 250] for i in range(0, len(value), 250)]
            reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(chunks), ttl=60))
        else:
            reply.header.rcode = 3  # NXDOMAIN
        return reply


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def keys():
    return {"good": _key(), "other": _key()}


@pytest.fixture
def dns_zone(settings, keys):
    zone = Zone()
    port = _free_port()
    server = DNSServer(zone, port=port, address="127.0.0.1")
    server.start_thread()
    settings.INBOUND_AUTHSERV_ID = ""
    settings.INBOUND_VERIFY_DKIM = True
    settings.INBOUND_DNS_SERVERS = [f"127.0.0.1:{port}"]
    settings.INBOUND_DNS_TIMEOUT = 2
    zone.records["sel1._domainkey.cliente.example"] = f"v=DKIM1; k=rsa; p={keys['good'][1]}"
    yield zone
    server.stop()


def _message(message_id="<dkim-1@cliente.example>", sender="ana@cliente.example") -> bytes:
    return (
        f"From: Ana Cliente <{sender}>\r\n"
        "To: soporte@example.com\r\n"
        "Subject: La tienda no carga\r\n"
        f"Message-ID: {message_id}\r\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hola, desde esta mañana la tienda no carga.\r\n"
    ).encode()


def _signed(raw: bytes, private: bytes, domain=b"cliente.example") -> bytes:
    signature = dkim.sign(
        raw, b"sel1", domain, private, include_headers=[b"from", b"to", b"subject", b"date"]
    )
    return signature + raw


@pytest.mark.parametrize("policy", ["reject", "quarantine"])
def test_unsigned_mail_of_a_strict_domain_is_refused_without_answer(ana, dns_zone, policy):
    dns_zone.records["_dmarc.cliente.example"] = f"v=DMARC1; p={policy}; rua=mailto:d@x"
    received = receive_email(_message())
    assert received.outcome == "rejected"
    assert "forged" in received.reason
    assert f"p={policy}" in received.reason
    assert not Ticket.objects.exists()
    assert not OutboxEmail.objects.exists()  # no answer to the forged address
    record = InboundEmail.objects.get()
    assert record.outcome == InboundEmail.Outcome.REJECTED
    assert "no valid DKIM signature" in record.reason
    assert "_dmarc.cliente.example" in dns_zone.asked


def test_validly_signed_mail_creates_the_ticket(ana, dns_zone, keys):
    dns_zone.records["_dmarc.cliente.example"] = "v=DMARC1; p=reject"
    received = receive_email(_signed(_message(), keys["good"][0]))
    assert received.outcome == "created"
    assert received.ticket.requester == ana
    assert "sel1._domainkey.cliente.example" in dns_zone.asked


def test_a_signature_by_another_key_is_refused(ana, dns_zone, keys):
    dns_zone.records["_dmarc.cliente.example"] = "v=DMARC1; p=reject"
    received = receive_email(_signed(_message(), keys["other"][0]))
    assert received.outcome == "rejected"
    assert not Ticket.objects.exists()


def test_a_tampered_signed_message_is_refused(ana, dns_zone, keys):
    dns_zone.records["_dmarc.cliente.example"] = "v=DMARC1; p=reject"
    signed = _signed(_message(), keys["good"][0]).replace(b"no carga", b"SI carga")
    assert receive_email(signed).outcome == "rejected"


def test_a_valid_signature_of_another_domain_is_not_aligned(ana, dns_zone, keys):
    dns_zone.records["_dmarc.cliente.example"] = "v=DMARC1; p=reject"
    dns_zone.records["sel1._domainkey.attacker.example"] = f"v=DKIM1; k=rsa; p={keys['other'][1]}"
    signed = _signed(_message(), keys["other"][0], domain=b"attacker.example")
    assert receive_email(signed).outcome == "rejected"


def test_the_parent_domain_policy_applies_to_a_subdomain(dns_zone, client_org):
    from tests.accounts.factories import UserFactory

    UserFactory(email="luis@ventas.cliente.example", organization=client_org)
    dns_zone.records["_dmarc.cliente.example"] = "v=DMARC1; p=quarantine"
    received = receive_email(_message(sender="luis@ventas.cliente.example"))
    assert received.outcome == "rejected"
    assert "_dmarc.ventas.cliente.example" in dns_zone.asked


@pytest.mark.parametrize("record", [None, "v=DMARC1; p=none", "not dmarc"])
def test_no_strict_policy_lets_unsigned_mail_in(ana, dns_zone, record):
    if record:
        dns_zone.records["_dmarc.cliente.example"] = record
    assert receive_email(_message()).outcome == "created"


def test_unknown_senders_cost_no_lookup(dns_zone):
    received = receive_email(_message(sender="nadie@desconocido.example"))
    assert received.outcome == "rejected"
    assert dns_zone.asked == []


def test_dns_down_is_not_proof_of_forgery(ana, dns_zone, settings):
    settings.INBOUND_DNS_SERVERS = [f"127.0.0.1:{_free_port()}"]  # nobody answers there
    settings.INBOUND_DNS_TIMEOUT = 0.5
    assert receive_email(_message()).outcome == "created"


def test_with_a_trusted_authserv_id_our_check_is_off(ana, dns_zone, settings):
    dns_zone.records["_dmarc.cliente.example"] = "v=DMARC1; p=reject"
    settings.INBOUND_AUTHSERV_ID = "mx.soporte.example"
    assert receive_email(_message()).outcome == "created"
    assert dns_zone.asked == []
