"""The price list (packs) and the settings admins change: VAT rate and validity periods."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Pack(models.Model):
    """A pack of the price list: so many credits (minutes) for a price in euros excl. VAT."""

    class Kind(models.TextChoices):
        # One price list serves both by default; an admin may reserve a pack to one use.
        BOTH = "both", _("Registration and recharge")
        REGISTRATION = "registration", _("Registration only")
        RECHARGE = "recharge", _("Recharge only")

    credits = models.PositiveIntegerField(_("credits"), validators=[MinValueValidator(1)])
    # Euros, VAT excluded; VAT is added at checkout and on the invoice.
    price = models.DecimalField(
        _("price excl. VAT (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    kind = models.CharField(_("sold as"), max_length=16, choices=Kind.choices, default=Kind.BOTH)
    # Days; empty = the rule of SPEC.md: a registration pack lasts the registration validity
    # of the credit settings (365 days), a recharge never expires.
    validity_days = models.PositiveIntegerField(
        _("validity (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Leave empty for the default rule: registration credits expire after the "
            "registration validity of the credit settings, recharges never expire."
        ),
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
            models.CheckConstraint(
                condition=Q(validity_days__isnull=True) | Q(validity_days__gt=0),
                name="pack_validity_positive",
            ),
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


class CreditSettings(models.Model):
    """The one row of credit settings that admins edit (a singleton, primary key 1)."""

    SINGLETON_PK = 1

    # Percent, e.g. 21.00 for the Spanish IVA.
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("21.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    registration_validity_days = models.PositiveIntegerField(
        _("registration credits valid for (days)"),
        default=365,
        validators=[MinValueValidator(1)],
    )
    expiry_warning_days = models.PositiveIntegerField(
        _("warn before expiry (days)"), default=30, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("credit settings")
        verbose_name_plural = _("credit settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="creditsettings_singleton"),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100),
                name="creditsettings_vat_rate_percent",
            ),
        ]

    def __str__(self):
        return str(_("Credit settings"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "CreditSettings":
        """The saved settings, or the defaults (unsaved) when nobody saved any yet."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK)
