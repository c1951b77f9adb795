"""Reads of plans: what the client's page shows, in a fixed number of queries."""

from dataclasses import dataclass

from accounts.models import Organization
from plans.models import AutoPurchase, AutoRecharge, PaymentMethod, Plan, PlanPeriod, Subscription


def subscription_in_force(organization: Organization) -> Subscription | None:
    return (
        Subscription.objects.select_related("plan", "next_plan")
        .filter(
            organization_id=organization.pk,
            status__in=[Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE],
        )
        .first()
    )


@dataclass(frozen=True)
class PlansPage:
    plans: list[Plan]
    subscription: Subscription | None
    periods: list[PlanPeriod]
    card: PaymentMethod | None
    auto_recharge: AutoRecharge | None
    purchases: list[AutoPurchase]
    # The subscription that ended unpaid after the automatic retries, when none is in force.
    ended_unpaid: Subscription | None = None

    @property
    def declined_period(self) -> PlanPeriod | None:
        """The period in force whose payment was declined (dunning), if any."""
        sub = self.subscription
        if sub is None or sub.status != Subscription.Status.PAST_DUE:
            return None
        for period in self.periods:
            if period.number == sub.current_number and period.status == PlanPeriod.Status.DECLINED:
                return period
        return None

    @property
    def retries_left(self) -> int:
        """Automatic retries still to come for the declined period."""
        period = self.declined_period
        return 0 if period is None else period.retries_left


def plans_page(organization: Organization) -> PlansPage:
    """Everything the client's plans page shows (seven queries)."""
    subscription = subscription_in_force(organization)
    periods = []
    ended_unpaid = None
    if subscription is not None:
        periods = list(subscription.periods.select_related("plan", "order")[:6])
    else:
        last = (
            Subscription.objects.select_related("plan")
            .filter(organization_id=organization.pk)
            .order_by("-started_at", "-id")
            .first()
        )
        if last is not None and last.status == Subscription.Status.ENDED_UNPAID:
            ended_unpaid = last
    setting = AutoRecharge.objects.select_related("pack").filter(organization=organization).first()
    purchases = []
    if setting is not None:
        purchases = list(setting.purchases.select_related("order")[:5])
    return PlansPage(
        plans=list(Plan.objects.filter(active=True)),
        subscription=subscription,
        periods=periods,
        card=PaymentMethod.objects.filter(organization=organization, active=True).first(),
        auto_recharge=setting,
        purchases=purchases,
        ended_unpaid=ended_unpaid,
    )
