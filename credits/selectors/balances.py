"""Balances: one query whatever the length of the ledger."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import Organization
from credits.models import EntryKind, Hold, Lot, Wallet
from credits.selectors.pricing import credit_settings


def summed(queryset: QuerySet, expression) -> Coalesce:
    """``SUM(expression)`` of a per-wallet subquery (0 when it has no rows)."""
    total = (
        queryset.order_by().values("wallet_id").annotate(total=Sum(expression)).values("total")[:1]
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def lapsed_subquery(now: datetime, wallet_ref: str = "pk") -> Coalesce:
    """Credits of a wallet's lots past their expiry at ``now``, not yet written off."""
    lots = Lot.objects.filter(wallet_id=OuterRef(wallet_ref), remaining__gt=0, expires_at__lte=now)
    return summed(lots, "remaining")


# balance() is the hottest read of the app (every page, every charge decision), so it is
# one hand-written SQL statement: compiling the equivalent ORM subqueries costs more than
# running them (about 2-7 ms against 0.3-0.9 ms on a 1,000,000-entry ledger).
BALANCE_NOW_SQL = (
    "SELECT w.balance, w.held,"
    # Lapsed: credits of lots past their expiry that expire_lots has not written off.
    " COALESCE((SELECT SUM(l.remaining) FROM credits_lot l"
    " WHERE l.wallet_id = w.id AND l.remaining > 0 AND l.expires_at <= %s), 0)"
    " FROM credits_wallet w WHERE w.organization_id = %s"
)
# Built from constants only (the expiry kind); every value is a parameter.
BALANCE_AT_SQL = (
    # The balance after the last entry at or before `at` (index ledgerentry_wallet_time).
    "SELECT COALESCE((SELECT e.balance_after FROM credits_ledgerentry e"  # noqa: S608
    " WHERE e.wallet_id = w.id AND e.created_at <= %s"
    " ORDER BY e.created_at DESC, e.id DESC LIMIT 1), 0),"
    # Credits held at `at`.
    " COALESCE((SELECT SUM(h.amount) FROM credits_hold h WHERE h.wallet_id = w.id"
    " AND h.created_at <= %s AND (h.closed_at IS NULL OR h.closed_at > %s)), 0),"
    # Lapsed at `at`: lots still not written off, and lots written off only later.
    " COALESCE((SELECT SUM(l.remaining) FROM credits_lot l"
    " WHERE l.wallet_id = w.id AND l.remaining > 0 AND l.expires_at <= %s), 0)"
    " + COALESCE((SELECT -SUM(e.amount) FROM credits_ledgerentry e"
    " JOIN credits_lot l ON l.id = e.lot_id WHERE e.wallet_id = w.id"
    f" AND e.kind = '{EntryKind.EXPIRY.value}'"
    " AND e.created_at > %s AND l.expires_at <= %s), 0)"
    " FROM credits_wallet w WHERE w.organization_id = %s"
)


def balance(organization: Organization, at: datetime | None = None) -> int:
    """Spendable credits now (or at the moment ``at``): unspent, not held, not lapsed.

    0 for an organization without a wallet. One query: the wallet row (or the last entry
    at or before ``at``) with indexed subqueries over its few lots and holds.
    """
    pk = getattr(organization, "pk", None)
    if pk is None:
        return 0
    if at is not None and timezone.is_naive(at):
        raise ValueError("balance(at=...) takes a timezone-aware datetime")
    moment = connection.ops.adapt_datetimefield_value(at or timezone.now())
    if at is None:
        sql, params = BALANCE_NOW_SQL, [moment, pk]
    else:
        sql, params = BALANCE_AT_SQL, [moment] * 6 + [pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return 0
    ledger_balance, held, lapsed = (int(value) for value in row)
    return max(0, ledger_balance - held - lapsed)


def available_and_held(organization: Organization) -> tuple[int, int]:
    """``(available, held)`` credits now, in the one statement of ``balance()`` (the API's
    ``GET /api/v1/balance/``). ``(0, 0)`` for an organization without a wallet."""
    pk = getattr(organization, "pk", None)
    if pk is None:
        return 0, 0
    moment = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(BALANCE_NOW_SQL, [moment, pk])
        row = cursor.fetchone()
    if row is None:
        return 0, 0
    ledger_balance, held, lapsed = (int(value) for value in row)
    return max(0, ledger_balance - held - lapsed), held


@dataclass
class BalanceSummary:
    """What the balance page and the dashboard card show (credits)."""

    available: int = 0
    held: int = 0
    ledger_balance: int = 0
    lapsed: int = 0
    warning_days: int = 30
    expiring: list[Lot] = field(default_factory=list)
    next_expiry: Lot | None = None
    open_holds: list[Hold] = field(default_factory=list)

    @property
    def expiring_credits(self) -> int:
        return sum(lot.remaining for lot in self.expiring)


def balance_summary(organization: Organization, *, now: datetime | None = None) -> BalanceSummary:
    """Available and held credits, credits expiring soon (with dates), the next expiry and
    the open holds. A fixed number of queries."""
    now = now or timezone.now()
    warning_days = credit_settings().expiry_warning_days
    wallet = (
        Wallet.objects.filter(organization_id=organization.pk)
        .annotate(lapsed=lapsed_subquery(now))
        .first()
    )
    summary = BalanceSummary(warning_days=warning_days)
    if wallet is None:
        return summary
    summary.ledger_balance = wallet.balance
    summary.held = wallet.held
    summary.lapsed = wallet.lapsed
    summary.available = max(0, wallet.balance - wallet.held - wallet.lapsed)
    upcoming = list(
        wallet.lots.filter(remaining__gt=0, expires_at__gt=now).order_by("expires_at", "id")[:20]
    )
    summary.next_expiry = upcoming[0] if upcoming else None
    horizon = now + timedelta(days=warning_days)
    summary.expiring = [lot for lot in upcoming if lot.expires_at <= horizon]
    summary.open_holds = list(
        wallet.holds.filter(status=Hold.Status.OPEN).order_by("created_at", "id")
    )
    return summary


# The dashboard card shows the available and held credits and the next expiry only: one
# statement (the wallet, its lapsed credits, its next expiring lot by LATERAL join), where
# balance_summary() reads the credit settings, the wallet, its lots and its holds in four.
CARD_SQL = (
    "SELECT w.balance, w.held,"
    " COALESCE((SELECT SUM(l.remaining) FROM credits_lot l"
    " WHERE l.wallet_id = w.id AND l.remaining > 0 AND l.expires_at <= %s), 0),"
    " n.remaining, n.expires_at"
    " FROM credits_wallet w LEFT JOIN LATERAL (SELECT l.remaining, l.expires_at"
    " FROM credits_lot l WHERE l.wallet_id = w.id AND l.remaining > 0 AND l.expires_at > %s"
    " ORDER BY l.expires_at, l.id LIMIT 1) n ON TRUE"
    " WHERE w.organization_id = %s"
)


def card_summary(organization: Organization) -> BalanceSummary:
    """The dashboard card's figures: available, held and ledger credits, lapsed credits
    and the next expiry (a ``Lot`` with ``remaining`` and ``expires_at`` only). One query;
    ``expiring`` and ``open_holds`` stay empty (the balance page reads them)."""
    summary = BalanceSummary()
    pk = getattr(organization, "pk", None)
    if pk is None:
        return summary
    now = timezone.now()
    if connection.vendor == "postgresql":
        moment = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            cursor.execute(CARD_SQL, [moment, moment, pk])
            row = cursor.fetchone()
    else:  # SQLite: no LATERAL, and a raw cursor's datetimes would be strings
        upcoming = Lot.objects.filter(
            wallet_id=OuterRef("pk"), remaining__gt=0, expires_at__gt=now
        ).order_by("expires_at", "id")
        row = (
            Wallet.objects.filter(organization_id=pk)
            .annotate(
                lapsed=lapsed_subquery(now),
                next_remaining=Subquery(upcoming.values("remaining")[:1]),
                next_expires=Subquery(upcoming.values("expires_at")[:1]),
            )
            .values_list("balance", "held", "lapsed", "next_remaining", "next_expires")
            .first()
        )
    if row is None:
        return summary
    ledger_balance, held, lapsed, next_remaining, next_expires = row
    summary.ledger_balance = int(ledger_balance)
    summary.held = int(held)
    summary.lapsed = int(lapsed)
    summary.available = max(0, summary.ledger_balance - summary.held - summary.lapsed)
    if next_remaining is not None:
        summary.next_expiry = Lot(remaining=next_remaining, expires_at=next_expires)
    return summary


def organizations_with_credits(search: str = "") -> QuerySet[Organization]:
    """Every organization with its ledger balance, held and available credits (staff)."""
    now = timezone.now()
    lapsed = lapsed_subquery(now, wallet_ref="credit_wallet__pk")
    ledger_balance = Coalesce(F("credit_wallet__balance"), Value(0))
    held = Coalesce(F("credit_wallet__held"), Value(0))
    organizations = Organization.objects.annotate(
        ledger_balance=ledger_balance,
        held_credits=held,
        available_credits=Greatest(Value(0), ledger_balance - held - lapsed),
    ).order_by("name")
    if search:
        organizations = organizations.filter(name__icontains=search)
    return organizations
