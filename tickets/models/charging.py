"""Charging: the admin's versioned policy, technicians' time entries and running timers,
the charge made when a ticket is resolved, and a security update's checklist.

The rules are in ``tickets.pricing`` (pure) and ``tickets.services.charging``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tickets import pricing
from tickets.kinds import TicketChannel, TicketKind
from tickets.models.ticket import Ticket


class ChargingPolicy(models.Model):
    """One version of the charging policy. Versions are never edited: a change in admin
    writes a new version, and the newest one is the current policy. A charge keeps the
    version it was made with."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    consultation_minimum = models.PositiveIntegerField(
        _("consultation minimum (credits)"), default=15
    )
    intervention_minimum = models.PositiveIntegerField(
        _("intervention minimum (credits)"), default=60
    )
    block_size = models.PositiveIntegerField(
        _("block beyond the minimum (credits)"),
        default=15,
        help_text=_("Work beyond the minimum is charged in blocks of this size, rounded up."),
    )
    call_surcharge = models.PositiveIntegerField(
        _("surcharge per phone or video call (credits)"), default=15
    )
    security_update_flat = models.PositiveIntegerField(
        _("security update, flat charge (credits)"), default=60
    )
    credits_per_minute = models.DecimalField(
        _("credits per minute"), max_digits=5, decimal_places=2, default=Decimal(1)
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("charging policy")
        verbose_name_plural = _("charging policies")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(condition=Q(block_size__gte=1), name="policy_block_positive"),
            models.CheckConstraint(
                condition=Q(credits_per_minute__gt=0), name="policy_rate_positive"
            ),
        ]

    def __str__(self):
        return _("Charging policy v%(version)s") % {"version": self.version}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Charging policy versions are never edited: write a new version.")
        super().save(*args, **kwargs)

    def as_policy(self) -> pricing.Policy:
        return pricing.Policy(
            consultation_minimum=self.consultation_minimum,
            intervention_minimum=self.intervention_minimum,
            block_size=self.block_size,
            call_surcharge=self.call_surcharge,
            security_update_flat=self.security_update_flat,
            credits_per_minute=Decimal(self.credits_per_minute),
            version=self.version,
        )


class TimeEntry(models.Model):
    """Real minutes a technician worked on a ticket, over one channel, on one day.

    Editable until the ticket is resolved; then ``charge`` says which charge counted it.
    """

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="time_entries"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        related_name="time_entries",
    )
    minutes = models.PositiveIntegerField(_("minutes"))
    channel = models.CharField(
        _("channel"), max_length=10, choices=TicketChannel.choices, default=TicketChannel.PORTAL
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    work_date = models.DateField(_("date"), default=timezone.localdate)
    charge = models.ForeignKey(
        "TicketCharge",
        verbose_name=_("charge"),
        on_delete=models.PROTECT,
        related_name="entries",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("logged"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["work_date", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="timeentry_minutes_positive"),
        ]
        indexes = [models.Index(fields=["ticket", "work_date"], name="timeentry_ticket_date")]

    def __str__(self):
        return _("%(minutes)s min on %(ticket)s") % {
            "minutes": self.minutes,
            "ticket": self.ticket.reference,
        }

    @property
    def is_call(self) -> bool:
        return self.channel in pricing.CALL_CHANNELS


class RunningTimer(models.Model):
    """A technician's started timer on a ticket, kept on the server so that a reload or
    another device does not lose it. Stopping it writes a time entry."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="timers")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timers"
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=TicketChannel.choices, default=TicketChannel.PORTAL
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)

    class Meta:
        verbose_name = _("running timer")
        verbose_name_plural = _("running timers")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "technician"], name="one_timer_per_person"),
        ]

    def __str__(self):
        return f"{self.ticket.reference} · {self.technician} · {self.started_at:%H:%M}"


class ChargeOutcome(models.TextChoices):
    CHARGED = "charged", pgettext_lazy("charge outcome", "Charged")
    GOODWILL = "goodwill", _("Goodwill, no charge")
    NOTHING = "nothing", _("Nothing to charge")


class TicketCharge(models.Model):
    """What a resolution charged, and how it was made up (a reopened ticket resolved
    again gets a second charge, for what its work adds to the first)."""

    Outcome = ChargeOutcome

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="charges"
    )
    # 1 for the first resolution, 2 after a reopening... (part of the idempotency key).
    number = models.PositiveSmallIntegerField(_("number"))
    policy = models.ForeignKey(
        ChargingPolicy,
        verbose_name=_("policy"),
        on_delete=models.PROTECT,
        related_name="charges",
        null=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TicketKind.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ChargeOutcome.choices)
    # The breakdown (credits unless said otherwise), as shown when it was confirmed.
    minutes = models.PositiveIntegerField(_("real minutes"), default=0)
    calls = models.PositiveIntegerField(_("calls"), default=0)
    minimum = models.PositiveIntegerField(_("minimum"), default=0)
    blocks = models.PositiveIntegerField(_("blocks"), default=0)
    block_size = models.PositiveIntegerField(_("block size"), default=0)
    flat = models.PositiveIntegerField(_("flat charge"), default=0)
    surcharge_per_call = models.PositiveIntegerField(_("surcharge per call"), default=0)
    quoted = models.PositiveIntegerField(_("quoted"), null=True, blank=True)
    # The table's total for all the ticket's work, what earlier charges took of it, and the
    # cap the technician chose (the accepted estimate), if any.
    computed = models.PositiveIntegerField(_("total by the policy"), default=0)
    earlier = models.PositiveIntegerField(_("charged before"), default=0)
    capped_at = models.PositiveIntegerField(_("capped at"), null=True, blank=True)
    credits = models.PositiveIntegerField(_("credits charged"), default=0)
    goodwill_reason = models.CharField(_("reason for no charge"), max_length=500, blank=True)
    estimate = models.ForeignKey(
        "Estimate",
        verbose_name=_("estimate or quote"),
        on_delete=models.PROTECT,
        related_name="charges",
        null=True,
        blank=True,
    )
    ledger_entry = models.OneToOneField(
        "credits.LedgerEntry",
        verbose_name=_("ledger entry"),
        on_delete=models.PROTECT,
        related_name="ticket_charge",
        null=True,
        blank=True,
    )
    # Spendable credits of the organization right after the charge.
    balance_after = models.IntegerField(_("balance after"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ticket charge")
        verbose_name_plural = _("ticket charges")
        ordering = ["ticket", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "number"], name="ticketcharge_number"),
            models.CheckConstraint(
                condition=Q(
                    outcome=ChargeOutcome.CHARGED, credits__gt=0, ledger_entry__isnull=False
                )
                | (~Q(outcome=ChargeOutcome.CHARGED) & Q(credits=0, ledger_entry__isnull=True)),
                name="ticketcharge_ledger_iff_charged",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=ChargeOutcome.GOODWILL) | ~Q(goodwill_reason=""),
                name="ticketcharge_goodwill_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.ticket.reference} #{self.number}: {self.credits}"

    @property
    def block_credits(self) -> int:
        return self.blocks * self.block_size

    @property
    def surcharges(self) -> int:
        return self.calls * self.surcharge_per_call

    @property
    def total(self) -> int:
        """The policy's total for the ticket's work (as ``pricing.Breakdown.total``)."""
        return self.computed


class SecurityChecklist(models.Model):
    """What the technician checked on a security update: the backup (required before
    resolving) and the three conditions that turn it into "needs a quote"."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="security_checklist"
    )
    code_backup = models.BooleanField(_("backup of the code taken"), default=False)
    database_backup = models.BooleanField(_("backup of the database taken"), default=False)
    external_modules = models.BooleanField(_("the site has external modules"), default=False)
    modified_core = models.BooleanField(_("the core code has been modified"), default=False)
    very_old_version = models.BooleanField(_("the version is very old"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("security update checklist")
        verbose_name_plural = _("security update checklists")

    def __str__(self):
        return self.ticket.reference

    @property
    def backup_done(self) -> bool:
        return self.code_backup and self.database_backup

    @property
    def needs_quote(self) -> bool:
        return self.external_modules or self.modified_core or self.very_old_version
