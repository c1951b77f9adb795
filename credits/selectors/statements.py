"""The figures of a balance statement for a period."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from accounts.models import Organization
from credits.models import LedgerEntry, Lot
from credits.selectors.lists import movements_of, period_bounds
from credits.selectors.pricing import credit_settings


@dataclass
class StatementData:
    """Ledger balances (credits) of one organization over [start, end], dates included."""

    organization: Organization
    start: date
    end: date
    generated_at: datetime
    opening_balance: int
    closing_balance: int
    movements: list[LedgerEntry] = field(default_factory=list)
    expiring: list[Lot] = field(default_factory=list)
    warning_days: int = 30

    @property
    def credits_in(self) -> int:
        return sum(entry.amount for entry in self.movements if entry.amount > 0)

    @property
    def credits_out(self) -> int:
        return -sum(entry.amount for entry in self.movements if entry.amount < 0)


def movement_count(organization: Organization, start: date, end: date) -> int:
    """How many movements a statement of [start, end] would list."""
    return movements_of(organization, start=start, end=end).count()


def statement_data(
    organization: Organization, start: date, end: date, *, now: datetime | None = None
) -> StatementData:
    """Opening balance, every movement of the period, closing balance, and the credits
    that expire within the warning period (30 days) from ``now``."""
    now = now or timezone.now()
    since = period_bounds(start, end)[0]
    entries = LedgerEntry.objects.filter(wallet__organization_id=organization.pk)
    opening = (
        entries.filter(created_at__lt=since)
        .order_by("-created_at", "-id")
        .values_list("balance_after", flat=True)
        .first()
    ) or 0
    movements = list(
        movements_of(organization, start=start, end=end, newest_first=False).select_related(None)
    )
    warning_days = credit_settings().expiry_warning_days
    expiring = list(
        Lot.objects.filter(
            wallet__organization_id=organization.pk,
            remaining__gt=0,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=warning_days),
        ).order_by("expires_at", "id")
    )
    closing = opening + sum(entry.amount for entry in movements)
    return StatementData(
        organization=organization,
        start=start,
        end=end,
        generated_at=now,
        opening_balance=opening,
        closing_balance=closing,
        movements=movements,
        expiring=expiring,
        warning_days=warning_days,
    )
