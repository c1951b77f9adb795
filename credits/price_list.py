"""The price list of SPEC.md: (credits, euros excl. VAT). Loaded by a data migration."""

from decimal import Decimal

PRICE_LIST: tuple[tuple[int, Decimal], ...] = (
    (15, Decimal("10.00")),
    (30, Decimal("20.00")),
    (60, Decimal("36.00")),
    (120, Decimal("72.00")),
    (240, Decimal("144.00")),
    (480, Decimal("256.00")),
)
