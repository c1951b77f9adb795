"""Automatic recharge: "when the balance falls below X, buy pack Y", at most N a month.

Decided under the lock of the organization's setting row, so that two deductions at once
(two tasks) buy once: the first records its purchase (status charging) and commits; the
second finds it in flight and does nothing. The card is charged outside the transaction
with the purchase's idempotency key; the order is an ordinary one, confirmed by
``billing.services.confirm_payment`` (credits, invoice and its email, once). A declined
card turns the automatic recharge off and tells the client by email. Never credits
without a payment: only a paid charge confirms the order.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from billing import services as billing_services
from billing.models import Order
from credits import selectors as credit_selectors
from credits.models import Pack
from plans import notify
from plans.errors import InvalidSetting, NoPaymentMethod
from plans.models import MAX_MONTHLY_CAP, MAX_THRESHOLD, AutoPurchase, AutoRecharge
from plans.services.methods import active_card, pay_with_saved_card

# A purchase still "charging" after this is taken as interrupted and finished with its
# own key (the provider answers a repeated key with the first charge).
STALE_AFTER = timedelta(minutes=15)


def _whole(value, low: int, high: int, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidSetting(message)
    return value


def configure_auto_recharge(
    organization: Organization,
    *,
    enabled: bool,
    threshold: int,
    pack: Pack,
    monthly_cap: int,
    user: User | None = None,
) -> AutoRecharge:
    """Save the organization's automatic recharge. Raises InvalidSetting (nothing saved),
    NoPaymentMethod (turning it on without a saved card)."""
    threshold = _whole(
        threshold,
        1,
        MAX_THRESHOLD,
        _("The threshold is a whole number of credits from 1 to %(max)s.") % {"max": MAX_THRESHOLD},
    )
    monthly_cap = _whole(
        monthly_cap,
        1,
        MAX_MONTHLY_CAP,
        _("The monthly limit is from 1 to %(max)s purchases.") % {"max": MAX_MONTHLY_CAP},
    )
    on_sale = credit_selectors.packs_for(Pack.Kind.RECHARGE)
    pack = on_sale.filter(pk=getattr(pack, "pk", None)).first()
    if pack is None:
        raise InvalidSetting(_("Choose a pack on sale as a recharge."))
    with transaction.atomic():
        Organization.objects.select_for_update(no_key=True).only("pk").get(pk=organization.pk)
        if enabled and active_card(organization) is None:
            raise NoPaymentMethod()
        setting, _created = AutoRecharge.objects.update_or_create(
            organization=organization,
            defaults={
                "enabled": bool(enabled),
                "threshold": threshold,
                "pack": pack,
                "monthly_cap": monthly_cap,
                "stopped_reason": "",
                "updated_at": timezone.now(),
                "updated_by": user,
            },
        )
    return setting


def month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def run_auto_recharge(organization_id: int, *, now: datetime | None = None) -> AutoPurchase | None:
    """Buy the chosen pack when the balance is below the threshold and the month's cap
    allows it. Returns the purchase (paid or declined), or None when nothing was bought.
    Raises payments.PaymentError when the provider cannot be reached (the purchase stays
    charging and is finished later with the same key)."""
    now = now or timezone.now()
    with transaction.atomic():
        setting = (
            AutoRecharge.objects.select_for_update(of=("self",))
            .select_related("pack")
            .filter(organization_id=organization_id)
            .first()
        )
        if setting is None or not setting.enabled:
            return None
        in_flight = setting.purchases.filter(status=AutoPurchase.Status.CHARGING).first()
        if in_flight is not None:
            if in_flight.created_at > now - STALE_AFTER:
                return None  # another deduction's task is buying right now
            purchase = in_flight
        else:
            purchase = _new_purchase(setting, now)
            if purchase is None:
                return None
    return _charge_purchase(purchase)


def _new_purchase(setting: AutoRecharge, now: datetime) -> AutoPurchase | None:
    organization = setting.organization
    balance = credit_selectors.balance(organization)
    if balance >= setting.threshold:
        return None
    this_month = setting.purchases.filter(created_at__gte=month_start(now)).exclude(
        status=AutoPurchase.Status.DECLINED
    )
    if this_month.count() >= setting.monthly_cap:
        return None
    if active_card(organization) is None:
        _stop(setting, str(NoPaymentMethod.default_message))
        return None
    try:
        order = billing_services.create_order(organization, setting.pack)
    except billing_services.BillingError as exc:  # the pack was withdrawn
        _stop(setting, str(exc.message))
        return None
    return AutoPurchase.objects.create(
        setting=setting, order=order, balance_before=balance, created_at=now
    )


def _stop(setting: AutoRecharge, reason: str) -> None:
    setting.enabled = False
    setting.stopped_reason = reason[:255]
    setting.save(update_fields=["enabled", "stopped_reason"])


def _charge_purchase(purchase: AutoPurchase) -> AutoPurchase:
    order = purchase.order
    paid, message = pay_with_saved_card(
        order,
        description=_("%(credits)s support credits, automatic recharge (order %(code)s)")
        % {"credits": order.credits, "code": order.code},
        idempotency_key=purchase.idempotency_key,
    )
    return _settled(purchase, paid=paid, message=message)


@transaction.atomic
def _settled(purchase: AutoPurchase, *, paid: bool, message: str = "") -> AutoPurchase:
    setting = AutoRecharge.objects.select_for_update().get(pk=purchase.setting_id)
    purchase = AutoPurchase.objects.select_related("order__organization").get(pk=purchase.pk)
    if purchase.status != AutoPurchase.Status.CHARGING:
        return purchase
    if paid:
        purchase.status = AutoPurchase.Status.PAID
        purchase.save(update_fields=["status"])
        return purchase
    purchase.status = AutoPurchase.Status.DECLINED
    purchase.decline_message = message[:255]
    purchase.save(update_fields=["status", "decline_message"])
    order = purchase.order
    if order.status == Order.Status.PENDING:  # nothing was paid
        order.status = Order.Status.CANCELLED
        order.cancelled_at = timezone.now()
        order.save(update_fields=["status", "cancelled_at"])
    _stop(setting, _("The card was declined."))
    notify.payment_declined(
        order.organization,
        purpose=notify.AUTO_RECHARGE,
        total=order.total,
        message=message,
        dedupe_key=f"plans:autopurchase:{purchase.pk}:declined",
    )
    return purchase


def sweep_auto_recharges(now: datetime | None = None) -> int:
    """Periodic backstop: run every enabled automatic recharge (each checks its balance).
    Returns how many purchases were made or finished."""
    ids = AutoRecharge.objects.filter(enabled=True).values_list("organization_id", flat=True)
    return sum(run_auto_recharge(pk, now=now) is not None for pk in list(ids))
