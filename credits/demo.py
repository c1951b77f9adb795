"""The price list of SPEC.md (called by ``manage.py seed_demo``)."""

from .models import Pack
from .price_list import PRICE_LIST


def seed(demo) -> None:
    for position, (credits, price) in enumerate(PRICE_LIST):
        Pack.objects.get_or_create(
            credits=credits, price=price, defaults={"position": position, "active": True}
        )
