"""The credits emails: low balance (on the movement that crosses the threshold) and credits
expiring soon (a daily sweep). Both are outbox rows written in the caller's transaction.

- ``check_low_balance`` runs inside every service that moves credits, under the wallet lock
  (``credits.services._core.append_entry``, ``hold``, ``release_hold``).
- ``warn_expiring_lots`` is called by the daily beat task ``warn_expiring_lots_task``.
"""

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from credits.models import CreditSettings, EntryKind, Lot, LowBalanceAlert, Wallet
from credits.selectors import balance
from notifications.models import Kind
from notifications.services import queue_email_to_organization
from notifications.webhooks import WebhookEvent, queue_event

logger = logging.getLogger(__name__)

# The organization's threshold and name, the wallet's lapsed credits (lots past their
# expiry that expire_lots has not written off yet) and its alert state. ``STATE_COLUMNS``
# is also embedded in consume's single write statement (credits.services._core), which
# then passes the row as ``state``.
STATE_COLUMNS = (
    "o.low_balance_threshold, o.name,"
    " COALESCE((SELECT SUM(l.remaining) FROM credits_lot l"
    " WHERE l.wallet_id = %(wallet)s AND l.remaining > 0 AND l.expires_at <= %(now)s), 0),"
    " (SELECT a.armed FROM credits_lowbalancealert a WHERE a.wallet_id = %(wallet)s)"
)
# Built from constants only (no input reaches the text; values are parameters).
_STATE_SQL = f"SELECT {STATE_COLUMNS} FROM accounts_organization o WHERE o.id = %(organization)s"  # noqa: S608


def check_low_balance(
    wallet: Wallet, *, cause: str, now: datetime | None = None, state: tuple | None = None
) -> bool:
    """After a movement of ``wallet`` (locked, saved): warn the client once per crossing.

    ``cause`` names the movement (``"entry:<id>"``, ``"hold:<id>"``); with the wallet it
    makes the outbox dedupe key. Below the threshold and armed: queue the ``low_balance``
    email to the organization's client users and disarm. At or above it: re-arm. Runs in
    the caller's transaction, so the email and the flag commit or roll back with the
    movement. ``state`` is the row of ``STATE_COLUMNS`` when the caller already read it
    under the lock (after the movement); otherwise it is read here. Returns True when it
    queued the warning.
    """
    now = now or timezone.now()
    if state is None:
        with connection.cursor() as cursor:
            cursor.execute(
                _STATE_SQL,
                {
                    "wallet": wallet.pk,
                    "now": connection.ops.adapt_datetimefield_value(now),
                    "organization": wallet.organization_id,
                },
            )
            state = cursor.fetchone()
    threshold, name, lapsed, armed = state
    spendable = max(0, wallet.balance - wallet.held - int(lapsed))
    if spendable >= threshold:
        if not armed:
            # One upsert (the row may not exist yet): the wallet lock orders writers.
            LowBalanceAlert.objects.bulk_create(
                [LowBalanceAlert(wallet=wallet, armed=True)],
                update_conflicts=True,
                unique_fields=["wallet"],
                update_fields=["armed"],
            )
        return False
    if not armed:
        return False  # already warned since the last time it was above (or never above)
    LowBalanceAlert.objects.filter(wallet=wallet).update(
        armed=False, warned_at=now, warned_for=cause[:40]
    )
    queue_email_to_organization(
        Organization(pk=wallet.organization_id),
        Kind.LOW_BALANCE,
        {
            "organization_name": name,
            "balance": spendable,
            "threshold": threshold,
            "recharge_url": reverse("credits:balance"),
        },
        dedupe_key=f"low_balance:wallet:{wallet.pk}:{cause}",
    )
    queue_event(
        WebhookEvent.CREDITS_LOW_BALANCE,
        {"available": spendable, "threshold": threshold},
        organization=wallet.organization_id,
        dedupe_key=f"low_balance:{wallet.pk}:{cause}:{now.isoformat()}",
    )
    return True


def warn_expiring_lots(now: datetime | None = None) -> int:
    """Queue one ``credits_expiring`` email per registration lot that expires within the
    warning days of ``CreditSettings`` (30 by default) and still has credits, to the
    organization's client users. A lot is warned about once (the outbox dedupe key is
    per lot), so running it daily, twice, or after a missed day sends nothing twice.
    Returns how many lots it looked at.
    """
    now = now or timezone.now()
    horizon = now + timedelta(days=CreditSettings.load().expiry_warning_days)
    # Index lot_open_due: (expires_at) where remaining > 0.
    lots = list(
        Lot.objects.filter(
            kind=EntryKind.REGISTRATION,
            remaining__gt=0,
            expires_at__gt=now,
            expires_at__lte=horizon,
        )
        .select_related("wallet__organization")
        .order_by("expires_at", "pk")
    )
    for lot in lots:
        organization = lot.wallet.organization
        with transaction.atomic():
            queue_email_to_organization(
                organization,
                Kind.CREDITS_EXPIRING,
                {
                    "organization_name": organization.name,
                    "credits": lot.remaining,
                    "expires_at": lot.expires_at,
                    "balance": balance(organization),
                },
                dedupe_key=f"credits_expiring:lot:{lot.pk}",
            )
            queue_event(
                WebhookEvent.CREDITS_EXPIRING,
                {"lot": lot.pk, "credits": lot.remaining, "expires_at": lot.expires_at},
                organization=organization,
                dedupe_key=f"credits_expiring:lot:{lot.pk}",
            )
    if lots:
        logger.info("credits expiring: looked at %d lots", len(lots))
    return len(lots)
