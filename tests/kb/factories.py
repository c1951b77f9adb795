from itertools import count

from kb import services
from kb.models import Article, Category, Macro
from tests.accounts.factories import TechnicianFactory

_n = count(1)


def category(slug="facturacion", name_es="Facturación", name_en="Billing"):
    return Category.objects.get_or_create(
        slug=slug, defaults={"name_es": name_es, "name_en": name_en}
    )[0]


def article(
    title="Cómo descargar una factura",
    body="Entra en **Facturas** y pulsa *Descargar PDF*.",
    *,
    by=None,
    language="es",
    status=Article.Status.PUBLISHED,
    visibility=Article.Visibility.PUBLIC,
    slug=None,
    products=None,
    **fields,
) -> Article:
    """An article saved through the service (a version, the HTML, the search entry)."""
    return services.save_article(
        None,
        by=by or TechnicianFactory(),
        title=title,
        body=body,
        language=language,
        status=status,
        visibility=visibility,
        slug=slug or f"articulo-{next(_n)}",
        products=products,
        **fields,
    )


def macro(name="Pedir captura", body="Hola {client_name}, ¿nos envías una captura?", **fields):
    return Macro.objects.create(name=name, body=body, **fields)
