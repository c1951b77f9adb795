"""refund_order: corrective invoice, unspent credits back, provider refund, idempotent."""

from decimal import Decimal

import pytest
from django.utils import timezone
from payments import PaymentStatus

from billing import services
from billing.models import EventKind, Invoice, Order, PaymentEvent
from credits import selectors as credit_selectors
from credits.models import EntryKind, LedgerEntry
from notifications.models import OutboxEmail
from tests.billing.factories import order, paid_order, registered
from tests.credits.factories import consume

pytestmark = pytest.mark.django_db


def test_a_refund_issues_a_negative_corrective_invoice_referring_to_the_original(
    organization, client_user, admin_user
):
    paid = paid_order(organization, 60)
    original = paid.invoices.get()
    corrective = services.refund_order(paid, reason="Compra duplicada", actor=admin_user)
    year = timezone.localdate().year
    assert corrective.number == f"R-{year}-0001"
    assert (corrective.kind, corrective.corrects, corrective.order) == (
        Invoice.Kind.CORRECTIVE,
        original,
        paid,
    )
    assert (corrective.base, corrective.vat_amount, corrective.total) == (
        Decimal("-36.00"),
        Decimal("-7.56"),
        Decimal("-43.56"),
    )
    line = corrective.lines.get()
    assert (line.quantity, line.unit_price, line.amount) == (
        -1,
        Decimal("36.00"),
        Decimal("-36.00"),
    )
    assert corrective.reason == "Compra duplicada"
    assert corrective.buyer_name == original.buyer_name
    paid.refresh_from_db()
    assert (paid.status, paid.refund_reason, paid.refunded_by) == (
        Order.Status.REFUNDED,
        "Compra duplicada",
        admin_user,
    )
    assert PaymentEvent.objects.filter(kind=EventKind.REFUNDED, order=paid).count() == 1
    assert OutboxEmail.objects.filter(context__invoice_number=corrective.number).exists()


def test_a_refund_takes_back_only_the_credits_still_unspent(organization, admin_user):
    registered(organization)  # 15 registration credits, spent first (they expire)
    paid = paid_order(organization, 60)
    consume(organization, 15 + 20)
    services.refund_order(paid, reason="Baja", actor=admin_user)
    paid.refresh_from_db()
    assert paid.refund_entry.kind == EntryKind.REFUND
    assert paid.refund_entry.amount == -40
    assert credit_selectors.balance(organization) == 0
    assert list(credit_selectors.ledger_mismatches()) == []


def test_a_refund_is_idempotent(organization, admin_user):
    paid = paid_order(organization, 60)
    first = services.refund_order(paid, reason="Baja", actor=admin_user)
    again = services.refund_order(paid, reason="Otra vez", actor=admin_user)
    assert first == again
    assert Invoice.objects.filter(kind=Invoice.Kind.CORRECTIVE).count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND).count() == 1


def test_a_refund_needs_a_reason_and_a_paid_order(organization, admin_user):
    paid = paid_order(organization, 60)
    with pytest.raises(services.InvalidRequest):
        services.refund_order(paid, reason="   ", actor=admin_user)
    with pytest.raises(services.OrderNotRefundable):
        services.refund_order(order(organization), reason="x", actor=admin_user)
    assert PaymentEvent.objects.filter(kind=EventKind.REFUND_FAILED).count() == 2
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID


def test_a_refund_of_an_online_payment_refunds_it_at_the_provider(organization, admin_user):
    new = order(organization, 60)
    payment = services.start_payment(new, variant="dummy")
    payment.change_status(PaymentStatus.CONFIRMED)
    payment.captured_amount = payment.total
    payment.save()
    _, outcome = services.settle_payment(payment, source="callback")
    assert outcome == services.Outcome.PAID
    services.refund_order(new, reason="Cliente insatisfecho", actor=admin_user)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.captured_amount == Decimal("0.00")
