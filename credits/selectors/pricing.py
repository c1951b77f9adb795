"""Reads on the price list and the credit settings (billing calls these)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from accounts.models import Organization
from credits.models import CreditSettings, EntryKind, Lot, Pack


def credit_settings() -> CreditSettings:
    """The admin's credit settings (VAT rate, validity and warning periods)."""
    return CreditSettings.load()


def vat_rate() -> Decimal:
    """The VAT rate as a percent with 2 decimals, e.g. ``Decimal("21.00")``."""
    return credit_settings().vat_rate


def registration_expiry(purchased_at: datetime) -> datetime:
    """When the credits of a registration pack bought at ``purchased_at`` expire."""
    return purchased_at + timedelta(days=credit_settings().registration_validity_days)


def pack_expiry(pack: Pack, purchased_at: datetime, *, registration: bool) -> datetime | None:
    """When the credits of ``pack`` bought at ``purchased_at`` expire; None = never.

    The pack's own validity wins; without one, a registration pack lasts the registration
    validity of the settings and a recharge never expires.
    """
    if pack.validity_days:
        return purchased_at + timedelta(days=pack.validity_days)
    return registration_expiry(purchased_at) if registration else None


def packs_for(kind: str) -> QuerySet[Pack]:
    """Active packs on sale as ``Pack.Kind.REGISTRATION`` or ``RECHARGE``, in page order."""
    return Pack.objects.filter(active=True, kind__in=[kind, Pack.Kind.BOTH]).order_by(
        "position", "credits"
    )


def has_registration_lot(organization: Organization) -> bool:
    """True when the organization was ever granted registration credits (by a paid order,
    the demo or an admin), spent or not."""
    return Lot.objects.filter(
        wallet__organization_id=organization.pk, kind=EntryKind.REGISTRATION
    ).exists()
