"""The client's pages: buy, order summary, bank transfer, orders and invoices lists, PDF."""

import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import formats, timezone
from pypdf import PdfReader

from billing import services
from billing.models import EventKind, Order, PaymentEvent
from credits.models import Pack
from tests.accounts.factories import UserFactory
from tests.billing.factories import order, pack, paid_order, registered

pytestmark = pytest.mark.django_db

# Session, user, the page's count and rows, prefetched invoices: the same for 1 or 30 rows.
QUERIES = 6


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_pack_list_shows_prices_with_and_without_vat_and_the_discount(client_client):
    page = client_client.get(reverse("billing:buy")).content.decode()
    for text in ("36,00\xa0€", "7,56\xa0€", "43,56\xa0€", "256,00\xa0€", "53,76\xa0€", "309,76"):
        assert text in page
    assert "10 % de descuento" in page
    assert "20 % de descuento" in page
    assert "IVA (21 %)" in page


def test_the_first_purchase_is_announced_as_the_registration_pack_with_its_date(
    client_client,
):
    page = client_client.get(reverse("billing:buy")).content.decode()
    assert "Su primera compra es su pack de alta" in page
    in_a_year = timezone.localdate() + timedelta(days=365)
    assert f"Los créditos caducan el {formats.date_format(in_a_year, 'DATE_FORMAT')}" in page


@pytest.mark.parametrize(("need", "suggested"), [("45", 60), ("60", 60), ("61", 120), ("500", 480)])
def test_the_credits_an_estimate_needs_suggest_the_pack_that_covers_them(
    client_client, need, suggested
):
    response = client_client.get(reverse("billing:buy"), {"need": need})
    notice = response.content.decode().split('data-testid="need-notice"')[1].split("</div>")[0]
    assert f"el pack de {suggested} créditos" in notice
    assert response.context["suggested"].pack.credits == suggested


@pytest.mark.parametrize("need", ["", "0", "-5", "abc", "99999999999"])
def test_a_missing_or_odd_need_suggests_nothing(client_client, need):
    response = client_client.get(reverse("billing:buy"), {"need": need})
    assert response.status_code == 200
    assert response.context["suggested"] is None
    assert 'data-testid="need-notice"' not in response.content.decode()


def test_a_recharge_is_told_it_never_expires(client_client, organization):
    registered(organization)
    page = client_client.get(reverse("billing:buy")).content.decode()
    assert "pack de alta" not in page
    assert "Estos créditos no caducan nunca." in page


def test_choosing_a_pack_makes_an_order_and_shows_its_summary(client_client, organization):
    response = client_client.post(
        reverse("billing:buy"), {"pack": pack(60).pk, "expected_total": "43.56"}
    )
    new = Order.objects.get()
    assert response.url == new.get_absolute_url()
    page = client_client.get(response.url).content.decode()
    assert "Resumen del pedido" in page
    assert "43,56\xa0€" in page
    in_a_year = timezone.localdate() + timedelta(days=365)
    assert "Este es su pack de alta" in page
    assert formats.date_format(in_a_year, "DATE_FORMAT") in page
    assert "Pagar en línea" in page


@pytest.mark.parametrize(
    "data",
    [{"pack": "999999", "expected_total": "43.56"}, {"pack": "abc"}, {}],
    ids=["unknown-pack", "garbage", "empty"],
)
def test_a_tampered_pack_is_refused_and_logged(client_client, organization, data, caplog):
    response = client_client.post(reverse("billing:buy"), data)
    assert response.status_code == 400
    assert "No hemos podido leer su elección" in response.content.decode()
    assert not Order.objects.exists()
    event = PaymentEvent.objects.get(kind=EventKind.TAMPERED_FORM)
    assert event.organization == organization
    assert "tampered_form" in caplog.text


def test_a_tampered_price_is_refused_and_logged(client_client, organization):
    response = client_client.post(
        reverse("billing:buy"), {"pack": pack(60).pk, "expected_total": "0.01"}
    )
    assert response.status_code == 400
    assert "El precio de este pack ha cambiado" in response.content.decode()
    assert not Order.objects.exists()
    assert PaymentEvent.objects.get().kind == EventKind.PRICE_CHANGED


def test_a_pack_deactivated_after_choosing_is_refused(client_client, organization):
    sixty = pack(60)
    Pack.objects.filter(pk=sixty.pk).update(active=False)
    response = client_client.post(
        reverse("billing:buy"), {"pack": sixty.pk, "expected_total": "43.56"}
    )
    assert response.status_code == 400
    assert "ya no está a la venta" in response.content.decode()
    assert not Order.objects.exists()
    assert PaymentEvent.objects.get().kind == EventKind.PACK_UNAVAILABLE


def test_a_pack_deactivated_before_paying_cancels_the_order(client_client, organization):
    new = order(organization, 60)
    Pack.objects.filter(pk=new.pack_id).update(active=False)
    response = client_client.post(reverse("billing:order_pay", args=[new.pk]), {"method": "online"})
    assert response.url == reverse("billing:buy")
    assert _messages(response) == ["Este pack ya no está a la venta. Elija otro, por favor."]
    new.refresh_from_db()
    assert new.status == Order.Status.CANCELLED
    assert not new.payments.exists()


def test_bank_transfer_shows_the_instructions(client_client, organization, settings):
    new = order(organization, 60)
    response = client_client.post(
        reverse("billing:order_pay", args=[new.pk]), {"method": "bank_transfer"}
    )
    page = client_client.get(response.url).content.decode()
    assert settings.SELLER["iban"] in page
    assert new.code in page
    assert "43,56\xa0€" in page
    new.refresh_from_db()
    assert (new.status, new.method) == (Order.Status.PENDING, Order.Method.BANK_TRANSFER)


def test_pay_only_accepts_a_post_with_a_method(client_client, organization):
    new = order(organization, 60)
    assert client_client.get(reverse("billing:order_pay", args=[new.pk])).status_code == 405
    response = client_client.post(reverse("billing:order_pay", args=[new.pk]), {"method": "x"})
    assert response.url == new.get_absolute_url()
    assert not new.payments.exists()


def test_the_client_can_cancel_a_pending_order(client_client, organization):
    new = order(organization, 60)
    client_client.post(reverse("billing:order_cancel", args=[new.pk]))
    new.refresh_from_db()
    assert new.status == Order.Status.CANCELLED
    page = client_client.get(new.get_absolute_url()).content.decode()
    assert "no se ha cobrado nada" in page


@pytest.mark.parametrize("rows", [1, 30])
def test_the_orders_list_takes_a_fixed_number_of_queries(
    client_client, organization, rows, django_assert_max_num_queries
):
    registered(organization)
    for _ in range(rows):
        paid_order(organization, 15)
    with django_assert_max_num_queries(QUERIES):
        response = client_client.get(reverse("billing:order_list"))
    page = response.content.decode()
    assert page.count("<tr>") == 1 + min(rows, 25)
    assert page.count("Pagado") == min(rows, 25)


@pytest.mark.parametrize("rows", [1, 30])
def test_the_invoices_list_takes_a_fixed_number_of_queries(
    client_client, organization, admin_user, rows, django_assert_max_num_queries
):
    registered(organization)
    for _ in range(rows):
        services.refund_order(paid_order(organization, 15), reason="x", actor=admin_user)
    with django_assert_max_num_queries(QUERIES):
        response = client_client.get(reverse("billing:invoice_list"))
    page = response.content.decode()
    assert page.count("<tr>") == 1 + min(2 * rows, 25)
    # Newest first: corrective, original, corrective... on a page of 25.
    assert page.count("Factura rectificativa") == {1: 1, 30: 13}[rows]


def test_the_invoice_page_and_pdf(client_client, organization):
    invoice = paid_order(organization, 60).invoices.get()
    page = client_client.get(invoice.get_absolute_url()).content.decode()
    assert invoice.number in page
    assert "43,56\xa0€" in page
    response = client_client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="factura-{invoice.number}.pdf"' in response["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\xa0", " ")
    for expected in ("FACTURA", invoice.number, "Cliente Uno S.L.", "B00000000", "43,56 €"):
        assert expected in text


def test_the_invoice_pdf_is_in_the_readers_language(client, organization):
    invoice = paid_order(organization, 60).invoices.get()
    client.force_login(UserFactory(organization=organization, language="en"))
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "INVOICE" in text
    assert "€43.56" in text
    assert f"invoice-{invoice.number}.pdf" in response["Content-Disposition"]


def test_admins_read_every_invoice_other_organizations_none(
    client, organization, admin_user, technician
):
    invoice = paid_order(organization, 60).invoices.get()
    pdf = reverse("billing:invoice_pdf", args=[invoice.pk])
    client.force_login(admin_user)
    assert client.get(pdf).status_code == 200
    assert client.get(invoice.get_absolute_url()).status_code == 200
    for user in (technician, UserFactory()):
        client.force_login(user)
        assert client.get(pdf).status_code == 404
        assert client.get(invoice.get_absolute_url()).status_code == 404
        assert client.get(invoice.order.get_absolute_url()).status_code == 404


def test_the_client_nav_and_the_balance_pages_link_to_buying(client_client):
    buy = reverse("billing:buy")
    dashboard = client_client.get(reverse("dashboard")).content.decode()
    assert f'href="{buy}"' in dashboard
    assert 'data-testid="buy-credits"' in dashboard
    balance = client_client.get(reverse("credits:balance")).content.decode()
    assert 'data-testid="buy-credits"' in balance
    assert "Pedidos y facturas" in balance


def test_staff_balance_pages_have_no_buy_button(staff_client, organization):
    page = staff_client.get(reverse("credits:staff_balance", args=[organization.pk]))
    assert 'data-testid="buy-credits"' not in page.content.decode()
