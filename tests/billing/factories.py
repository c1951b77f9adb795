"""Billing test helpers: orders are made and paid through the services, as in production."""

import itertools

from billing import services
from billing.models import Order
from credits.models import Pack
from credits.price_list import PRICE_LIST
from tests.credits.factories import grant

_references = itertools.count(1)


def pack(credits: int = 60) -> Pack:
    """The pack of the price list with ``credits`` (loaded by credits' migration; made
    again after a transactional test emptied the tables)."""
    price = dict(PRICE_LIST)[credits]
    found = Pack.objects.filter(credits=credits).order_by("-active", "pk").first()
    return found or Pack.objects.create(credits=credits, price=price, position=credits)


def registered(organization):
    """Give the organization a registration lot (its next purchase is a recharge)."""
    from credits.models import EntryKind

    grant(organization, 15, kind=EntryKind.REGISTRATION, reason="Pack de alta (prueba)")
    return organization


def order(organization, credits: int = 60, **kwargs) -> Order:
    return services.create_order(organization, pack(credits), **kwargs)


def paid_order(organization, credits: int = 60, **kwargs) -> Order:
    """An order paid through confirm_payment (its invoice issued)."""
    new = order(organization, credits)
    services.confirm_payment(
        new, provider_reference=kwargs.pop("reference", f"test:{next(_references)}"), **kwargs
    )
    new.refresh_from_db()
    return new


def reference() -> str:
    return f"test:{next(_references)}"
