"""Demo credits (called by ``manage.py seed_demo``): the price list, then each demo
organization's purchases and consumptions, written through the services with fixed
idempotency keys, so a second run changes nothing."""

from datetime import timedelta

from django.utils import timezone

from credits.models import EntryKind, Pack
from credits.price_list import PRICE_LIST
from credits.services import consume, grant

# Per demo organization (by name): (days ago, what, credits, text, real minutes), in time
# order. A registration lot expires a year after purchase (Talleres Norte's in ~20 days);
# a purchase never expires. Brightwave ends with 15 credits, below its threshold of 30.
HISTORY = (
    (
        "Panadería La Espiga S.L.",
        (
            (60, EntryKind.REGISTRATION, 120, "Pack de alta: 120 créditos", None),
            (50, EntryKind.CONSUMPTION, 15, "Consulta: configurar el correo en el móvil", 10),
            (41, EntryKind.CONSUMPTION, 30, "Consulta: el TPV no imprime los tickets", 22),
            (30, EntryKind.PURCHASE, 60, "Recarga: 60 créditos", None),
            (20, EntryKind.CONSUMPTION, 15, "Consulta: copia de seguridad fallida", 14),
            (5, EntryKind.CONSUMPTION, 15, "Consulta: alta de un usuario nuevo", 9),
        ),
    ),
    (
        "Talleres Norte S.A.",
        (
            (345, EntryKind.REGISTRATION, 120, "Pack de alta: 120 créditos", None),
            (300, EntryKind.CONSUMPTION, 30, "Consulta: acceso remoto al servidor", 25),
            (200, EntryKind.CONSUMPTION, 15, "Consulta: impresora de red", 8),
        ),
    ),
    (
        "Brightwave Studio Ltd",
        (
            (90, EntryKind.REGISTRATION, 60, "Registration pack: 60 credits", None),
            (80, EntryKind.CONSUMPTION, 30, "Consultation: DNS records for the new domain", 27),
            (10, EntryKind.CONSUMPTION, 15, "Consultation: password reset for the CMS", 6),
        ),
    ),
)


def seed(demo) -> None:
    for position, (credits, price) in enumerate(PRICE_LIST):
        Pack.objects.get_or_create(
            credits=credits, price=price, defaults={"position": position, "active": True}
        )
    now = timezone.now()
    organizations = {org.name: org for org in demo.objects.get("organizations", [])}
    for name, history in HISTORY:
        organization = organizations.get(name)
        if organization is None:
            continue
        for number, (days_ago, what, credits, text, minutes) in enumerate(history, start=1):
            key = f"demo:{organization.pk}:{number}"
            at = now - timedelta(days=days_ago)
            if what == EntryKind.CONSUMPTION:
                consume(
                    organization,
                    credits,
                    reason=text,
                    idempotency_key=key,
                    work_minutes=minutes,
                    at=at,
                )
            else:
                grant(
                    organization,
                    credits,
                    reason=text,
                    kind=what,
                    idempotency_key=key,
                    at=at,
                )
