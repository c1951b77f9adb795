"""Balances: one query whatever the length of the ledger."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import Organization
from credits.models import EntryKind, Hold, LedgerEntry, Lot, Wallet

from .pricing import credit_settings


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


def _balance_at_annotations(at: datetime) -> dict:
    last = (
        LedgerEntry.objects.filter(wallet_id=OuterRef("pk"), created_at__lte=at)
        .order_by("-created_at", "-id")
        .values("balance_after")[:1]
    )
    # Lots lapsed by `at` whose expiry entry was written later count as gone at `at`.
    written_off_later = LedgerEntry.objects.filter(
        wallet_id=OuterRef("pk"), kind=EntryKind.EXPIRY, created_at__gt=at, lot__expires_at__lte=at
    )
    holds = Hold.objects.filter(wallet_id=OuterRef("pk"), created_at__lte=at).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gt=at)
    )
    return {
        "at_balance": Coalesce(Subquery(last, output_field=IntegerField()), Value(0)),
        "at_lapsed": lapsed_subquery(at) + summed(written_off_later, -F("amount")),
        "at_held": summed(holds, "amount"),
    }


def balance(organization: Organization, at: datetime | None = None) -> int:
    """Spendable credits now (or at the moment ``at``): unspent, not held, not lapsed.

    0 for an organization without a wallet. One query: the wallet row (or the last entry
    at or before ``at``) with indexed subqueries over its few lots and holds.
    """
    pk = getattr(organization, "pk", None)
    if pk is None:
        return 0
    wallets = Wallet.objects.filter(organization_id=pk)
    if at is None:
        now = timezone.now()
        row = wallets.annotate(lapsed=lapsed_subquery(now)).values_list("balance", "held", "lapsed")
    else:
        if timezone.is_naive(at):
            raise ValueError("balance(at=...) takes a timezone-aware datetime")
        row = wallets.annotate(**_balance_at_annotations(at)).values_list(
            "at_balance", "at_held", "at_lapsed"
        )
    values = row.first()
    if values is None:
        return 0
    ledger_balance, held, lapsed = values
    return max(0, ledger_balance - held - lapsed)


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
