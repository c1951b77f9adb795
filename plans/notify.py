"""The emails of plans and automatic recharge (kinds are constants, never strings)."""

from decimal import Decimal

from django.urls import reverse

from accounts.models import Organization
from notifications.models import Kind
from notifications.services import queue_email_to_organization

PAYMENT_DECLINED = Kind.AUTOMATIC_PAYMENT_DECLINED
AUTO_RECHARGE = "auto_recharge"
PLAN = "plan"


def payment_declined(
    organization: Organization, *, purpose: str, total: Decimal, message: str, dedupe_key: str
) -> None:
    """Tell the organization's users that a card payment made without them was declined
    (``purpose``: AUTO_RECHARGE, which is now off, or PLAN, whose credits were not added).
    Written to the outbox in the caller's transaction; sent once."""
    queue_email_to_organization(
        organization,
        PAYMENT_DECLINED,
        {
            "organization_name": organization.name,
            "purpose": purpose,
            "total": total,
            "recharge_stopped": int(purpose == AUTO_RECHARGE),
            "provider_message": message[:200] or None,
            "settings_url": reverse("plans:overview"),
        },
        dedupe_key=dedupe_key,
    )


# Where "Pay now" leads: the plans page's form that pays the declined period now.
PAY_NOW_URL_NAME = "plans:overview"
PAY_NOW_ANCHOR = "#pay-now"


def renewal_declined(period, *, message: str, next_retry_at, retries_left: int) -> None:
    """Tell the organization's managers that a plan period's payment was declined, when the
    card is charged again by itself, and where to pay now. Sent once per attempt."""
    order = period.order
    organization = order.organization
    queue_email_to_organization(
        organization,
        Kind.PLAN_RENEWAL_DECLINED,
        {
            "organization_name": organization.name,
            "plan_name": period.plan.name,
            "total": order.total,
            "declined_attempts": period.attempt + 1,
            "next_retry_at": next_retry_at,
            "retries_left": retries_left,
            "provider_message": message[:200] or None,
            "pay_url": reverse(PAY_NOW_URL_NAME) + PAY_NOW_ANCHOR,
        },
        dedupe_key=f"plans:period:{period.pk}:attempt:{period.attempt}:declined",
    )


def ended_unpaid(period, *, message: str) -> None:
    """Tell the organization's managers that the plan ended unpaid after the last retry."""
    order = period.order
    organization = order.organization
    queue_email_to_organization(
        organization,
        Kind.PLAN_ENDED_UNPAID,
        {
            "organization_name": organization.name,
            "plan_name": period.plan.name,
            "ended_at": period.subscription.ended_at,
            "total": order.total,
            "declined_attempts": period.attempt + 1,
            "provider_message": message[:200] or None,
            "plans_url": reverse("plans:overview"),
        },
        dedupe_key=f"plans:period:{period.pk}:ended_unpaid",
    )
