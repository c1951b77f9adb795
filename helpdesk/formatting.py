"""Money and credits as a person reads them, in the active language."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.formats import number_format

CENT = Decimal("0.01")


def format_money(amount: Decimal | int | str | None, currency: str = "€") -> str:
    """Euros with two decimals, grouped per locale: es "1.234,50 €", en "€1,234.50"."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    digits = number_format(abs(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    if (translation.get_language() or "es").startswith("en"):
        return f"{sign}{currency}{digits}"
    return f"{sign}{digits}\u00a0{currency}"


def format_credits(amount: int | None) -> str:
    """Whole credits, grouped per locale: es "1.200", en "1,200"."""
    if amount is None or amount == "":
        return ""
    return number_format(int(amount), decimal_pos=0, use_l10n=True, force_grouping=True)
