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


def plans_page(organization: Organization) -> PlansPage:
    """Everything the client's plans page shows (seven queries)."""
    subscription = subscription_in_force(organization)
    periods = []
    if subscription is not None:
        periods = list(subscription.periods.select_related("plan", "order")[:6])
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
    )
