"""Orders before payment: make one, choose how to pay it, cancel it."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from billing import selectors
from billing.errors import OnlinePaymentUnavailable, OrderNotPayable, PackUnavailable, PriceChanged
from billing.models import EventKind, EventSource, Order, Payment, PaymentEvent
from billing.models.payments import CURRENCY
from billing.money import quote
from billing.services.events import record_event
from credits import selectors as credit_selectors
from credits.models import Pack


def _check_pack(pack: Pack, *, registration: bool) -> None:
    """Raises PackUnavailable unless ``pack`` is on sale for this kind of purchase."""
    pack = Pack.objects.filter(pk=pack.pk).first()
    if pack is None or not pack.active:
        raise PackUnavailable()
    if pack.kind not in (selectors.pack_kind(registration), Pack.Kind.BOTH):
        raise PackUnavailable(
            _("This pack is not sold as a registration pack.")
            if registration
            else _("This pack is sold only as a registration pack.")
        )


def create_order(
    organization: Organization,
    pack: Pack,
    *,
    user: User | None = None,
    expected_total: Decimal | None = None,
) -> Order:
    """A pending order for one ``pack`` at its current price and VAT rate.

    The organization's first order (see ``selectors.is_registration_purchase``) is its
    registration pack. ``expected_total`` is the total (VAT included) the client saw: if
    it is not the current one, nothing is ordered. Raises PackUnavailable, PriceChanged
    (both leave a PaymentEvent).
    """
    try:
        return _create_order(organization, pack, user=user, expected_total=expected_total)
    except (PackUnavailable, PriceChanged) as exc:
        record_event(
            EventKind.PACK_UNAVAILABLE
            if isinstance(exc, PackUnavailable)
            else EventKind.PRICE_CHANGED,
            source=EventSource.CHECKOUT,
            level=PaymentEvent.Level.WARNING,
            organization=organization,
            actor=user,
            message=str(exc.message),
            data={"pack": pack.pk, "expected_total": str(expected_total)},
        )
        raise


@transaction.atomic
def _create_order(organization, pack, *, user, expected_total) -> Order:
    registration = selectors.is_registration_purchase(organization)
    _check_pack(pack, registration=registration)
    pack.refresh_from_db()
    amounts = quote(pack.price, credit_selectors.vat_rate())
    if expected_total is not None and Decimal(expected_total) != amounts.total:
        raise PriceChanged()
    return Order.objects.create(
        organization=organization,
        created_by=user,
        pack=pack,
        credits=pack.credits,
        base=amounts.base,
        vat_rate=amounts.vat_rate,
        vat_amount=amounts.vat_amount,
        total=amounts.total,
        is_registration=registration,
    )


def _locked(order: Order) -> Order:
    # OF: the pack is an outer join (plan orders have none), which FOR UPDATE cannot lock.
    return (
        Order.objects.select_for_update(of=("self", "organization"))
        .select_related("pack", "organization")
        .get(pk=order.pk)
    )


def _payable(order: Order) -> None:
    """Raises OrderNotPayable or PackUnavailable when the order can no longer be paid."""
    if order.status != Order.Status.PENDING:
        raise OrderNotPayable()
    if order.pack is None:  # a monthly plan's period: paid with the saved card only
        raise OrderNotPayable()
    if not order.pack.active:
        raise PackUnavailable()


def _refuse(order: Order, exc, *, user, source) -> None:
    """A pack withdrawn since the order was made: cancel the order (nothing was paid) and
    leave an event. An order that is no longer pending (an old tab) needs neither."""
    if not isinstance(exc, PackUnavailable) or order.status != Order.Status.PENDING:
        return
    order.status = Order.Status.CANCELLED
    order.cancelled_at = timezone.now()
    order.save(update_fields=["status", "cancelled_at"])
    record_event(
        EventKind.PACK_UNAVAILABLE,
        source=source,
        level=PaymentEvent.Level.WARNING,
        order=order,
        actor=user,
        message=str(exc.message),
        data={"pack": order.pack_id},
    )


def start_payment(order: Order, *, variant: str | None = None, user: User | None = None) -> Payment:
    """The online payment of a pending order through ``variant`` (default: the configured
    one); an unfinished attempt of the same variant is reused.

    Raises OnlinePaymentUnavailable, OrderNotPayable, PackUnavailable (the pack was
    withdrawn after the order was made: the order is cancelled, nothing was charged).
    """
    variant = variant or selectors.online_payment_variant()
    if not variant:
        raise OnlinePaymentUnavailable()
    with transaction.atomic():
        order = _locked(order)
        try:
            _payable(order)
        except (OrderNotPayable, PackUnavailable) as exc:
            _refuse(order, exc, user=user, source=EventSource.CHECKOUT)
            error = exc
        else:
            if payment := selectors.open_payment(order, variant):
                return payment
            order.method = Order.Method.ONLINE
            order.save(update_fields=["method"])
            payment = Payment.objects.create(
                order=order,
                variant=variant,
                currency=CURRENCY,
                total=order.total,
                tax=order.vat_amount,
                description=_("%(credits)s support credits (order %(code)s)")
                % {"credits": order.credits, "code": order.code},
                billing_email=(user.email if user else "") or order.organization.email,
                billing_country_code=order.organization.country,
                billing_city=order.organization.city,
                billing_postcode=order.organization.postal_code,
                billing_address_1=order.organization.address,
            )
            record_event(
                EventKind.PAYMENT_STARTED,
                source=EventSource.CHECKOUT,
                payment=payment,
                order=order,
                actor=user,
                message=_("Online payment of %(total)s € started (%(variant)s).")
                % {"total": order.total, "variant": variant},
            )
            return payment
    raise error


def choose_bank_transfer(order: Order, *, user: User | None = None) -> Order:
    """The client pays by bank transfer: the order waits, pending, until an admin marks it
    paid. Raises OrderNotPayable, PackUnavailable (the order is then cancelled)."""
    with transaction.atomic():
        order = _locked(order)
        try:
            _payable(order)
        except (OrderNotPayable, PackUnavailable) as exc:
            _refuse(order, exc, user=user, source=EventSource.CHECKOUT)
            error = exc
        else:
            if order.method != Order.Method.BANK_TRANSFER:
                order.method = Order.Method.BANK_TRANSFER
                order.save(update_fields=["method"])
                record_event(
                    EventKind.BANK_TRANSFER_CHOSEN,
                    source=EventSource.CHECKOUT,
                    order=order,
                    actor=user,
                    message=_("Waiting for a bank transfer of %(total)s € with concept %(code)s.")
                    % {"total": order.total, "code": order.code},
                )
            return order
    raise error


@transaction.atomic
def cancel_order(order: Order, *, user: User | None = None) -> Order:
    """The client drops a pending order (a payment that arrives later is still honoured).

    Raises OrderNotPayable when it is not pending.
    """
    order = _locked(order)
    if order.status == Order.Status.CANCELLED:
        return order
    if order.status != Order.Status.PENDING:
        raise OrderNotPayable(_("Only a pending order can be cancelled."))
    order.status = Order.Status.CANCELLED
    order.cancelled_at = timezone.now()
    order.save(update_fields=["status", "cancelled_at"])
    record_event(
        EventKind.CANCELLED,
        source=EventSource.CHECKOUT,
        order=order,
        actor=user,
        message=_("Order cancelled by the client."),
    )
    return order
