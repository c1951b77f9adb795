"""Demo products, contracts and tickets (called by ``manage.py seed_demo``; safe twice).

Tickets are made through the services; a few are then moved back in time (their SLA
fields recomputed for the earlier opening) so that the queue shows breached ones.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from tickets import clock, demo_charging, services
from tickets.models import Contract, Product, Ticket

S = Ticket.Status

PRODUCTS = (
    ("Tienda online", "4.2", "2.8, 3.0"),
    ("ERP Gestión", "2025.1", "2019.4, 2021.2"),
)

# (organization index, product, version, starts days from today, ends days from today)
CONTRACTS = (
    (0, "Tienda online", "4.2", -200, 165),
    (0, "ERP Gestión", "2024.2", -395, -30),  # expired a month ago
    (1, "Tienda online", "4.1", -100, 265),
    (1, "ERP Gestión", "2021.2", -60, 305),  # on an obsolete version
    (2, "Tienda online", "4.2", -20, 345),
)

# (requester, severity, kind, subject, description, opened days ago, steps)
# steps: ("reply", who, text) · ("note", who, text) · ("status", who, status)
#        ("assign", who) · ("scope", who, reason) · ("time", who, minutes, channel)
TICKETS = (
    (
        "marta@laespiga.example",
        Ticket.Severity.CRITICAL,
        Ticket.Kind.INTERVENTION,
        "La tienda no carga: error 500 en todas las páginas",
        "Desde esta mañana la tienda online muestra «Error 500» y no podemos vender.",
        4,
        [
            ("assign", "lucia@soporte.example"),
            ("note", "lucia@soporte.example", "Revisar logs de PHP."),
            ("time", "lucia@soporte.example", 35, "remote"),
            ("time", "lucia@soporte.example", 10, "phone"),
        ],
    ),
    (
        "pablo@laespiga.example",
        Ticket.Severity.MAJOR,
        Ticket.Kind.CONSULTATION,
        "No llegan los correos de confirmación de pedido",
        "Los clientes no reciben el correo de confirmación desde el lunes.",
        9,
        [
            (
                "reply",
                "jorge@soporte.example",
                "¿Han cambiado la contraseña del buzón de envío recientemente?",
            )
        ],
    ),
    (
        "marta@laespiga.example",
        Ticket.Severity.MINOR,
        Ticket.Kind.CONSULTATION,
        "¿Cómo cambio el texto del pie de página?",
        "Queremos poner el nuevo horario de la panadería en el pie de la tienda.",
        1,
        [
            (
                "reply",
                "lucia@soporte.example",
                "Se cambia en Apariencia → Pie. ¿Le indicamos los pasos?",
            ),
            ("status", "lucia@soporte.example", S.AWAITING_CLIENT),
        ],
    ),
    (
        "pablo@laespiga.example",
        Ticket.Severity.MINOR,
        Ticket.Kind.SECURITY_UPDATE,
        "Actualización de seguridad de la tienda",
        "Nos ha llegado un aviso de seguridad del módulo de pagos.",
        3,
        [
            ("assign", "jorge@soporte.example"),
            ("status", "jorge@soporte.example", S.IN_PROGRESS),
            ("time", "jorge@soporte.example", 40, "remote"),
        ],
    ),
    (
        "marta@laespiga.example",
        Ticket.Severity.MINOR,
        Ticket.Kind.CONSULTATION,
        "La impresora de tickets no imprime",
        "La impresora del mostrador no imprime los tickets de venta.",
        2,
        [("scope", "lucia@soporte.example", Ticket.OutOfScopeReason.HARDWARE)],
    ),
    (
        "iker@talleresnorte.example",
        Ticket.Severity.CRITICAL,
        Ticket.Kind.INTERVENTION,
        "El pago con tarjeta falla en el checkout",
        "Al pagar con tarjeta la pasarela devuelve un error y el pedido queda pendiente.",
        0,
        [],
    ),
    (
        "iker@talleresnorte.example",
        Ticket.Severity.MAJOR,
        Ticket.Kind.INTERVENTION,
        "El buscador de productos no devuelve resultados",
        "Buscar «filtro de aceite» no devuelve nada aunque el producto existe.",
        6,
        [("assign", "lucia@soporte.example")],
    ),
    (
        "iker@talleresnorte.example",
        Ticket.Severity.MINOR,
        Ticket.Kind.CUSTOMIZATION,
        "Presupuesto: exportar pedidos a Excel",
        "Nos gustaría poder descargar los pedidos del mes en una hoja de cálculo.",
        5,
        [("status", "jorge@soporte.example", S.AWAITING_ACCEPTANCE)],
    ),
    (
        "iker@talleresnorte.example",
        Ticket.Severity.MINOR,
        Ticket.Kind.CONSULTATION,
        "Cambiar el logotipo de la cabecera",
        "Tenemos un logotipo nuevo y no encontramos dónde cambiarlo.",
        10,
        [
            ("time", "lucia@soporte.example", 10, "portal"),
            ("time", "lucia@soporte.example", 5, "phone"),
            (
                "reply",
                "lucia@soporte.example",
                "Hecho: el logotipo nuevo ya aparece en la cabecera.",
            ),
            ("status", "lucia@soporte.example", S.RESOLVED),
        ],
    ),
    (
        "emma@brightwave.example",
        Ticket.Severity.MAJOR,
        Ticket.Kind.INTERVENTION,
        "Product images are not shown on mobile",
        "On phones the product pages show empty boxes instead of the photos.",
        1,
        [
            ("assign", "jorge@soporte.example"),
            ("reply", "jorge@soporte.example", "Looking into it now."),
        ],
    ),
    (
        "emma@brightwave.example",
        Ticket.Severity.MINOR,
        Ticket.Kind.CONSULTATION,
        "How do I add a discount code?",
        "We want a 10 % code for our newsletter subscribers.",
        12,
        [
            (
                "reply",
                "lucia@soporte.example",
                "Marketing → Discounts → New code. Done for you: NEWS10.",
            ),
            ("status", "lucia@soporte.example", S.RESOLVED),
            ("status", "emma@brightwave.example", S.CLOSED),
        ],
    ),
    (
        "emma@brightwave.example",
        Ticket.Severity.CRITICAL,
        Ticket.Kind.INTERVENTION,
        "Checkout page is blank",
        "Since the last update the checkout page is completely blank.",
        2,
        [
            (
                "note",
                "jorge@soporte.example",
                "Probably the theme override; compare with 4.2 default.",
            )
        ],
    ),
)


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _backdate(ticket: Ticket, days: int) -> Ticket:
    """Move a just-opened ticket ``days`` back in time, SLA due dates included."""
    opened_at = timezone.now() - timedelta(days=days)
    fields = clock.start(opened_at, ticket.severity) | {
        "created_at": opened_at,
        "last_activity_at": opened_at,
    }
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()
    return ticket


def _play(ticket: Ticket, step) -> None:
    action, who, *rest = step
    user = _user(who)
    if action == "assign":
        services.assign(ticket, user, by=user)
    elif action == "reply":
        services.add_reply(ticket, author=user, body=rest[0])
    elif action == "note":
        services.add_note(ticket, author=user, body=rest[0])
    elif action == "status":
        services.change_status(ticket, rest[0], by=user)
    elif action == "scope":
        services.close_out_of_scope(ticket, by=user, reason=rest[0])
    elif action == "time":
        services.assign(ticket, user, by=user)
        services.log_time(ticket, by=user, minutes=rest[0], channel=rest[1])


def seed(demo) -> None:
    products = {}
    for name, current, obsolete in PRODUCTS:
        products[name], _ = Product.objects.get_or_create(
            name=name, defaults={"current_version": current, "obsolete_versions": obsolete}
        )
    organizations = demo.objects["organizations"]
    today = timezone.localdate()
    for index, product, version, starts, ends in CONTRACTS:
        Contract.objects.get_or_create(
            organization=organizations[index],
            product=products[product],
            version=version,
            defaults={
                "starts_on": today + timedelta(days=starts),
                "ends_on": today + timedelta(days=ends),
            },
        )
    for email, severity, kind, subject, description, days, steps in TICKETS:
        requester = _user(email)
        if Ticket.objects.filter(organization=requester.organization, subject=subject).exists():
            continue
        ticket = services.open_ticket(
            requester,
            products["Tienda online"],
            kind=kind,
            severity=severity,
            subject=subject,
            description=description,
        )
        ticket = _backdate(ticket, days)
        for step in steps:
            _play(ticket, step)
    demo.objects["products"] = products
    demo_charging.seed(demo)
