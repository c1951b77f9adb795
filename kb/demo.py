"""Demo help-centre articles in Spanish and English and two canned replies (called by
``manage.py seed_demo``; safe twice: existing slugs are left as they are)."""

import uuid

from accounts.models import User
from kb import services
from kb.models import Article, Category, Macro

CATEGORIES = (
    ("facturacion", "Facturación y créditos", "Billing and credits"),
    ("tienda", "Tienda online", "Online shop"),
)

# (group key, language, category, visibility, slug, title, body)
ARTICLES = (
    ("invoice", "es", "facturacion", "public", "descargar-factura",
     "Cómo descargar una factura en PDF",
     "En **Facturas** (menú superior) pulsa *Descargar PDF* junto a la factura.\n\n"
     "Las facturas se envían también por correo al emitirse."),
    ("invoice", "en", "facturacion", "public", "download-invoice",
     "How to download an invoice as PDF",
     "In **Invoices** (top menu) press *Download PDF* next to the invoice.\n\n"
     "Invoices are also emailed when they are issued."),
    ("credits", "es", "facturacion", "clients", "como-se-cobran-los-creditos",
     "Cómo se cobran los créditos",
     "1 crédito = 1 minuto. Una consulta cuesta como mínimo 15 créditos; una intervención, 60.\n"
     "Por encima del mínimo, bloques de 15 créditos."),
    ("credits", "en", "facturacion", "clients", "how-credits-are-charged",
     "How credits are charged",
     "1 credit = 1 minute. A consultation costs at least 15 credits; an intervention, 60.\n"
     "Beyond the minimum, blocks of 15 credits."),
    ("cache", "es", "tienda", "public", "vaciar-cache-tienda",
     "La tienda va lenta: vaciar la caché",
     "Desde el panel de la tienda, *Ajustes → Rendimiento → Vaciar caché*. "
     "Si sigue lenta, abre un ticket."),
    ("internal", "es", "tienda", "internal", "reinicio-servidor",
     "Reiniciar el servidor de la tienda (interno)",
     "Procedimiento interno: avisa al cliente antes de reiniciar."),
)  # fmt: skip

MACROS = (
    ("Pedir una captura", "es",
     "Hola {client_name}:\n\n¿Nos puedes enviar una captura de pantalla del error? "
     "Así lo revisamos enseguida ({ticket_reference}).\n\n{technician_name}",
     "awaiting_client", None),
    ("Ask for a screenshot", "en",
     "Hello {client_name},\n\nCould you send us a screenshot of the error? "
     "We will look at it at once ({ticket_reference}).\n\n{technician_name}",
     "awaiting_client", 5),
)  # fmt: skip


def seed(demo) -> None:
    author = User.objects.filter(role=User.Role.TECHNICIAN).order_by("pk").first()
    if author is None:
        return
    categories = {}
    for slug, name_es, name_en in CATEGORIES:
        categories[slug] = Category.objects.get_or_create(
            slug=slug, defaults={"name_es": name_es, "name_en": name_en}
        )[0]
    groups = {}
    for key, language, category, visibility, slug, title, body in ARTICLES:
        existing = Article.objects.filter(language=language, slug=slug).first()
        if existing:
            groups.setdefault(key, existing.group)
            continue
        article = services.save_article(
            None,
            by=author,
            group=groups.setdefault(key, uuid.uuid4()),
            language=language,
            slug=slug,
            title=title,
            body=body,
            category=categories[category],
            visibility=visibility,
            status=Article.Status.PUBLISHED,
            tags="",
        )
        groups[key] = article.group
    for name, language, body, status, minutes in MACROS:
        Macro.objects.get_or_create(
            name=name,
            owner=None,
            defaults={"language": language, "body": body, "status": status, "minutes": minutes},
        )
