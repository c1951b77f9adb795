"""Invoices: numbered without gaps per series and year, immutable once issued.

Seller and buyer are copied onto the invoice when it is issued, so later edits of the
settings or of the organization never change an issued invoice. On PostgreSQL a trigger
rejects UPDATE and DELETE of invoices and their lines (migration 0002).
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from billing.countries import localized_address_lines
from billing.models.orders import Order
from helpdesk.formatting import format_credits


class ImmutableQuerySet(models.QuerySet):
    """Issued invoices and their lines are never updated nor deleted, not even in bulk."""

    def update(self, **kwargs):
        raise TypeError("Invoices are immutable once issued.")

    def delete(self):
        raise TypeError("Invoices are immutable once issued.")


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Invoices are immutable once issued.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Invoices are immutable once issued.")


class InvoiceKind(models.TextChoices):
    """``Invoice.Kind``; at module level so that ``Invoice.Meta``'s constraints can name it."""

    INVOICE = "invoice", _("Invoice")
    CORRECTIVE = "corrective", _("Corrective invoice")


class Invoice(ImmutableModel):
    """The invoice of a paid order, or the corrective invoice of its refund (negative)."""

    Kind = InvoiceKind

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INVOICE)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    series = models.CharField(_("series"), max_length=8)
    year = models.PositiveSmallIntegerField(_("year"))
    # Correlative from 1 within a series and year, with no gaps (InvoiceCounter).
    sequence = models.PositiveIntegerField(_("number"))
    issued_at = models.DateTimeField(_("issued on"))
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_tax_id = models.CharField(_("seller tax id"), max_length=32)
    seller_address = models.TextField(_("seller address"))
    seller_email = models.CharField(_("seller email"), max_length=254, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_tax_id = models.CharField(_("buyer tax id"), max_length=32, blank=True)
    # One line per line of the address, as printed.
    buyer_address = models.TextField(_("buyer address"), blank=True)
    # Euros: negative on a corrective invoice.
    base = models.DecimalField(_("base (€)"), max_digits=12, decimal_places=2)
    # Percent, e.g. 21.00.
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT (€)"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total (€)"), max_digits=12, decimal_places=2)
    # Why a corrective invoice was issued (the refund's reason).
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"], name="invoice_number_unique"
            ),
            # One invoice per paid order, one corrective invoice per refund.
            models.UniqueConstraint(fields=["order", "kind"], name="invoice_one_per_order_kind"),
            models.CheckConstraint(condition=Q(sequence__gt=0), name="invoice_sequence_positive"),
            models.CheckConstraint(
                condition=Q(kind=InvoiceKind.INVOICE, corrects__isnull=True, total__gt=0)
                | Q(kind=InvoiceKind.CORRECTIVE, corrects__isnull=False, total__lt=0),
                name="invoice_kind_coherent",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("billing:invoice_detail", kwargs={"pk": self.pk})

    @property
    def number(self) -> str:
        """ "A-2026-0001": series, year, sequence."""
        return f"{self.series}-{self.year}-{self.sequence:04d}"

    @property
    def filename(self) -> str:
        """ "factura-A-2026-0001.pdf" / "invoice-A-2026-0001.pdf" (active language)."""
        name = pgettext("file name", "invoice")
        return f"{name}-{self.number}.pdf"

    @property
    def is_corrective(self) -> bool:
        return self.kind == self.Kind.CORRECTIVE

    @property
    def buyer_address_lines(self) -> list[str]:
        """As issued, the country in the reader's language."""
        return localized_address_lines([line for line in self.buyer_address.splitlines() if line])

    @property
    def seller_address_lines(self) -> list[str]:
        """As issued, the country in the reader's language."""
        return localized_address_lines([line for line in self.seller_address.splitlines() if line])


class InvoiceLine(ImmutableModel):
    """A line of an invoice: a pack of credits (its description is printed in the reader's
    language from these fields)."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration pack")
        RECHARGE = "recharge", _("Recharge pack")
        # A period of a monthly plan (plans app): the plan's credits of that period.
        PLAN = "plan", _("Monthly plan")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    credits = models.PositiveIntegerField(_("credits"))
    # When the credits expire (registration packs), else empty.
    expires_on = models.DateField(_("credits expire on"), null=True, blank=True)
    quantity = models.IntegerField(_("quantity"), default=1)
    # Euros, VAT excluded; negative on a corrective invoice.
    unit_price = models.DecimalField(_("unit price (€)"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoiceline_position"),
        ]

    def __str__(self):
        return self.description

    @property
    def description(self) -> str:
        """ "Registration pack: 60 support credits (1 credit = 1 minute)", translated."""
        if self.kind == self.Kind.REGISTRATION:
            text = _("Registration pack: %(credits)s support credits (1 credit = 1 minute)")
        elif self.kind == self.Kind.PLAN:
            text = _("Monthly plan: %(credits)s support credits (1 credit = 1 minute)")
        else:
            text = _("Recharge pack: %(credits)s support credits (1 credit = 1 minute)")
        return text % {"credits": format_credits(self.credits)}


class InvoiceCounter(models.Model):
    """The last number issued in a series and year. Locked (select_for_update) while an
    invoice takes the next one, so concurrent payments never share or skip a number."""

    series = models.CharField(_("series"), max_length=8)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="invoicecounter_series_year"),
        ]

    def __str__(self):
        return f"{self.series}-{self.year}: {self.last}"
