"""Subscriptions to monthly plans: subscribe, change, cancel, and renew each period once.

A period is created once per (subscription, number) under the subscription's lock, with
its ordinary order; its card is then charged outside any transaction with the period's
idempotency key (a repeated charge is one charge at the provider), and the order is
confirmed by ``billing.services.confirm_payment``: the credits (a lot expiring by the
plan's rollover rule) and the invoice, exactly once, however many renewals race.
"""

import logging
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from payments import PaymentError

from accounts.models import Organization, User
from billing import services as billing_services
from billing.models import InvoiceLine, Order
from billing.money import quote
from credits import selectors as credit_selectors
from plans import notify
from plans.errors import (
    AlreadySubscribed,
    NoPaymentMethod,
    NotSubscribed,
    PaymentDeclined,
    PlanUnavailable,
    SamePlan,
)
from plans.models import RETRY_AFTER_DAYS, Plan, PlanPeriod, Subscription
from plans.services.methods import active_card, pay_with_saved_card

# Stored in English on the ledger entry, shown translated (credits' entry_reason filter).
PLAN_REASON = gettext_noop("Monthly plan credits")
# Periods renewed at most per subscription and run (a beat that was down for long).
MAX_CATCH_UP = 24

logger = logging.getLogger("plans")


def next_retry(first_declined_at: datetime, retries_made: int) -> datetime | None:
    """When the automatic retry after ``retries_made`` ones is due (None: no more)."""
    if retries_made >= len(RETRY_AFTER_DAYS):
        return None
    return first_declined_at + timedelta(days=RETRY_AFTER_DAYS[retries_made])


def period_bounds(started_at: datetime, number: int) -> tuple[datetime, datetime]:
    """(start, end) of period ``number`` (0 = first): whole months of the wall clock."""
    local = timezone.localtime(started_at)
    start = local + relativedelta(months=number)
    end = local + relativedelta(months=number + 1)
    return start, end


def credits_expiry(plan: Plan, started_at: datetime, number: int) -> datetime | None:
    """When the credits of period ``number`` expire, by the plan's rollover rule."""
    if plan.rollover == Plan.Rollover.UNLIMITED:
        return None
    extra = 1 if plan.rollover == Plan.Rollover.ONE else 0
    return period_bounds(started_at, number + extra)[1]


def _check_plan(plan: Plan) -> Plan:
    plan = Plan.objects.filter(pk=getattr(plan, "pk", None)).first()
    if plan is None or not plan.active:
        raise PlanUnavailable()
    return plan


def _new_order(subscription: Subscription, plan: Plan) -> Order:
    amounts = quote(plan.price, credit_selectors.vat_rate())
    return Order.objects.create(
        organization_id=subscription.organization_id,
        created_by=subscription.created_by,
        pack=None,
        credits=plan.credits,
        base=amounts.base,
        vat_rate=amounts.vat_rate,
        vat_amount=amounts.vat_amount,
        total=amounts.total,
        method=Order.Method.ONLINE,
    )


def _new_period(subscription: Subscription, number: int, plan: Plan) -> PlanPeriod:
    """The period's order and row (caller holds the subscription's lock)."""
    starts_at, ends_at = period_bounds(subscription.started_at, number)
    order = _new_order(subscription, plan)
    return PlanPeriod.objects.create(
        subscription=subscription,
        number=number,
        plan=plan,
        starts_at=starts_at,
        ends_at=ends_at,
        credits=plan.credits,
        credits_expire_at=credits_expiry(plan, subscription.started_at, number),
        order=order,
    )


def subscribe(
    organization: Organization, plan: Plan, *, user: User | None = None, now: datetime | None = None
) -> PlanPeriod:
    """Subscribe to ``plan``: the first period starts now, charged to the saved card.

    Raises PlanUnavailable, AlreadySubscribed, NoPaymentMethod (nothing changed),
    PaymentDeclined (the subscription is recorded as cancelled, nothing granted),
    payments.PaymentError (provider unreachable: the beat's renewal finishes it).
    """
    now = now or timezone.now()
    with transaction.atomic():
        Organization.objects.select_for_update(no_key=True).only("pk").get(pk=organization.pk)
        plan = _check_plan(plan)
        if Subscription.objects.filter(
            organization_id=organization.pk, status__in=_IN_FORCE
        ).exists():
            raise AlreadySubscribed()
        if active_card(organization) is None:
            raise NoPaymentMethod()
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    organization=organization,
                    plan=plan,
                    started_at=now,
                    current_period_end=period_bounds(now, 0)[1],
                    created_by=user,
                )
        except IntegrityError:  # the constraint, as the last guard
            raise AlreadySubscribed() from None
        period = _new_period(subscription, 0, plan)
    period = _charge_period(period)
    if period.status == PlanPeriod.Status.DECLINED:
        raise PaymentDeclined()
    return period


_IN_FORCE = (Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE)


def _locked_in_force(subscription: Subscription) -> Subscription:
    locked = Subscription.objects.select_for_update().filter(pk=subscription.pk).first()
    if locked is None or locked.status not in _IN_FORCE:
        raise NotSubscribed()
    return locked


@transaction.atomic
def change_plan(subscription: Subscription, plan: Plan) -> Subscription:
    """From the next period on, ``plan`` (this period keeps its plan and its credits; no
    credits are granted now). Choosing the current plan again undoes a pending change.
    Raises NotSubscribed, PlanUnavailable, SamePlan."""
    subscription = _locked_in_force(subscription)
    plan = _check_plan(plan)
    if plan.pk == subscription.plan_id:
        if subscription.next_plan_id is None:
            raise SamePlan()
        subscription.next_plan = None
    else:
        if plan.pk == subscription.next_plan_id:
            raise SamePlan(_("This plan is already chosen for the next period."))
        subscription.next_plan = plan
    subscription.save(update_fields=["next_plan"])
    return subscription


@transaction.atomic
def cancel(subscription: Subscription, *, now: datetime | None = None) -> Subscription:
    """Cancel at the end of the period in force (its credits stay until they expire). A
    subscription whose card was declined ends now. Raises NotSubscribed."""
    subscription = _locked_in_force(subscription)
    if subscription.status == Subscription.Status.PAST_DUE:
        subscription.status = Subscription.Status.CANCELLED
        subscription.ended_at = now or timezone.now()
        subscription.save(update_fields=["status", "ended_at"])
        subscription.periods.filter(next_retry_at__isnull=False).update(next_retry_at=None)
    elif not subscription.cancel_at_period_end:
        subscription.cancel_at_period_end = True
        subscription.save(update_fields=["cancel_at_period_end"])
    return subscription


@transaction.atomic
def keep(subscription: Subscription) -> Subscription:
    """Undo a cancellation asked for during the period. Raises NotSubscribed."""
    subscription = _locked_in_force(subscription)
    if subscription.cancel_at_period_end:
        subscription.cancel_at_period_end = False
        subscription.save(update_fields=["cancel_at_period_end"])
    return subscription


def retry_payment(subscription: Subscription, *, now: datetime | None = None) -> PlanPeriod:
    """Pay again, with the saved card, the period whose payment was declined (a new order
    and key; the declined order stays cancelled). Only while that period lasts. Raises
    NotSubscribed (nothing declined), NoPaymentMethod, PaymentDeclined (declined again:
    the automatic retries go on as scheduled), PlansError (the period is over: cancel and
    subscribe again). Paid, the automatic retries stop."""
    from plans.errors import PlansError

    now = now or timezone.now()
    with transaction.atomic():
        subscription = _locked_in_force(subscription)
        period = subscription.periods.filter(number=subscription.current_number).first()
        if subscription.status != Subscription.Status.PAST_DUE or period is None:
            raise NotSubscribed(_("Nothing is waiting to be paid."))
        if period.status != PlanPeriod.Status.DECLINED:
            raise NotSubscribed(_("Nothing is waiting to be paid."))
        if period.ends_at <= now:
            raise PlansError(_("This period is over. Cancel the plan and subscribe again."))
        if active_card(subscription.organization) is None:
            raise NoPaymentMethod()
        period.order = _new_order(subscription, period.plan)
        period.attempt += 1
        period.status = PlanPeriod.Status.PENDING
        period.decline_message = ""
        period.save(update_fields=["order", "attempt", "status", "decline_message"])
        subscription.status = Subscription.Status.ACTIVE
        subscription.save(update_fields=["status"])
    period = _charge_period(period)
    if period.status == PlanPeriod.Status.DECLINED:
        raise PaymentDeclined()
    return period


def renew_period(subscription: Subscription, *, now: datetime | None = None) -> PlanPeriod | None:
    """Start the period that is due (the one containing ``now``, skipping any that passed
    entirely while nothing ran), or finish the charge of the current one if it is still
    pending. End a subscription cancelled at the end of its period. Safe to call again and
    concurrently: a period is created, charged and granted once. Returns the period, or
    None when nothing was due."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        current = subscription.periods.filter(number=subscription.current_number).first()
        if current is not None and current.status == PlanPeriod.Status.PENDING:
            period = current  # a charge that did not finish: same key, charged once
        elif (
            subscription.status != Subscription.Status.ACTIVE
            or subscription.current_period_end > now
        ):
            return None
        elif subscription.cancel_at_period_end:
            subscription.status = Subscription.Status.CANCELLED
            subscription.ended_at = subscription.current_period_end
            subscription.save(update_fields=["status", "ended_at"])
            return None
        else:
            number = subscription.current_number + 1
            while period_bounds(subscription.started_at, number)[1] <= now:
                number += 1
            if subscription.next_plan_id is not None:
                subscription.plan_id = subscription.next_plan_id
                subscription.next_plan = None
            subscription.current_number = number
            subscription.current_period_end = period_bounds(subscription.started_at, number)[1]
            subscription.save(
                update_fields=["plan", "next_plan", "current_number", "current_period_end"]
            )
            period = _new_period(subscription, number, subscription.plan)
    return _charge_period(period)


def renew_due(now: datetime | None = None) -> int:
    """Periodic (Celery beat): every active subscription whose period ended. Returns how
    many periods were started or finished."""
    now = now or timezone.now()
    due = Subscription.objects.filter(
        status=Subscription.Status.ACTIVE, current_period_end__lte=now
    ).values_list("pk", flat=True)
    pending = PlanPeriod.objects.filter(status=PlanPeriod.Status.PENDING).values_list(
        "subscription_id", flat=True
    )
    done = 0
    for pk in sorted(set(due) | set(pending)):
        period = renew_period(Subscription(pk=pk), now=now)
        done += period is not None
    return done


def retry_period(subscription: Subscription, *, now: datetime | None = None) -> PlanPeriod | None:
    """Dunning: charge again, by itself, the declined period whose automatic retry is due
    (a new order and key; the declined order stays cancelled). Safe to call again and
    concurrently: the first caller takes the retry under the subscription's lock, the others
    find nothing due. A period that is over by then is not charged: the subscription ends
    unpaid. Returns the period (paid, declined again, or ended unpaid), or None when no
    retry was due. Raises payments.PaymentError when the provider cannot be reached (the
    period stays pending and ``renew_due`` finishes it with the same key)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=subscription.pk).first()
        if subscription is None or subscription.status != Subscription.Status.PAST_DUE:
            return None
        period = (
            subscription.periods.select_related("plan", "order__organization")
            .filter(number=subscription.current_number)
            .first()
        )
        if (
            period is None
            or period.status != PlanPeriod.Status.DECLINED
            or period.next_retry_at is None
            or period.next_retry_at > now
        ):
            return None
        if period.ends_at <= now:  # too late to pay this period: it ends unpaid
            _end_unpaid(subscription, period, message=period.decline_message)
            return period
        period.order = _new_order(subscription, period.plan)
        period.attempt += 1
        period.auto_retries += 1
        period.status = PlanPeriod.Status.PENDING
        period.decline_message = ""
        period.next_retry_at = None
        period.save(
            update_fields=[
                "order",
                "attempt",
                "auto_retries",
                "status",
                "decline_message",
                "next_retry_at",
            ]
        )
    return _charge_period(period)


def retry_due(now: datetime | None = None) -> int:
    """Periodic (Celery beat): the automatic retries that are due. Returns how many were
    made (paid, declined again or ended unpaid). A provider that cannot be reached leaves
    its period pending for ``renew_due``; the others go on."""
    now = now or timezone.now()
    due = PlanPeriod.objects.filter(
        status=PlanPeriod.Status.DECLINED,
        next_retry_at__lte=now,
        subscription__status=Subscription.Status.PAST_DUE,
    ).values_list("subscription_id", flat=True)
    done = 0
    for pk in sorted(set(due)):
        try:
            period = retry_period(Subscription(pk=pk), now=now)
        except PaymentError:
            logger.exception("Automatic retry of subscription %s: provider unreachable.", pk)
            continue
        done += period is not None
    return done


def _charge_period(period: PlanPeriod) -> PlanPeriod:
    """Charge the period's order to the saved card and confirm it (credits and invoice)."""
    order = period.order
    if order.is_paid:
        return _settled(period, paid=True)
    paid, message = pay_with_saved_card(
        order,
        description=_("%(credits)s support credits, monthly plan (order %(code)s)")
        % {"credits": order.credits, "code": order.code},
        idempotency_key=period.idempotency_key,
        order_grant=billing_services.OrderGrant(
            expires_at=period.credits_expire_at, reason=PLAN_REASON, line_kind=InvoiceLine.Kind.PLAN
        ),
    )
    return _settled(period, paid=paid, message=message)


@transaction.atomic
def _settled(period: PlanPeriod, *, paid: bool, message: str = "") -> PlanPeriod:
    """Record the charge's outcome once. Paid: the retries stop and the subscription is in
    good standing. Declined: the next automatic retry is scheduled (from the first decline)
    and the managers are told, or after the last one the subscription ends unpaid."""
    period = (
        PlanPeriod.objects.select_for_update(of=("self", "order"))
        .select_related("order__organization", "plan")
        .get(pk=period.pk)
    )
    if period.status != PlanPeriod.Status.PENDING:
        return period
    subscription = Subscription.objects.select_for_update().get(pk=period.subscription_id)
    if paid:
        period.status = PlanPeriod.Status.PAID
        period.next_retry_at = None
        period.save(update_fields=["status", "next_retry_at"])
        if subscription.status == Subscription.Status.PAST_DUE:
            subscription.status = Subscription.Status.ACTIVE
            subscription.save(update_fields=["status"])
        return period
    now = timezone.now()
    period.status = PlanPeriod.Status.DECLINED
    period.decline_message = message[:255]
    order = period.order
    if order.status == Order.Status.PENDING:
        order.status = Order.Status.CANCELLED
        order.cancelled_at = now
        order.save(update_fields=["status", "cancelled_at"])
    if period.number == 0:  # never started: nothing was paid, nothing granted
        period.save(update_fields=["status", "decline_message"])
        subscription.status = Subscription.Status.CANCELLED
        subscription.ended_at = now
        subscription.save(update_fields=["status", "ended_at"])
        return period
    if period.first_declined_at is None:
        period.first_declined_at = now
    period.next_retry_at = next_retry(period.first_declined_at, period.auto_retries)
    period.save(update_fields=["status", "decline_message", "first_declined_at", "next_retry_at"])
    if period.next_retry_at is None:  # the last automatic retry was declined
        _end_unpaid(subscription, period, message=message)
        return period
    subscription.status = Subscription.Status.PAST_DUE
    subscription.save(update_fields=["status"])
    notify.renewal_declined(
        period,
        message=message,
        next_retry_at=period.next_retry_at,
        retries_left=period.retries_left,
    )
    return period


def _end_unpaid(subscription: Subscription, period: PlanPeriod, *, message: str) -> None:
    """The dunning is over (caller holds the locks): no credits for the period, the
    subscription ends unpaid, the managers are told."""
    if period.next_retry_at is not None:
        period.next_retry_at = None
        period.save(update_fields=["next_retry_at"])
    subscription.status = Subscription.Status.ENDED_UNPAID
    subscription.ended_at = timezone.now()
    subscription.save(update_fields=["status", "ended_at"])
    period.subscription = subscription
    notify.ended_unpaid(period, message=message)
