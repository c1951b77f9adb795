"""Paying an order: the credits, the invoice and its email, all in one transaction, once."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organization, User
from billing import selectors
from billing.errors import AmountMismatch, InvalidRequest, VerifactuError
from billing.models import EventKind, EventSource, Invoice, Order, Payment, PaymentEvent
from billing.notify import queue_invoice_email
from billing.services import invoicing
from billing.services.events import record_event
from credits import selectors as credit_selectors
from credits import services as credit_services
from credits.models import EntryKind

# Stored in English on the ledger entry, shown translated (credits' entry_reason filter).
PURCHASE_REASON = gettext_noop("Credit pack purchase")
REGISTRATION_REASON = gettext_noop("Registration pack purchase")


@dataclass(frozen=True)
class OrderGrant:
    """What an order without a pack grants when paid (a monthly plan's period): when its
    lot expires (None: never), the entry's reason and the invoice line's kind. A recharge,
    never the registration pack."""

    expires_at: datetime | None
    reason: str
    line_kind: str


def confirm_payment(
    order: Order,
    *,
    provider_reference: str,
    amount: Decimal | None = None,
    method: str = "",
    actor: User | None = None,
    payment: Payment | None = None,
    source: str = EventSource.SERVICE,
    order_grant: OrderGrant | None = None,
) -> Invoice:
    """Mark ``order`` paid, grant its credits and issue its invoice, in one transaction;
    the invoice email is written to the outbox in that same transaction.

    Calling it again, or concurrently, changes nothing more and returns the same invoice.
    Under the organization's lock it decides again whether this is the registration pack
    (credits expiring after the registration validity) or a recharge. ``amount`` is what
    the provider says it took (euros, VAT included): when given it must equal the order's
    total. A cancelled order is still honoured (the money arrived). An order without a
    pack (a plan's period) needs ``order_grant``. Raises AmountMismatch (nothing changes;
    the event is recorded), InvalidRequest.
    """
    try:
        return _confirm(
            order,
            reference=str(provider_reference or "").strip(),
            amount=amount,
            method=method,
            actor=actor,
            payment=payment,
            source=source,
            order_grant=order_grant,
        )
    except AmountMismatch as exc:
        record_event(
            EventKind.AMOUNT_MISMATCH,
            source=source,
            level=PaymentEvent.Level.ERROR,
            order=order,
            payment=payment,
            actor=actor,
            message=str(exc.message),
            data={"expected": str(order.total), "received": str(amount)},
        )
        raise
    except VerifactuError as exc:
        # After the rollback, so that the event log keeps it: no invoice was issued.
        log_verifactu_failure(exc, order=order)
        raise


def log_verifactu_failure(exc: VerifactuError, *, order: Order) -> None:
    """The event log's entry for an invoice that could not get its record (an anomaly
    when the chain is broken, a failure otherwise)."""
    from billing.errors import ChainBroken
    from billing.models import SystemEvent
    from billing.verifactu.chain import log_event

    kind = SystemEvent.Kind.ANOMALY if isinstance(exc, ChainBroken) else SystemEvent.Kind.FAILURE
    log_event(kind, str(exc.message), order=order.pk, error=type(exc).__name__)


@transaction.atomic
def _confirm(order, *, reference, amount, method, actor, payment, source, order_grant) -> Invoice:
    if not reference:
        raise InvalidRequest(_("A payment reference is required."))
    # The organization's lock: one confirmation at a time per organization, so that the
    # registration status is decided once. NO KEY: rows referring to it may still be added.
    organization = Organization.objects.select_for_update(no_key=True).get(pk=order.organization_id)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.is_paid:
        invoice = order.invoices.get(kind=Invoice.Kind.INVOICE)
        record_event(
            EventKind.REPLAYED,
            source=source,
            order=order,
            payment=payment,
            actor=actor,
            message=_("Order %(code)s was already paid (invoice %(number)s): nothing more done.")
            % {"code": order.code, "number": invoice.number},
            data={"reference": reference[:200]},
        )
        return invoice
    if amount is not None and Decimal(amount) != order.total:
        raise AmountMismatch()

    now = timezone.now()
    if order.pack_id is None:
        if order_grant is None:
            raise InvalidRequest(_("This order is paid through its monthly plan."))
        registration = False
        expires_at = order_grant.expires_at
        reason = order_grant.reason
    else:
        registration = selectors.is_registration_purchase(organization)
        expires_at = credit_selectors.pack_expiry(order.pack, now, registration=registration)
        reason = REGISTRATION_REASON if registration else PURCHASE_REASON
    invoice = invoicing.issue_invoice(
        order,
        organization=organization,
        issued_at=now,
        registration=registration,
        expires_on=timezone.localdate(expires_at) if expires_at else None,
        line_kind=order_grant.line_kind if order.pack_id is None else None,
    )
    entry = credit_services.grant(
        organization,
        order.credits,
        reason=reason,
        expires_at=expires_at,
        idempotency_key=f"billing:order:{order.pk}:grant",
        kind=EntryKind.REGISTRATION if registration else EntryKind.PURCHASE,
        reference=invoice,
        reference_label=invoice.number,
        actor=actor,
    )
    order.status = Order.Status.PAID
    order.paid_at = now
    order.provider_reference = reference[:200]
    order.is_registration = registration
    order.grant_entry = entry
    order.paid_by = actor
    order.method = method or order.method or Order.Method.ONLINE
    order.save(
        update_fields=[
            "status",
            "paid_at",
            "provider_reference",
            "is_registration",
            "grant_entry",
            "paid_by",
            "method",
        ]
    )
    record_event(
        EventKind.CONFIRMED,
        source=source,
        order=order,
        payment=payment,
        actor=actor,
        message=_("Order %(code)s paid: %(credits)s credits granted, invoice %(number)s issued.")
        % {"code": order.code, "credits": order.credits, "number": invoice.number},
        data={"reference": reference[:200], "total": str(order.total)},
    )
    queue_invoice_email(invoice, organization)
    return invoice


def mark_paid_by_transfer(order: Order, *, reference: str, actor: User) -> Invoice:
    """An admin saw the bank transfer arrive: the order is paid exactly like online
    (``confirm_payment``), with the transfer's reference and the admin recorded."""
    if actor is None or getattr(actor, "pk", None) is None:
        raise InvalidRequest(_("Marking an order paid needs the admin who does it."))
    return confirm_payment(
        order,
        provider_reference=reference,
        method=Order.Method.BANK_TRANSFER,
        actor=actor,
        source=EventSource.ADMIN,
    )
