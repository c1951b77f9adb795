"""Demo estimates, a quote, a security checklist and access data (called at the end of
``tickets.demo.seed``; safe twice). Time entries and the charged resolution come with the
demo tickets' steps (``("time", ...)`` before ``("status", ..., resolved)``)."""

from accounts.models import User
from tickets import services
from tickets.models import Credential, Estimate, SecurityChecklist, Ticket

# (ticket subject, technician, kind, credits, description)
ESTIMATES = (
    (
        "El buscador de productos no devuelve resultados",
        "lucia@soporte.example",
        Estimate.Kind.ESTIMATE,
        45,
        "Reindexar el catálogo y revisar la configuración del buscador (unos 45 minutos).",
    ),
    (
        "Presupuesto: exportar pedidos a Excel",
        "jorge@soporte.example",
        Estimate.Kind.QUOTE,
        240,
        "Nuevo botón «Exportar a Excel» en el listado de pedidos, con filtro por mes.",
    ),
)


def _ticket(subject: str) -> Ticket | None:
    return Ticket.objects.filter(subject=subject).first()


def seed(demo) -> None:
    for subject, email, kind, credits, description in ESTIMATES:
        ticket = _ticket(subject)
        if ticket is None or ticket.is_finished or ticket.estimates.exists():
            continue
        services.send_estimate(
            ticket,
            by=User.objects.get(email=email),
            credits=credits,
            description=description,
            kind=kind,
        )
    update = _ticket("Actualización de seguridad de la tienda")
    if update is not None and not SecurityChecklist.objects.filter(ticket=update).exists():
        services.update_security_checklist(
            update,
            by=User.objects.get(email="jorge@soporte.example"),
            code_backup=True,
            database_backup=True,
        )
    _access_data()


def _access_data() -> None:
    """La Espiga's shop administration (revealed once by Lucía) and a ticket's FTP."""
    marta = User.objects.filter(email="marta@laespiga.example").first()
    broken = _ticket("La tienda no carga: error 500 en todas las páginas")
    if marta is None or broken is None:
        return
    if not Credential.objects.filter(organization=marta.organization).exists():
        shop = services.store_credential(
            marta.organization,
            by=marta,
            label="Administración de la tienda",
            fields={
                "url": "https://tienda.laespiga.example/admin",
                "username": "marta",
                "password": "demo-Espiga-2026!",
            },
        )
        services.store_credential(
            marta.organization,
            by=marta,
            label="FTP del alojamiento",
            kind=Credential.Kind.FTP,
            fields={"host": "ftp.laespiga.example", "username": "espiga", "password": "demo-ftp"},
            ticket=broken,
        )
        services.reveal_credential(shop, by=User.objects.get(email="lucia@soporte.example"))
