"""Issue 10, mobile: a client walks every page of theirs on a 390x844 phone (iPhone 12 to
15 size) and never needs to scroll sideways: the document is never wider than the screen.
Long texts are the worst case (a long organization name, a subject with an unbroken URL,
long movement reasons and access-data addresses). The ticket list becomes cards."""

import pytest

from tests.accounts.factories import PASSWORD, TechnicianFactory, UserFactory
from tests.billing.factories import order, paid_order
from tests.credits.factories import consume
from tests.e2e.conftest import login, screenshot
from tests.tickets.factories import (
    ContractFactory,
    ProductFactory,
    grant_credits,
    open_ticket,
    send_estimate,
    store_credential,
)
from tickets import services

PHONE = {"width": 390, "height": 844}
LONG_URL = "https://tienda-de-ejemplo.example/administracion/configuracion/pagos/pasarela-redsys"

# The elements that stick out of the screen, for the failure message.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
      let scrolls = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) { scrolls = true; break; }
      }
      const cls = typeof el.className === 'string' ? el.className.split(' ').join('.') : '';
      if (!scrolls) out.push(`${el.tagName.toLowerCase()}.${cls} right=${Math.round(box.right)}`);
    }
  }
  return out.slice(0, 8);
}"""


@pytest.fixture
def phone(browser, page):
    """A page the size of a phone, on the same live server."""
    context = browser.new_context(
        locale="es-ES", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.base_url = page.base_url
    yield phone
    context.close()


@pytest.fixture
def client_data(transactional_db):
    product = ProductFactory(name="Tienda online con pasarela de pago y gestión de almacén")
    client = UserFactory(
        email="marta.fernandez-villanueva@talleres-y-recambios-del-norte.example",
        full_name="Marta Fernández Villanueva de los Santos",
        organization__name="Talleres y Recambios del Norte de la Península S.L.",
    )
    organization = client.organization
    ContractFactory(organization=organization, product=product)
    technician = TechnicianFactory(full_name="Lucía Técnica")
    paid_order(organization, 60)
    pending = order(organization, 120)
    grant_credits(organization, 500)
    for n in range(6):
        consume(
            organization,
            15,
            reason=f"Revisión de la configuración del servidor de correo, envío {n} {LONG_URL}",
            reference_label=f"T-2026-{n:05d} Los pedidos no llegan al almacén",
            work_minutes=12,
        )
    ticket = open_ticket(
        client,
        product=product,
        severity="critical",
        kind="intervention",
        subject=f"La pasarela de pago falla en {LONG_URL}",
        description=f"Desde las 9:00 el pago con tarjeta devuelve un error en {LONG_URL}.",
    )
    services.assign(ticket, technician, by=technician)
    services.add_reply(
        ticket, author=technician, body=f"Revisamos {LONG_URL} y el registro de errores."
    )
    send_estimate(ticket, technician, 90)
    for n in range(3):
        open_ticket(client, product=product, subject=f"Cambiar el pie de página número {n}")
    store_credential(
        client,
        label="Panel de administración de la tienda en producción",
        url=LONG_URL,
        username="administrador-principal",
        password="s3creto",
    )
    store_credential(client, ticket=ticket, label="Servidor FTP")
    return {"client": client, "ticket": ticket, "order": pending}


def client_pages(data) -> dict[str, str]:
    from billing.models import Invoice

    invoice = Invoice.objects.get(order__organization=data["client"].organization)
    return {
        "dashboard": "/dashboard/",
        "tickets": "/tickets/",
        "ticket": data["ticket"].get_absolute_url(),
        "new-ticket": "/tickets/new/",
        "access-data": "/tickets/access-data/",
        "balance": "/credits/",
        "lots": "/credits/lots/",
        "movements": "/credits/movements/",
        "statements": "/credits/statements/",
        "buy": "/billing/buy/",
        "orders": "/billing/orders/",
        "order": data["order"].get_absolute_url(),
        "invoices": "/billing/invoices/",
        "invoice": invoice.get_absolute_url(),
        "profile": "/accounts/profile/",
        "organization": "/accounts/organization/",
        "password": "/accounts/password/change/",
        "api-keys": "/integrations/keys/",
    }


def test_every_client_page_fits_a_phone_without_sideways_scrolling(phone, client_data):
    login(phone, client_data["client"].email, PASSWORD)
    phone.wait_for_url("**/dashboard/")
    wide = {}
    for language in ("es", "en"):  # English words are other lengths: both must fit
        if language == "en":
            phone.locator("button[name=language][value=en]").click()
            phone.wait_for_load_state()
            assert phone.locator("html").get_attribute("lang") == "en"
        for name, url in client_pages(client_data).items():
            response = phone.goto(f"{phone.base_url}{url}")
            assert response.status == 200, (name, url, response.status)
            scroll_width = phone.evaluate("document.documentElement.scrollWidth")
            if scroll_width > PHONE["width"]:
                wide[f"{language}:{name}"] = (scroll_width, phone.evaluate(OVERFLOW_JS))
                screenshot(phone, f"mobile-overflow-{language}-{name}")
    assert wide == {}
    phone.locator("button[name=language][value=es]").click()
    phone.wait_for_load_state()

    # The ticket list is a list of cards: no table header, one card per ticket.
    phone.goto(f"{phone.base_url}/tickets/")
    list_ = phone.get_by_test_id("ticket-list")
    assert not list_.locator("thead").is_visible()
    rows = list_.get_by_test_id("ticket-row")
    assert rows.count() == 4
    first = rows.first.bounding_box()
    second = rows.nth(1).bounding_box()
    assert first["width"] <= PHONE["width"]
    assert second["y"] >= first["y"] + first["height"]  # stacked, one under the other
    assert "Cambiar el pie de página número 2" in rows.first.inner_text()
    # Each line of a card is named by its column (the hidden header's words).
    labels = rows.first.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert '"Estado"' in labels
    assert '"Gravedad"' in labels
    screenshot(phone, "mobile-ticket-cards")
    for name in ("access-data", "movements", "ticket"):
        phone.goto(f"{phone.base_url}{client_pages(client_data)[name]}")
        screenshot(phone, f"mobile-{name}")
