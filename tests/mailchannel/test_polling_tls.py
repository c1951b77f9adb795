"""IMAP over TLS against a real dovecot with a self-signed certificate: the poller verifies
certificates; a mailbox trusts a private CA only when its certificate is pasted in."""

import imaplib
import ssl

import pytest

from mailchannel import polling
from mailchannel.models import InboundEmail
from tests.accounts.factories import AdminFactory
from tests.mailchannel.conftest import corpus, make_mailbox
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tls_imap(dovecot_tls):
    """A verified connection to the TLS server's empty INBOX."""
    context = ssl.create_default_context(cadata=dovecot_tls["certificate"])
    connection = imaplib.IMAP4_SSL(
        "127.0.0.1", dovecot_tls["port"], ssl_context=context, timeout=10
    )
    connection.login(dovecot_tls["user"], dovecot_tls["password"])
    _status, data = connection.select("INBOX")
    if int(data[0] or 0):
        connection.store("1:*", "+FLAGS", r"(\Deleted)")
        connection.expunge()
    yield connection
    connection.logout()


@pytest.fixture
def tls_mailbox(dovecot_tls):
    return make_mailbox(dovecot_tls, name="Soporte TLS", use_ssl=True)


def test_plain_imap_is_refused_by_the_tls_server(dovecot_tls):
    """The server really is TLS only: a plain connection gets no IMAP greeting."""
    with pytest.raises((OSError, imaplib.IMAP4.abort, imaplib.IMAP4.error)):
        imaplib.IMAP4("127.0.0.1", dovecot_tls["port"], timeout=5)


def test_self_signed_certificate_is_refused_and_shown_in_admin(tls_imap, tls_mailbox, client):
    status, _data = tls_imap.append("INBOX", None, None, corpus("new_plain.eml"))
    assert status == "OK"
    result = polling.poll(tls_mailbox)
    assert "TLS certificate is not trusted" in result.error
    assert "self-signed certificate" in result.error
    assert result.fetched == 0
    assert not InboundEmail.objects.exists()
    tls_mailbox.refresh_from_db()
    assert "not trusted" in tls_mailbox.last_error
    client.force_login(AdminFactory())
    page = client.get("/admin/mailchannel/mailbox/").content.decode()
    assert "TLS certificate is not trusted" in page


def test_with_its_ca_certificate_the_mailbox_polls(ana, tls_imap, tls_mailbox, dovecot_tls):
    tls_imap.append("INBOX", None, None, corpus("new_plain.eml"))
    tls_mailbox.tls_ca_certificate = dovecot_tls["certificate"]
    tls_mailbox.save()
    result = polling.poll(tls_mailbox)
    assert result.error == ""
    assert (result.fetched, result.stored) == (1, 1)
    assert Ticket.objects.get().requester == ana
    tls_mailbox.refresh_from_db()
    assert tls_mailbox.last_error == ""


def test_the_host_name_is_verified_too(tls_imap, tls_mailbox, dovecot_tls):
    """The certificate names 127.0.0.1 and localhost, not 127.0.0.2."""
    tls_mailbox.tls_ca_certificate = dovecot_tls["certificate"]
    tls_mailbox.host = "127.0.0.2"
    tls_mailbox.save()
    result = polling.poll(tls_mailbox)
    assert "not trusted" in result.error
    assert "mismatch" in result.error.lower() or "127.0.0.2" in result.error


def test_admin_refuses_a_ca_certificate_that_is_not_pem(client, tls_mailbox):
    client.force_login(AdminFactory(language="en"))
    url = f"/admin/mailchannel/mailbox/{tls_mailbox.pk}/change/"
    data = {
        "name": tls_mailbox.name,
        "host": tls_mailbox.host,
        "port": tls_mailbox.port,
        "use_ssl": "on",
        "tls_ca_certificate": "not a certificate",
        "username": tls_mailbox.username,
        "folder": "INBOX",
        "active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This is not a PEM certificate" in response.content.decode()
    tls_mailbox.refresh_from_db()
    assert tls_mailbox.tls_ca_certificate == ""
