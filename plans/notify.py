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
