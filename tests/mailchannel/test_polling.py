"""IMAP polling against a real dovecot (tests/mailchannel/conftest.py starts or finds it)."""

import imaplib

import pytest

from mailchannel import polling
from mailchannel.models import InboundEmail, Mailbox
from mailchannel.tasks import poll_mailboxes_task
from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import AdminFactory
from tests.mailchannel.conftest import corpus
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _append(imap, raw: bytes, folder="INBOX"):
    status, _data = imap.append(folder, None, None, raw)
    assert status == "OK"


def _flags(imap, folder="INBOX"):
    _status, count = imap.select(folder)
    if not int(count[0] or 0):
        return []
    status, data = imap.fetch("1:*", "(FLAGS)")
    return [item for item in data if item] if status == "OK" else []


def test_poll_stores_unseen_messages_then_marks_them_seen(ana, imap, mailbox):
    _append(imap, corpus("new_plain.eml"))
    _append(imap, corpus("bulk.eml"))
    result = polling.poll(mailbox)
    assert result.error == ""
    assert (result.fetched, result.stored) == (2, 2)
    assert Ticket.objects.filter(channel=Ticket.Channel.EMAIL).count() == 1
    assert set(InboundEmail.objects.values_list("outcome", flat=True)) == {"created", "ignored"}
    assert all(b"\\Seen" in flags for flags in _flags(imap))
    # The next poll finds nothing new.
    assert polling.poll(mailbox).fetched == 0


def test_poll_moves_stored_messages_to_the_processed_folder(ana, imap, mailbox):
    mailbox.processed_folder = "Processed"
    mailbox.save()
    _append(imap, corpus("new_plain.eml"))
    assert polling.poll(mailbox).stored == 1
    assert _flags(imap, "INBOX") == []
    assert len(_flags(imap, "Processed")) == 1


def test_two_polls_at_once_store_a_message_once(ana, imap, mailbox):
    _append(imap, corpus("new_plain.eml"))
    _append(imap, corpus("new_plain.eml"))  # the same Message-ID twice in the folder
    polling.poll(mailbox)
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_wrong_password_shows_in_admin_and_staff_are_told_once(imap, mailbox, client):
    admin = AdminFactory()
    mailbox.host = "127.0.0.2"  # dovecot's failed-login penalty stays on this address
    polling.set_password(mailbox, "wrong")
    mailbox.save()
    for _ in range(2):
        result = polling.poll(mailbox)
        assert "Cannot log in" in result.error
    mailbox.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in mailbox.last_error
    assert OutboxEmail.objects.filter(kind=Kind.MAILBOX_FAILING, recipient=admin).count() == 1
    client.force_login(admin)
    page = client.get("/admin/mailchannel/mailbox/")
    assert page.status_code == 200
    assert "Cannot log in" in page.content.decode()


def test_a_good_poll_clears_the_error(imap, mailbox, dovecot):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_error="old", error_notified_at="2026-01-01T00:00Z"
    )
    assert polling.poll(mailbox).error == ""
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""
    assert mailbox.error_notified_at is None


def test_beat_task_polls_active_mailboxes(ana, imap, mailbox):
    _append(imap, corpus("new_plain.eml"))
    assert poll_mailboxes_task.run() == 1


def test_password_is_kept_encrypted(mailbox, dovecot):
    assert dovecot["password"] not in mailbox.password_token


def test_empty_poll_sends_one_command_after_login(imap, mailbox, monkeypatch):
    sent = []
    original = imaplib.IMAP4._command

    def spy(self, name, *args):
        sent.append(name)
        return original(self, name, *args)

    monkeypatch.setattr(imaplib.IMAP4, "_command", spy)
    polling.poll(mailbox)
    # The session (greeting's CAPABILITY, LOGIN, SELECT, LOGOUT) and one check: UID SEARCH.
    assert sent == ["CAPABILITY", "LOGIN", "SELECT", "UID", "LOGOUT"]
