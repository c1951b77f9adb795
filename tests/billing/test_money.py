from decimal import Decimal

import pytest

from billing.money import quote


@pytest.mark.parametrize(
    ("base", "vat", "total"),
    [
        ("36.00", "7.56", "43.56"),  # 60 credits
        ("256.00", "53.76", "309.76"),  # 480 credits
        ("10.00", "2.10", "12.10"),  # 15 credits
        ("20.00", "4.20", "24.20"),
        ("72.00", "15.12", "87.12"),
        ("144.00", "30.24", "174.24"),
    ],
)
def test_quote_adds_21_percent_vat(base, vat, total):
    result = quote(Decimal(base), Decimal("21.00"))
    assert (result.base, result.vat_amount, result.total) == (
        Decimal(base),
        Decimal(vat),
        Decimal(total),
    )


def test_vat_is_rounded_half_up_once_on_the_vat_amount():
    # 0.05 * 10 % = 0.005 → 0.01 (half up), not banker's 0.00.
    assert quote(Decimal("0.05"), Decimal("10")).vat_amount == Decimal("0.01")
    # 10.10 * 21 % = 2.121 → 2.12; total 12.22.
    assert quote(Decimal("10.10"), Decimal("21.00")).total == Decimal("12.22")


def test_negated_quote_flips_every_amount():
    negated = quote(Decimal("36.00"), Decimal("21.00")).negated()
    assert (negated.base, negated.vat_amount, negated.total) == (
        Decimal("-36.00"),
        Decimal("-7.56"),
        Decimal("-43.56"),
    )
    assert negated.vat_rate == Decimal("21.00")


@pytest.mark.parametrize(
    ("base", "rate"),
    [(36.0, Decimal("21")), (Decimal("1.005"), Decimal("21")), (Decimal("1"), Decimal("101"))],
)
def test_quote_refuses_floats_fractions_of_cents_and_bad_rates(base, rate):
    with pytest.raises(ValueError):  # noqa: PT011
        quote(base, rate)
