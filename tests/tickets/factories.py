"""Factories of the tickets app. Tickets are opened through the services, so that their
reference, SLA fields and search vector are what production would have."""

from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tickets import services
from tickets.models import Contract, Product, Ticket

# Smallest real files of each kind (content sniffing looks at the first bytes).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(
    name: str = "informe.pdf", content: bytes = PDF, content_type: str = ""
) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content, content_type=content_type or "application/octet-stream"
    )


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Aplicación {n}")
    current_version = "4.2"
    obsolete_versions = "2.0, 3.0"


class ContractFactory(factory.django.DjangoModelFactory):
    """An active contract on the product's current version, long enough for the tests
    that travel in time (today ± about three years)."""

    class Meta:
        model = Contract

    organization = factory.SubFactory("tests.accounts.factories.OrganizationFactory")
    product = factory.SubFactory(ProductFactory)
    version = factory.LazyAttribute(lambda o: o.product.current_version)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1000))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=1000))


def open_ticket(requester=None, *, product=None, attachments=(), **fields) -> Ticket:
    """A ticket opened by ``requester`` (a new client by default) through the service,
    with an active contract for ``product`` made if missing."""
    requester = requester or UserFactory()
    product = product or ProductFactory(name="Tienda online")
    if not Contract.objects.filter(
        organization=requester.organization, product=product, version=product.current_version
    ).exists():
        ContractFactory(organization=requester.organization, product=product)
    fields.setdefault("kind", Ticket.Kind.CONSULTATION)
    fields.setdefault("severity", Ticket.Severity.MAJOR)
    fields.setdefault("subject", "La tienda va lenta")
    fields.setdefault("description", "Desde ayer las páginas tardan mucho en cargar.")
    return services.open_ticket(requester, product, attachments=attachments, **fields)


# --- Charging, estimates, the vault (issue 5) --------------------------------------------


def grant_credits(organization, credits: int, **kwargs):
    """Credits for ``organization`` through the credits service (a fresh key each time)."""
    from tests.credits.factories import grant

    return grant(organization, credits, **kwargs)


def log_time(ticket, technician, minutes: int = 10, channel: str = "portal", **fields):
    """A time entry through the service (the technician is assigned first)."""
    services.assign(ticket, technician, by=technician)
    return services.log_time(ticket, by=technician, minutes=minutes, channel=channel, **fields)


def send_estimate(ticket, technician, credits: int = 60, **fields):
    fields.setdefault("description", "Revisar y corregir la configuración del servidor.")
    return services.send_estimate(ticket, by=technician, credits=credits, **fields)


def store_credential(user, *, ticket=None, label: str = "Panel de la tienda", **fields):
    fields = fields or {
        "url": "https://tienda.example/admin",
        "username": "admin",
        "password": "s3creto-Muy-Largo",
    }
    return services.store_credential(
        user.organization, by=user, label=label, fields=fields, ticket=ticket
    )
