"""confirm_payment: credits, invoice and its email, once, in one transaction."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from billing import services
from billing.models import EventKind, Invoice, InvoiceCounter, Order, PaymentEvent
from credits import selectors as credit_selectors
from credits.models import EntryKind, LedgerEntry, Lot
from notifications.models import OutboxEmail
from tests.accounts.factories import UserFactory
from tests.billing.factories import order, registered

pytestmark = pytest.mark.django_db


def test_confirm_payment_grants_the_credits_and_issues_the_invoice(organization):
    registered(organization)
    new = order(organization, 60)
    invoice = services.confirm_payment(new, provider_reference="TRF-1")
    new.refresh_from_db()
    assert new.status == Order.Status.PAID
    assert new.paid_at is not None
    assert new.provider_reference == "TRF-1"
    assert credit_selectors.balance(organization) == 15 + 60
    entry = new.grant_entry
    assert (entry.kind, entry.amount, entry.lot.expires_at) == (EntryKind.PURCHASE, 60, None)
    assert entry.reference == invoice
    assert entry.reference_label == invoice.number
    assert isinstance(invoice, Invoice)
    assert invoice.order == new
    assert (invoice.series, invoice.year, invoice.sequence) == ("A", timezone.localdate().year, 1)
    assert isinstance(invoice.sequence, int)
    assert (invoice.base, invoice.vat_rate, invoice.vat_amount, invoice.total) == (
        Decimal("36.00"),
        Decimal("21.00"),
        Decimal("7.56"),
        Decimal("43.56"),
    )
    line = invoice.lines.get()
    assert (line.credits, line.quantity, line.unit_price, line.amount) == (
        60,
        1,
        Decimal("36.00"),
        Decimal("36.00"),
    )
    assert PaymentEvent.objects.filter(kind=EventKind.CONFIRMED, order=new).count() == 1


def test_calling_it_again_changes_nothing_and_returns_the_same_invoice(organization):
    new = order(organization, 60)
    first = services.confirm_payment(new, provider_reference="R1")
    again = services.confirm_payment(new, provider_reference="R1")
    other_reference = services.confirm_payment(new, provider_reference="R2")
    assert first == again == other_reference
    assert Invoice.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.REGISTRATION).count() == 1
    assert credit_selectors.balance(organization) == 60
    assert PaymentEvent.objects.filter(kind=EventKind.REPLAYED).count() == 2
    new.refresh_from_db()
    assert new.provider_reference == "R1"


def test_the_registration_pack_expires_after_a_year(organization):
    new = order(organization, 60)
    invoice = services.confirm_payment(new, provider_reference="R")
    lot = Lot.objects.get()
    assert lot.kind == EntryKind.REGISTRATION
    expected = timezone.now() + timedelta(days=365)
    assert abs(lot.expires_at - expected) < timedelta(minutes=1)
    line = invoice.lines.get()
    assert line.kind == "registration"
    assert line.expires_on == timezone.localdate(lot.expires_at)


def test_registration_is_decided_again_when_paid(organization):
    """Two orders made as registration: the first one paid is the registration pack, the
    second a recharge that never expires."""
    first, second = order(organization, 60), order(organization, 120)
    assert first.is_registration
    assert second.is_registration
    services.confirm_payment(second, provider_reference="B")
    services.confirm_payment(first, provider_reference="A")
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_registration
    assert not first.is_registration
    assert Lot.objects.get(granted=120).kind == EntryKind.REGISTRATION
    assert Lot.objects.get(granted=60).expires_at is None


def test_an_order_made_as_a_recharge_is_a_registration_if_nothing_was_paid(organization):
    """Only possible through the API (pages sell by the current status): honour the rule."""
    new = order(organization, 60)
    Order.objects.filter(pk=new.pk).update(is_registration=False)
    services.confirm_payment(new, provider_reference="R")
    assert Lot.objects.get().kind == EntryKind.REGISTRATION


def test_a_cancelled_order_is_still_honoured_when_its_money_arrives(organization):
    new = services.cancel_order(order(organization))
    services.confirm_payment(new, provider_reference="late")
    new.refresh_from_db()
    assert new.status == Order.Status.PAID
    assert credit_selectors.balance(organization) == 60


def test_an_amount_that_does_not_match_grants_nothing_and_is_logged(organization, caplog):
    new = order(organization, 60)
    with pytest.raises(services.AmountMismatch):
        services.confirm_payment(new, provider_reference="R", amount=Decimal("36.00"))
    new.refresh_from_db()
    assert new.status == Order.Status.PENDING
    assert not Invoice.objects.exists()
    assert credit_selectors.balance(organization) == 0
    event = PaymentEvent.objects.get(kind=EventKind.AMOUNT_MISMATCH)
    assert event.level == PaymentEvent.Level.ERROR
    assert event.data == {"expected": "43.56", "received": "36.00"}
    assert "amount_mismatch" in caplog.text
    services.confirm_payment(new, provider_reference="R", amount=Decimal("43.56"))
    assert credit_selectors.balance(organization) == 60


def test_a_reference_is_required(organization):
    with pytest.raises(services.InvalidRequest):
        services.confirm_payment(order(organization), provider_reference="  ")


def test_invoice_numbers_are_correlative_per_series_and_year(organization, other_organization):
    numbers = [
        services.confirm_payment(order(org), provider_reference=f"r{i}").number
        for i, org in enumerate([organization, other_organization, organization])
    ]
    year = timezone.localdate().year
    assert numbers == [f"A-{year}-0001", f"A-{year}-0002", f"A-{year}-0003"]
    counter = InvoiceCounter.objects.get(series="A", year=year)
    assert counter.last == 3


def test_a_new_year_starts_again_at_one(organization, settings):
    InvoiceCounter.objects.create(series="A", year=2020, last=41)
    invoice = services.confirm_payment(order(organization), provider_reference="r")
    assert invoice.sequence == 1


def test_a_rolled_back_payment_gives_its_number_back(organization, other_organization):
    def pay_then_fail():
        with transaction.atomic():
            services.confirm_payment(order(organization), provider_reference="lost")
            raise RuntimeError("the surrounding transaction fails")

    with pytest.raises(RuntimeError):
        pay_then_fail()
    assert not Invoice.objects.exists()
    assert not OutboxEmail.objects.exists()  # the email row went with it
    assert credit_selectors.balance(organization) == 0
    assert services.confirm_payment(order(other_organization), provider_reference="r").sequence == 1


def test_seller_and_buyer_are_copied_onto_the_invoice(organization, settings):
    organization.tax_id = "B11111111"
    organization.province = "Madrid"
    organization.save()
    invoice = services.confirm_payment(order(organization), provider_reference="r")
    organization.name = "Nombre Nuevo S.L."
    organization.tax_id = "B22222222"
    organization.address = "Otra calle 9"
    organization.save()
    settings.SELLER = {**settings.SELLER, "name": "Otro Vendedor S.L."}
    invoice.refresh_from_db()
    assert invoice.buyer_name == "Cliente Uno S.L."
    assert invoice.buyer_tax_id == "B11111111"
    assert invoice.buyer_address_lines == ["Calle Mayor 1", "28013 Madrid", "Madrid", "España"]
    assert invoice.seller_name == "Soporte Créditos S.L."
    assert invoice.seller_tax_id == "B00000000"


def test_the_invoice_email_is_queued_in_the_same_transaction_with_the_pdf(
    organization, client_user, django_capture_on_commit_callbacks
):
    UserFactory(organization=organization, language="en", email="en@cliente-uno.example")
    with django_capture_on_commit_callbacks(execute=False):
        invoice = services.confirm_payment(order(organization, 60), provider_reference="r")
        rows = list(OutboxEmail.objects.order_by("pk"))
    assert [row.kind for row in rows] == ["invoice_issued", "invoice_issued"]
    assert rows[0].attachments == [["invoice_pdf", {"invoice_id": invoice.pk}]]
    assert rows[0].context["invoice_number"] == invoice.number
    assert rows[0].context["total"] == "43.56"
    assert rows[0].dedupe_key == f"billing:invoice:{invoice.pk}:{client_user.pk}"


def test_the_invoice_email_is_sent_once_with_the_pdf_in_each_language(
    organization, client_user, django_capture_on_commit_callbacks
):
    UserFactory(organization=organization, language="en", email="en@cliente-uno.example")
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.confirm_payment(order(organization, 60), provider_reference="r")
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_payment(invoice.order, provider_reference="r")
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    spanish, english = by_address[client_user.email], by_address["en@cliente-uno.example"]
    assert invoice.number in spanish.subject
    texts = {}
    for message in (spanish, english):
        filename, content, mimetype = message.attachments[0]
        assert mimetype == "application/pdf"
        pages = PdfReader(io.BytesIO(content)).pages
        texts[filename] = "\n".join(p.extract_text() for p in pages).replace("\xa0", " ")
    assert "43,56 €" in texts[f"factura-{invoice.number}.pdf"]
    assert "€43.56" in texts[f"invoice-{invoice.number}.pdf"]


def test_mark_paid_by_transfer_records_the_admin_and_the_reference(organization, admin_user):
    new = services.choose_bank_transfer(order(organization))
    invoice = services.mark_paid_by_transfer(new, reference="BANK-7781", actor=admin_user)
    new.refresh_from_db()
    assert (new.status, new.method, new.provider_reference, new.paid_by) == (
        Order.Status.PAID,
        Order.Method.BANK_TRANSFER,
        "BANK-7781",
        admin_user,
    )
    assert new.grant_entry.actor == admin_user
    assert services.mark_paid_by_transfer(new, reference="again", actor=admin_user) == invoice
    with pytest.raises(services.InvalidRequest):
        services.mark_paid_by_transfer(order(organization), reference="x", actor=None)
