"""Online payments: let the provider update a payment, then settle the order, once.

Every path where a provider may change a payment (the test provider's form, the return
page, a per-payment callback, a webhook) goes through ``settle_payment``: it locks the
organization, the order and the payment, in that order, lets the provider do its update,
and then decides, under those locks:

- confirmed, with the order's amount → ``confirm_payment`` (credits and invoice, once);
- confirmed again (a replayed or concurrent callback) → nothing more (an event);
- confirmed with another amount or currency → nothing granted (an error event);
- a confirmed or refunded payment moved elsewhere by a late update (out of order) →
  the update is undone (an event);
- a second payment of an already paid order → nothing granted (an error event, to refund).
"""

from collections.abc import Callable
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext as _
from payments import PaymentStatus, RedirectNeeded

from accounts.models import Organization
from billing.errors import AmountMismatch
from billing.models import EventKind, EventSource, Order, Payment, PaymentEvent
from billing.models.payments import CURRENCY
from billing.services.confirmation import confirm_payment
from billing.services.events import record_event

FINAL = (PaymentStatus.CONFIRMED, PaymentStatus.REFUNDED)
NOT_PAID = (PaymentStatus.REJECTED, PaymentStatus.ERROR, PaymentStatus.CANCELLED)


class Outcome(StrEnum):
    PAID = "paid"  # this call paid the order
    ALREADY_PAID = "already_paid"  # a replay: the order was paid by this payment before
    WAITING = "waiting"  # not confirmed yet
    NOT_PAID = "not_paid"  # rejected, cancelled or failed at the provider
    MISMATCH = "mismatch"  # confirmed for another amount: nothing granted
    DUPLICATE = "duplicate"  # a second payment of a paid order: nothing granted
    IGNORED = "ignored"  # a late update that would undo a final state


def settle_payment(
    payment: Payment, *, source: str, update: Callable[[Payment], object] | None = None
) -> tuple[object, Outcome]:
    """Run ``update(payment)`` (the provider's processing) under the organization, order
    and payment locks, then settle the order as described above, in one transaction.

    Returns (what ``update`` returned, or the RedirectNeeded it raised; the outcome).
    Other errors of ``update`` (PaymentError...) roll everything back and propagate.
    """
    with transaction.atomic():
        order_id = payment.order_id
        organization_id = Order.objects.values_list("organization_id", flat=True).get(pk=order_id)
        Organization.objects.select_for_update(no_key=True).only("pk").get(pk=organization_id)
        order = Order.objects.select_for_update().get(pk=order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.order = order
        before = payment.status
        result = None
        if update is not None:
            try:
                result = update(payment)
            except RedirectNeeded as redirect:
                result = redirect
        outcome = _settle(order, payment, before=before, source=source)
    return result, outcome


def _settle(order: Order, payment: Payment, *, before: str, source: str) -> Outcome:
    status = payment.status
    if before in FINAL and status != before:
        payment.status = before
        payment.save(update_fields=["status"])
        record_event(
            EventKind.OUT_OF_ORDER,
            source=source,
            level=PaymentEvent.Level.WARNING,
            payment=payment,
            message=_("A late update (%(new)s) of a %(old)s payment was ignored.")
            % {"new": status, "old": before},
            data={"kept": before, "ignored": status},
        )
        return Outcome.IGNORED
    if status == PaymentStatus.CONFIRMED:
        return _confirmed(order, payment, source=source)
    if status in NOT_PAID:
        if before != status:
            record_event(
                EventKind.NOT_PAID,
                source=source,
                level=PaymentEvent.Level.WARNING,
                payment=payment,
                message=_("The provider reports the payment as %(status)s.") % {"status": status},
                data={"status": status, "message": (payment.message or "")[:200]},
            )
        return Outcome.NOT_PAID
    return Outcome.WAITING


def _confirmed(order: Order, payment: Payment, *, source: str) -> Outcome:
    if order.is_paid and order.provider_reference != payment.reference:
        record_event(
            EventKind.DUPLICATE_PAYMENT,
            source=source,
            level=PaymentEvent.Level.ERROR,
            payment=payment,
            message=_(
                "Order %(code)s was already paid by %(first)s; this second payment granted "
                "nothing and must be refunded."
            )
            % {"code": order.code, "first": order.provider_reference},
            data={"amount": str(payment.captured_amount)},
        )
        return Outcome.DUPLICATE
    was_paid = order.is_paid
    if was_paid and source == EventSource.RETURN_PAGE:
        return Outcome.ALREADY_PAID  # the client coming back: no need to log a replay
    if not was_paid and (payment.currency or "").upper() != CURRENCY:
        record_event(
            EventKind.AMOUNT_MISMATCH,
            source=source,
            level=PaymentEvent.Level.ERROR,
            payment=payment,
            message=str(AmountMismatch.default_message),
            data={
                "expected": f"{order.total} {CURRENCY}",
                "received": f"{payment.captured_amount} {payment.currency}",
            },
        )
        return Outcome.MISMATCH
    try:
        confirm_payment(
            order,
            provider_reference=payment.reference,
            amount=payment.captured_amount,
            method=Order.Method.ONLINE,
            payment=payment,
            source=source,
        )
    except AmountMismatch:
        return Outcome.MISMATCH
    return Outcome.ALREADY_PAID if was_paid else Outcome.PAID
