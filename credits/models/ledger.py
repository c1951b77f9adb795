"""The credit ledger: one wallet per organization, lots of credits, entries, holds.

Credits are whole minutes of technician time (``int``). The wallet keeps the running
totals in the same transaction as each entry, so a balance is read in one query:

- ``Wallet.balance`` — credits not yet spent, expired or refunded: the sum of the
  entries' amounts, the sum of the lots' ``remaining`` and the last ``balance_after``;
- ``Wallet.held`` — credits reserved by open holds (accepted estimates);
- spendable = balance - held - credits of lots already past their expiry date that
  ``expire_lots`` has not yet written off (see ``credits.selectors.balance``).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EntryKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    REGISTRATION = "registration", _("Registration pack")
    CONSUMPTION = "consumption", _("Consumption")
    EXPIRY = "expiry", _("Expiry")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REFUND = "refund", _("Refund")


class Wallet(models.Model):
    """An organization's credits. Created lazily by the services, never by a signal."""

    organization = models.OneToOneField(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="credit_wallet",
    )
    # Credits: unspent (includes held credits and lapsed ones not yet written off).
    balance = models.IntegerField(_("ledger balance"), default=0)
    # Credits reserved by open holds.
    held = models.IntegerField(_("held"), default=0)
    last_entry_at = models.DateTimeField(_("last movement"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("credit wallet")
        verbose_name_plural = _("credit wallets")
        # No default ordering: it would join (and, under select_for_update, lock) the
        # organization row on every read of a wallet.
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="wallet_balance_not_negative"),
            models.CheckConstraint(condition=Q(held__gte=0), name="wallet_held_not_negative"),
        ]

    def __str__(self):
        return str(self.organization)


class Lot(models.Model):
    """Credits granted together (a purchase, a registration pack, an adjustment).

    Spent soonest-expiring first; a lot never gives credits after ``expires_at``.
    """

    wallet = models.ForeignKey(
        Wallet, verbose_name=_("wallet"), on_delete=models.PROTECT, related_name="lots"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    granted = models.PositiveIntegerField(_("granted"))
    remaining = models.PositiveIntegerField(_("remaining"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255)
    created_at = models.DateTimeField(_("granted on"), default=timezone.now)
    expired_at = models.DateTimeField(_("expired on"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit lot")
        verbose_name_plural = _("credit lots")
        ordering = [F("expires_at").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(condition=Q(granted__gt=0), name="lot_granted_positive"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0), name="lot_remaining_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(remaining__lte=F("granted")), name="lot_remaining_within_granted"
            ),
        ]
        indexes = [
            # Open lots of a wallet in spending order; also the lapsed-credits subquery.
            models.Index(
                fields=["wallet", "expires_at"],
                condition=Q(remaining__gt=0),
                name="lot_open_by_expiry",
            ),
            # expire_lots: what is due across every wallet.
            models.Index(fields=["expires_at"], condition=Q(remaining__gt=0), name="lot_open_due"),
        ]

    def __str__(self):
        return _("%(granted)s credits on %(date)s") % {
            "granted": self.granted,
            "date": timezone.localdate(self.created_at).isoformat(),
        }

    def is_lapsed(self, now=None) -> bool:
        """Past its expiry date (whether or not expire_lots has written it off)."""
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class LedgerEntryQuerySet(models.QuerySet):
    """Entries are append-only: no update or delete through the ORM either."""

    def update(self, **kwargs):
        raise TypeError("Ledger entries are append-only: they are never updated.")

    def delete(self):
        raise TypeError("Ledger entries are append-only: they are never deleted.")


class LedgerEntry(models.Model):
    """One change of a wallet's balance: who, when, why and what it refers to.

    Append-only: on PostgreSQL a trigger rejects UPDATE and DELETE (migration 0004).
    """

    Kind = EntryKind
    GRANT_KINDS = (EntryKind.PURCHASE, EntryKind.REGISTRATION, EntryKind.ADJUSTMENT)

    wallet = models.ForeignKey(
        Wallet, verbose_name=_("wallet"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    # Credits, signed: positive adds, negative takes away.
    amount = models.IntegerField(_("credits"))
    balance_after = models.IntegerField(_("balance after"))
    # The lot this entry created, expired or refunded (none for spending).
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("lot"),
        on_delete=models.PROTECT,
        related_name="entries",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # What it refers to (a ticket, an order, an invoice...): a lazy reference, because
    # tickets and billing sit above credits and credits never imports them.
    reference_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference_id = models.PositiveBigIntegerField(null=True, blank=True)
    reference = GenericForeignKey("reference_type", "reference_id")
    reference_label = models.CharField(_("refers to"), max_length=200, blank=True)
    # Real minutes of the work charged (consumptions), printed beside the charged credits.
    work_minutes = models.PositiveIntegerField(_("real minutes"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledgerentry_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=[EntryKind.PURCHASE, EntryKind.REGISTRATION], amount__gt=0)
                    | Q(kind__in=[EntryKind.CONSUMPTION, EntryKind.EXPIRY], amount__lt=0)
                    | Q(kind=EntryKind.REFUND, amount__lte=0)
                    | (Q(kind=EntryKind.ADJUSTMENT) & ~Q(amount=0))
                ),
                name="ledgerentry_amount_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=Q(reference_type__isnull=True, reference_id__isnull=True)
                | Q(reference_type__isnull=False, reference_id__isnull=False),
                name="ledgerentry_reference_complete",
            ),
        ]
        indexes = [
            # balance(at=...): the last entry of a wallet at or before a moment; movements.
            models.Index(fields=["wallet", "created_at", "id"], name="ledgerentry_wallet_time"),
            models.Index(
                fields=["wallet", "kind", "created_at"], name="ledgerentry_wallet_kind_time"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Ledger entries are append-only: they are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger entries are append-only: they are never deleted.")

    @property
    def reference_url(self) -> str:
        """The page of what the entry refers to, when that object has one."""
        target = self.reference if self.reference_id else None
        get_url = getattr(target, "get_absolute_url", None)
        return get_url() if callable(get_url) else ""


class HoldStatus(models.TextChoices):
    """``Hold.Status``; at module level so that ``Hold.Meta``'s constraint can name it."""

    OPEN = "open", pgettext_lazy("hold", "Open")
    CONSUMED = "consumed", _("Charged")
    RELEASED = "released", _("Released")


class Hold(models.Model):
    """Credits reserved for an accepted estimate: nobody else may spend them.

    A hold reserves an amount, not particular lots; it is closed by spending against it
    (``consume(..., hold=hold)``) or by ``release_hold``.
    """

    Status = HoldStatus

    wallet = models.ForeignKey(
        Wallet, verbose_name=_("wallet"), on_delete=models.PROTECT, related_name="holds"
    )
    amount = models.PositiveIntegerField(_("credits"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    reason = models.CharField(_("reason"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reference_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference_id = models.PositiveBigIntegerField(null=True, blank=True)
    reference = GenericForeignKey("reference_type", "reference_id")
    reference_label = models.CharField(_("refers to"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("held on"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("closing reason"), max_length=255, blank=True)
    consumed_entry = models.OneToOneField(
        LedgerEntry,
        verbose_name=_("charge"),
        on_delete=models.PROTECT,
        related_name="hold",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("credit hold")
        verbose_name_plural = _("credit holds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hold_amount_positive"),
            models.CheckConstraint(
                condition=Q(status=HoldStatus.OPEN, closed_at__isnull=True)
                | (~Q(status=HoldStatus.OPEN) & Q(closed_at__isnull=False)),
                name="hold_closed_when_not_open",
            ),
        ]
        indexes = [
            models.Index(fields=["wallet", "status"], name="hold_wallet_status"),
            models.Index(fields=["wallet", "created_at"], name="hold_wallet_time"),
        ]

    def __str__(self):
        return _("%(amount)s credits held") % {"amount": self.amount}

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
