"""Prices with VAT: pure arithmetic on Decimal euros, no database.

VAT is rounded once, half up, to the cent, on the VAT amount; the total is the base plus
that amount. 36.00 € at 21 % → 7.56 € VAT, 43.56 € total.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Quote:
    """Euros: base (VAT excluded), VAT amount and total; ``vat_rate`` in percent."""

    base: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    total: Decimal

    def negated(self) -> "Quote":
        """The same amounts with the opposite sign (a corrective invoice)."""
        return Quote(-self.base, self.vat_rate, -self.vat_amount, -self.total)


def quote(base: Decimal, vat_rate: Decimal) -> Quote:
    """Base and VAT rate (percent) → base, rate, VAT amount and total, in euros.

    Raises ValueError for a base that is not a Decimal of whole cents, or a rate outside
    0-100.
    """
    if not isinstance(base, Decimal) or not isinstance(vat_rate, Decimal):
        raise ValueError("money is Decimal, never float")
    if base != base.quantize(CENT):
        raise ValueError("a base is whole cents")
    if not Decimal(0) <= vat_rate <= HUNDRED:
        raise ValueError("a VAT rate is a percent between 0 and 100")
    base = base.quantize(CENT)
    vat_amount = (base * vat_rate / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    return Quote(base=base, vat_rate=vat_rate, vat_amount=vat_amount, total=base + vat_amount)
