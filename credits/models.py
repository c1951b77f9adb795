"""Credit packs of the price list. (Lots, ledger and balances arrive with the credits issue.)"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Pack(models.Model):
    """A pack of the price list: so many credits (minutes) for a price in euros excl. VAT."""

    credits = models.PositiveIntegerField(_("credits"), validators=[MinValueValidator(1)])
    # Euros, VAT excluded; VAT is added at checkout and on the invoice.
    price = models.DecimalField(
        _("price excl. VAT (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order on the page"), default=0)

    class Meta:
        verbose_name = _("credit pack")
        verbose_name_plural = _("credit packs")
        ordering = ["position", "credits"]
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="pack_credits_positive"),
            models.CheckConstraint(condition=Q(price__gt=0), name="pack_price_positive"),
        ]

    def __str__(self):
        return _("%(credits)s credits") % {"credits": self.credits}

    @property
    def unit_price(self) -> Decimal:
        """Euros excl. VAT per credit."""
        return self.price / self.credits

    @property
    def discount_percent(self) -> int:
        """Discount against the base rate of 10 € per 15 credits, as a whole percent."""
        base = Decimal(10) * self.credits / 15
        if base <= self.price:
            return 0
        return int(((base - self.price) / base * 100).to_integral_value())
