"""What the reports store of their own: per-ticket times in SLA hours, CSAT ratings, and
the ledger's hourly sums per organization and kind (kept by a database trigger).

Everything else on the dashboards is aggregated in SQL from the other apps' tables.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TicketTimes(models.Model):
    """A ticket's first-response and resolution times, counted like its SLA clock
    (business hours when its target counts business hours), so that medians and
    percentiles are one SQL aggregate. Written by ``reports.services.record_times``."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="report_times"
    )
    # Copied from the ticket so the aggregate reads one narrow table.
    severity = models.CharField(_("severity"), max_length=10)
    opened_at = models.DateTimeField(_("opened"))
    # Seconds of SLA time from opening to the first public reply of the support staff.
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Seconds of SLA time the clock ran until it stopped for good (pauses excluded).
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket times")
        verbose_name_plural = _("ticket times")
        indexes = [models.Index(fields=["resolved_at"], name="tickettimes_resolved")]

    def __str__(self):
        return f"{self.ticket_id}"


class Rating(models.Model):
    """How the client rated the support of one resolved ticket (CSAT, 1 to 5)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who resolved the ticket, when it was rated: the figure goes to that technician.
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("rated on"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="rating_created")]

    def __str__(self):
        return f"{self.ticket_id}: {self.score}"


class LedgerHour(models.Model):
    """The sum of the ledger entries of one organization, one kind and one hour (UTC).

    Written only by the database: a trigger on ``credits_ledgerentry`` adds every inserted
    entry to its hour (migration ``reports/0003_ledger_hour``, which also backfilled it).
    The monthly series read these rows instead of every entry: a month is at most 744
    rows per organization and kind, whatever the number of entries. Months are cut in the
    local time zone; an hour boundary is a local month boundary in every zone whose offset
    is a whole number of hours (Europe/Madrid is).
    """

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique (organization, kind, hour) starts with it
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16)
    hour = models.DateTimeField(_("hour"))
    amount = models.BigIntegerField(_("credits"))
    entries = models.PositiveIntegerField(_("entries"))

    class Meta:
        verbose_name = _("ledger hour")
        verbose_name_plural = _("ledger hours")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "hour"], name="ledgerhour_org_kind_hour"
            )
        ]
        indexes = [models.Index(fields=["hour", "kind"], name="ledgerhour_hour_kind")]

    def __str__(self):
        return f"{self.organization_id} {self.kind} {self.hour:%Y-%m-%d %H:00}: {self.amount}"


class ChargeFact(models.Model):
    """A ticket charge with its organization: the client's breakdowns read the charges of
    one organization and period by this table's (organization, outcome, time) index
    instead of every organization's charges of the period (``tickets_ticketcharge`` has no
    organization column, and a ticket's organization never changes).

    Written only by PostgreSQL: statement triggers on ``tickets_ticketcharge`` copy every
    inserted, updated or deleted charge here in the same transaction (migration
    ``reports/0005_charge_fact``, which also backfilled it). On SQLite (the embedded
    default) the breakdowns read the charges themselves and this table stays empty.
    """

    charge = models.OneToOneField(
        "tickets.TicketCharge",
        verbose_name=_("charge"),
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (organization, outcome, created_at) index starts with it
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    kind = models.CharField(_("kind"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=10)
    credits = models.PositiveIntegerField(_("credits charged"))
    minutes = models.PositiveIntegerField(_("real minutes"))

    class Meta:
        verbose_name = _("charge fact")
        verbose_name_plural = _("charge facts")
        # The covering (organization, outcome, created_at) index is PostgreSQL's only
        # (INCLUDE), in the migration.

    def __str__(self):
        return f"{self.organization_id} {self.charge_id}: {self.credits}"
