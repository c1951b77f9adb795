"""Refunds by admins: a corrective invoice, the unspent credits taken back, the money back."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from payments import PaymentError, PaymentStatus

from accounts.models import Organization, User
from billing.errors import (
    BillingError,
    InvalidRequest,
    OrderNotRefundable,
    RefundFailed,
    VerifactuError,
)
from billing.models import EventKind, EventSource, Invoice, Order, Payment, PaymentEvent
from billing.notify import queue_invoice_email
from billing.services import invoicing
from billing.services.confirmation import log_verifactu_failure
from billing.services.events import record_event
from credits import services as credit_services

REFUND_REASON = gettext_noop("Refund of a credit pack")


def refund_order(order: Order, *, reason: str, actor: User) -> Invoice:
    """Refund a paid order: a corrective invoice (its own series, negative amounts, referring
    to the original), a ledger entry taking back only the order's credits still unspent,
    the order marked refunded and, when it was paid online, the provider's refund through
    django-payments, all in one transaction (a refused provider refund changes nothing).

    Idempotent: a refunded order returns its corrective invoice. Raises InvalidRequest (no
    reason or admin), OrderNotRefundable, RefundFailed; each leaves an event.
    """
    try:
        return _refund(order, reason=str(reason or "").strip(), actor=actor)
    except BillingError as exc:
        if isinstance(exc, VerifactuError):
            log_verifactu_failure(exc, order=order)
        record_event(
            EventKind.REFUND_FAILED,
            source=EventSource.ADMIN,
            level=PaymentEvent.Level.ERROR,
            order=order,
            actor=actor,
            message=str(exc.message),
            data={"reason": str(reason or "")[:200]},
        )
        raise


@transaction.atomic
def _refund(order: Order, *, reason: str, actor: User) -> Invoice:
    if not reason:
        raise InvalidRequest(_("A refund needs a reason."))
    if actor is None or getattr(actor, "pk", None) is None:
        raise InvalidRequest(_("A refund needs the admin who makes it."))
    organization = Organization.objects.select_for_update(no_key=True).get(pk=order.organization_id)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == Order.Status.REFUNDED:
        return order.invoices.get(kind=Invoice.Kind.CORRECTIVE)
    if order.status != Order.Status.PAID:
        raise OrderNotRefundable()

    now = timezone.now()
    original = order.invoices.get(kind=Invoice.Kind.INVOICE)
    corrective = invoicing.issue_corrective(original, issued_at=now, reason=reason)
    entry = credit_services.refund_lot(
        order.grant_entry.lot,
        reason=REFUND_REASON,
        actor=actor,
        idempotency_key=f"billing:order:{order.pk}:refund",
        reference=corrective,
        reference_label=corrective.number,
    )
    order.status = Order.Status.REFUNDED
    order.refunded_at = now
    order.refund_reason = reason[:255]
    order.refunded_by = actor
    order.refund_entry = entry
    order.save(
        update_fields=["status", "refunded_at", "refund_reason", "refunded_by", "refund_entry"]
    )
    queue_invoice_email(corrective, organization)
    payment = _paying_payment(order)
    if payment is not None:
        # Last: the only step that cannot be rolled back. If the provider refuses, the
        # whole refund (invoice, credits, state) rolls back with it.
        try:
            payment.refund(amount=payment.captured_amount)
        except (PaymentError, ValueError, NotImplementedError) as exc:
            raise RefundFailed(
                _("The payment provider refused the refund (%(error)s); nothing was changed.")
                % {"error": exc}
            ) from exc
    record_event(
        EventKind.REFUNDED,
        source=EventSource.ADMIN,
        order=order,
        payment=payment,
        actor=actor,
        message=_(
            "Order %(code)s refunded: corrective invoice %(number)s, %(credits)s unspent "
            "credits taken back."
        )
        % {"code": order.code, "number": corrective.number, "credits": -entry.amount},
        data={
            "reason": reason[:200],
            "credits_taken_back": -entry.amount,
            "provider_refund": str(payment.captured_amount if payment else ""),
        },
    )
    return corrective


def _paying_payment(order: Order) -> Payment | None:
    """The online payment that paid the order (None for a bank transfer)."""
    for payment in Payment.objects.select_for_update().filter(
        order=order, status=PaymentStatus.CONFIRMED
    ):
        if payment.reference == order.provider_reference:
            return payment
    return None
