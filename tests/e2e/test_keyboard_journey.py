"""Issue 21, keyboard only (WCAG 2.1.1, 2.4.1, 2.4.3, 2.4.7): a client logs in, opens a
ticket, replies, buys a pack and downloads its invoice with Tab, Shift+Tab, Enter and Space
(page.keyboard only, no clicks, no fill). After every key press the focused element must
show a visible focus indicator (it matches :focus-visible and has an outline or a box
shadow); each step checks that the focus reached the element it expects, in the order of
the page. Every page starts with the skip link."""

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from billing.models import Invoice
from tests.e2e.conftest import screenshot

# What the focused element is, and whether its focus can be seen.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  // Focus inside the element's own parts (a date field's calendar button) counts too.
  const keyboard = el.matches(":focus-visible") || el.matches(":focus-within:not(:focus)");
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 80),
    name: el.getAttribute("name"),
    id: el.id,
    href: el.getAttribute("href"),
    testid: el.dataset.testid || null,
    visible: keyboard && (outline || shadow),
    inMain: !!el.closest("main"),
  };
}"""
MAX_TABS = 40
ORDER_URL = re.compile(r"/billing/orders/\d+/")


def focused(page) -> dict:
    info = page.evaluate(FOCUSED)
    assert info is not None, "nothing has the focus"
    assert info["visible"], f"focus not visible on {info}"
    return info


def press(page, key: str) -> dict:
    page.keyboard.press(key)
    return focused(page)


def tab_to(page, matches, *, key: str = "Tab", within: int = MAX_TABS) -> dict:
    """Press Tab (or Shift+Tab) until ``matches(focused)``; every element on the way must
    show its focus. Fails when the element is not reached within ``within`` presses."""
    seen = []
    for _ in range(within):
        info = press(page, key)
        if matches(info):
            return info
        seen.append(info["text"] or info["name"] or info["tag"])
    raise AssertionError(f"not reached in {within} {key} presses; went through {seen}")


def skip_to_content(page) -> None:
    """First Tab of a page: the skip link, visible; Enter moves on to the main content.
    (A page reached with #main in its address, after a form sent from a page the skip link
    was used on, starts in the main content already.)"""
    if page.url.endswith("#main"):
        assert press(page, "Tab")["inMain"]
        page.keyboard.press("Shift+Tab")
        return
    info = press(page, "Tab")
    assert info["href"] == "#main", info
    assert page.locator("a[href='#main']").is_visible()
    page.keyboard.press("Enter")
    info = press(page, "Tab")
    assert info["inMain"], f"after the skip link the focus is outside <main>: {info}"
    page.keyboard.press("Shift+Tab")  # back, so the caller's first Tab lands on that element


def text_is(text):
    return lambda info: info["text"] == text


@pytest.fixture
def demo(transactional_db, live_server, settings):
    call_command("seed_demo", stdout=io.StringIO())
    settings.SITE_URL = live_server.url


def test_client_journey_with_the_keyboard_only(page, demo):
    # Log in: the email field has the focus already (autofocus), visibly; Shift+Tab goes
    # back up to the skip link; then email, password, the button (a client has no second
    # factor).
    page.goto(f"{page.base_url}/accounts/login/")
    assert focused(page)["name"] == "username"
    tab_to(page, lambda f: f["href"] == "#main", key="Shift+Tab", within=3)
    assert tab_to(page, lambda f: f["name"] == "username", within=3)["tag"] == "input"
    page.keyboard.type("marta@laespiga.example")
    assert press(page, "Tab")["name"] == "password"
    page.keyboard.type("demo-soporte-2026")
    info = press(page, "Tab")
    assert (info["tag"], info["text"]) == ("button", "Iniciar sesión"), info
    # Shift+Tab goes back to the password, Tab forward again: the order is the visual one.
    assert press(page, "Shift+Tab")["name"] == "password"
    assert press(page, "Tab")["text"] == "Iniciar sesión"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")

    # Open a ticket: the skip link goes past the navigation; Shift+Tab back into it reaches
    # the "Tickets" link of the menu.
    info = press(page, "Tab")
    assert info["href"] == "#main", info
    tab_to(page, text_is("Tickets"), within=4)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/tickets/")
    skip_to_content(page)
    assert tab_to(page, text_is("Abrir un ticket"))["tag"] == "a"
    link = tab_to(
        page,
        lambda f: (
            (f["href"] or "").startswith("/tickets/") and f["inMain"] and f["text"].startswith("T-")
        ),
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**{link['href']}")

    # Reply: the message field, type, Tab to "Send reply", Space to send.
    skip_to_content(page)
    reply = tab_to(page, lambda f: f["tag"] == "textarea" and f["name"] == "body")
    assert reply["id"]
    page.keyboard.type("Gracias, lo pruebo con el teclado.")
    tab_to(page, text_is("Enviar respuesta"), within=4)
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.get_by_text("Gracias, lo pruebo con el teclado.").first.is_visible()
    screenshot(page, "keyboard-reply-sent")

    # Buy a pack: menu link, the pack's button (Enter), pay online, the test provider's
    # form (its choice and the Pay button).
    tab_to(page, text_is("Comprar créditos"), within=12)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/billing/buy/")
    skip_to_content(page)
    tab_to(page, text_is("Comprar 60 créditos"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(ORDER_URL)
    skip_to_content(page)
    tab_to(page, lambda f: f["text"].startswith("Pagar en línea"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/billing/payments/*/")
    skip_to_content(page)
    tab_to(page, lambda f: f["tag"] in ("select", "input") and f["inMain"])
    tab_to(page, lambda f: f["tag"] == "button" and f["text"].startswith("Pagar"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(ORDER_URL)
    assert page.get_by_test_id("order-status").inner_text() == "Pagado"
    screenshot(page, "keyboard-order-paid")

    # Download the invoice: Tab to its PDF link, Enter.
    skip_to_content(page)
    tab_to(page, lambda f: f["testid"] == "invoice-pdf")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    invoice = Invoice.objects.get(order__organization__name__startswith="Panadería")
    download = download_info.value
    assert download.suggested_filename == f"factura-{invoice.number}.pdf"
    with open(download.path(), "rb") as pdf:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    assert invoice.number in text


# --- Staff (issue 21): a technician and an admin, keyboard only too ----------------------


@pytest.fixture
def desk(transactional_db):
    """A client with credits and two open tickets, a technician and an admin (both with
    their authenticator app, tests/accounts/mfa.py)."""
    from tests.accounts.factories import AdminFactory, TechnicianFactory, UserFactory
    from tests.tickets.factories import ProductFactory, grant_credits, open_ticket

    product = ProductFactory(name="Tienda online")
    client = UserFactory(email="marta@cliente.example", full_name="Marta Cliente")
    grant_credits(client.organization, 100)
    open_ticket(client, product=product, subject="Las facturas salen sin logotipo")
    ticket = open_ticket(client, product=product, subject="El carrito no guarda productos")
    return {
        "ticket": ticket,
        "technician": TechnicianFactory(full_name="Lucía Técnica"),
        "admin": AdminFactory(full_name="Admin Uno"),
    }


def log_in_with_the_keyboard(page, email: str, password: str) -> None:
    """The login page (the email field has the focus), then the second factor's page: the
    code field has the focus; Tab to «Verificar», Enter."""
    from tests.accounts.factories import PASSWORD
    from tests.e2e.conftest import next_totp_code

    assert focused(page)["name"] == "username"
    page.keyboard.type(email)
    assert press(page, "Tab")["name"] == "password"
    page.keyboard.type(password or PASSWORD)
    assert press(page, "Tab")["text"] == "Iniciar sesión"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/2fa/verify/**")
    assert focused(page)["name"] == "code"
    page.keyboard.type(next_totp_code(email))
    tab_to(page, text_is("Verificar"), within=3)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_technician_journey_with_the_keyboard_only(page, desk):
    from tests.accounts.factories import PASSWORD
    from tickets.models import Ticket

    technician, ticket = desk["technician"], desk["ticket"]
    page.goto(f"{page.base_url}/accounts/login/")
    log_in_with_the_keyboard(page, technician.email, PASSWORD)
    page.wait_for_url("**/dashboard/")

    # The queue from the menu; its search field finds the ticket (typed, Enter).
    assert press(page, "Tab")["href"] == "#main"
    tab_to(page, text_is("Cola"), within=4)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/tickets/queue/")
    skip_to_content(page)
    assert tab_to(page, lambda f: f["name"] == "q")["tag"] == "input"
    page.keyboard.type("carrito")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=carrito" in page.url
    skip_to_content(page)
    tab_to(page, lambda f: f["href"] == ticket.get_absolute_url() and f["inMain"], within=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**{ticket.get_absolute_url()}")

    # Reply: the public reply field, type, Tab to «Enviar respuesta», Space.
    skip_to_content(page)
    reply = tab_to(page, lambda f: f["tag"] == "textarea" and f["name"] == "body")
    assert reply["id"]
    page.keyboard.type("Lo reviso ahora mismo, con el teclado.")
    tab_to(page, text_is("Enviar respuesta"), within=6)
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.get_by_text("Lo reviso ahora mismo, con el teclado.").first.is_visible()

    # Log 20 minutes by hand: the «Registrar tiempo a mano» disclosure opens with Enter,
    # then minutes, Tab on to «Registrar tiempo», Enter.
    skip_to_content(page)
    summary = tab_to(page, lambda f: f["tag"] == "summary", within=MAX_TABS * 2)
    page.keyboard.press("Enter")
    assert page.locator("#time details").get_attribute("open") is not None, summary
    tab_to(page, lambda f: f["name"] == "time-minutes", within=4)
    page.keyboard.type("20")
    tab_to(page, text_is("Registrar tiempo"), within=8)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_test_id("time-entry").count() == 1
    screenshot(page, "keyboard-staff-time-logged")

    # Back on the ticket at its «Tiempo y cargo» card (#time): the next Tab starts there,
    # at the timer's channel. Resolve: the «Resolver…» link, then on the confirmation page
    # «Resolver el ticket».
    assert page.url.endswith("#time")
    assert press(page, "Tab")["name"] == "timer-channel"
    tab_to(page, lambda f: f["testid"] == "resolve-link", within=MAX_TABS)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/resolve/")
    # 20 minutes: the first 15 and one more block of 15 (SPEC's charging rule).
    assert page.get_by_test_id("to-charge").inner_text() == "30"
    skip_to_content(page)
    tab_to(page, lambda f: f["testid"] == "confirm-resolve", within=MAX_TABS)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Back on the ticket (at #main: the redirect keeps the fragment the skip link set).
    page.wait_for_url(f"**{ticket.get_absolute_url()}#main")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert page.get_by_test_id("ticket-status").inner_text() == "Resuelto"
    screenshot(page, "keyboard-staff-resolved")


def admin_skip_to_content(page) -> None:
    """Django admin's skip link: first Tab, visible; Enter gives <main> the focus."""
    info = press(page, "Tab")
    assert info["href"] == "#content-start", info
    # The portal's two-tone ring (static/css/admin-focus.css), not the browser's default.
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineColor, s.outlineWidth, s.boxShadow]; }"
    )
    assert ring[:2] == ["rgb(10, 61, 145)", "2px"], ring
    assert "rgb(255, 255, 255)" in ring[2], ring
    assert page.locator("a[href='#content-start']").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content-start"


def test_admin_changes_a_pack_price_in_django_admin_with_the_keyboard_only(page, desk):
    from decimal import Decimal

    from credits.models import Pack
    from tests.accounts.factories import PASSWORD

    pack = Pack.objects.filter(active=True).order_by("position", "credits").first()
    new_price = pack.price + Decimal("5.50")

    # /admin/ sends to the site's login (second factor included), then back to /admin/.
    page.goto(f"{page.base_url}/admin/")
    page.wait_for_url("**/accounts/login/?next=/admin/")
    log_in_with_the_keyboard(page, desk["admin"].email, PASSWORD)
    page.wait_for_url("**/admin/")

    # Every admin page starts with Django admin's own skip link, past the header and the
    # navigation sidebar; then the «Packs de créditos» list, then the pack.
    admin_skip_to_content(page)
    tab_to(page, text_is("Packs de créditos"), within=MAX_TABS * 2)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/admin/credits/pack/")
    admin_skip_to_content(page)
    change_url = f"/admin/credits/pack/{pack.pk}/change/"
    tab_to(page, lambda f: (f["href"] or "").endswith(change_url), within=MAX_TABS)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**{change_url}")

    # The price field: select what it holds, type the new price, Tab on to «Guardar».
    admin_skip_to_content(page)
    tab_to(page, lambda f: f["name"] == "price", within=MAX_TABS)
    page.keyboard.press("Control+A")
    page.keyboard.type(str(new_price))
    tab_to(page, lambda f: f["name"] == "_save", within=MAX_TABS)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Back on the list (the redirect keeps the fragment the skip link set).
    page.wait_for_url("**/admin/credits/pack/#content-start")
    pack.refresh_from_db()
    assert pack.price == new_price
    assert page.locator(".messagelist .success").is_visible()
    screenshot(page, "keyboard-admin-pack-price")
