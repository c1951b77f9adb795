import base64
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
