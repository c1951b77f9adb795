from decimal import Decimal

import pytest
from django.utils import translation

from helpdesk.formatting import format_credits, format_money


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [
        ("es", Decimal("43.56"), "43,56\u00a0€"),
        ("es", Decimal("1234.5"), "1.234,50\u00a0€"),
        ("en", Decimal("1234.5"), "€1,234.50"),
        ("en", Decimal("-10"), "-€10.00"),
        ("es", Decimal("0.005"), "0,01\u00a0€"),  # half-up, once
    ],
)
def test_money_is_formatted_per_locale(language, amount, expected):
    with translation.override(language):
        assert format_money(amount) == expected


def test_credits_are_whole_and_grouped():
    with translation.override("en"):
        assert format_credits(12000) == "12,000"
    with translation.override("es"):
        assert format_credits(12000) == "12.000"
