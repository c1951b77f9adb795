from decimal import Decimal

import pytest

from credits.models import Pack


@pytest.mark.django_db
def test_the_price_list_is_loaded_by_migration():
    prices = dict(Pack.objects.filter(active=True).values_list("credits", "price"))
    assert prices == {
        15: Decimal("10.00"),
        30: Decimal("20.00"),
        60: Decimal("36.00"),
        120: Decimal("72.00"),
        240: Decimal("144.00"),
        480: Decimal("256.00"),
    }
    assert Pack.objects.filter(credits=60, active=True).count() == 1


@pytest.mark.django_db
def test_discounts_match_the_price_list():
    discounts = {p.credits: p.discount_percent for p in Pack.objects.all()}
    assert discounts == {15: 0, 30: 0, 60: 10, 120: 10, 240: 10, 480: 20}
