import base64
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation

from tests.accounts.factories import OrganizationFactory, TechnicianFactory, UserFactory
from tests.tickets.factories import ContractFactory, ProductFactory

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
APPLE_BODY = (
    "Sigue igual en el móvil.\n\n"
    "> On 1 Dec 2026, at 11:00, Soporte <soporte@example.com> wrote:\n"
    ">\n> Hola Ana, hemos reiniciado el servicio.\n"
)


def corpus(name: str, **values) -> bytes:
    """A message of tests/fixtures/mail/ with its {PLACEHOLDERS} filled."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    values.setdefault("APPLE_BODY", base64.encodebytes(APPLE_BODY.encode()).decode())
    values.setdefault("IN_REPLY_TO", "<nothing@example.com>")
    values.setdefault("REF", "T-2000-00000")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.encode("utf-8")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_org(db):
    organization = OrganizationFactory(name="Cliente SL")
    product = ProductFactory(name="Tienda")
    today = timezone.localdate()
    ContractFactory(
        organization=organization,
        product=product,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=300),
    )
    return organization


@pytest.fixture
def ana(client_org):
    return UserFactory(email="ana@cliente.example", organization=client_org, language="es")


@pytest.fixture
def technician(db):
    return TechnicianFactory(email="tecnico@soporte.example")


# --- A real IMAP server (dovecot) ---------------------------------------------------------


@pytest.fixture(scope="session")
def dovecot():
    """A dovecot instance: the one .ci/run started (IMAP_TEST_ROOT/PORT), or our own."""
    import os

    from mailchannel import testing

    port = int(os.environ.get("IMAP_TEST_PORT") or 8643)
    if os.environ.get("IMAP_TEST_ROOT") and testing.answers(port):
        yield {"port": port, "user": testing.USER, "password": testing.PASSWORD}
        return
    if testing.available() is None:
        pytest.skip("dovecot is not installed here: apt-get install dovecot-imapd")
    if testing.answers(port):
        port += 1  # someone else's server: take the next port of our range
    # Its own folder, not pytest's tmp_path: another pytest run on the machine prunes old
    # pytest-of-<user>/pytest-N folders, and dovecot would lose its passwd-file mid-run.
    root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
    server = testing.start(root, port)
    yield {"port": server.port, "user": server.user, "password": server.password}
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap(dovecot):
    """A logged-in IMAP connection to an empty INBOX (and empty Processed folder)."""
    import imaplib

    connection = imaplib.IMAP4("127.0.0.1", dovecot["port"], timeout=10)
    connection.login(dovecot["user"], dovecot["password"])
    for folder in ("Processed", "INBOX"):
        _status, data = connection.select(folder)
        if int(data[0] or 0):
            connection.store("1:*", "+FLAGS", r"(\Deleted)")
            connection.expunge()
    yield connection
    connection.logout()


def make_mailbox(server: dict, *, name: str, use_ssl: bool):
    """A saved Mailbox for one of the test dovecots (plain or TLS), its password encrypted."""
    from mailchannel import polling
    from mailchannel.models import Mailbox

    box = Mailbox(
        name=name,
        host="127.0.0.1",
        port=server["port"],
        use_ssl=use_ssl,
        username=server["user"],
    )
    polling.set_password(box, server["password"])
    box.save()
    return box


@pytest.fixture
def mailbox(dovecot, db):
    return make_mailbox(dovecot, name="Soporte", use_ssl=False)


@pytest.fixture(scope="session")
def dovecot_tls():
    """A dovecot that speaks only IMAP over TLS (``ssl = required``), with a self-signed
    certificate for 127.0.0.1: always our own instance, on the port after the plain one's."""
    import os

    from mailchannel import testing

    if testing.available() is None:
        pytest.skip("dovecot is not installed here: apt-get install dovecot-imapd")
    port = int(os.environ.get("IMAP_TEST_PORT") or 8643) + 50
    while testing.answers(port) or testing.answers(port, tls=True):
        port += 1
    root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-tls-"))
    server = testing.start(root, port, tls=True)
    yield {
        "port": server.port,
        "user": server.user,
        "password": server.password,
        "certificate": server.certificate,
    }
    server.stop()
    shutil.rmtree(root, ignore_errors=True)
