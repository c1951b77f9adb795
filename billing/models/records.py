"""VERI*FACTU billing records (Real Decreto 1007/2023, Orden HAC/1177/2024).

Every invoice gets a "registro de facturación de alta" in the transaction that issues it;
an invoice issued by mistake gets a "registro de anulación". The records of one issuer
form one chain across all series: each carries the fingerprint (huella) of the previous
one. Records are append-only (ImmutableModel here, a trigger in migration 0004 on
PostgreSQL); what changes (the submission to the agency) lives in RecordSubmission.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.invoices import ImmutableModel, Invoice


class BillingRecord(ImmutableModel):
    """One link of an issuer's chain: an alta (the invoice's record) or an anulación."""

    class Kind(models.TextChoices):
        ALTA = "alta", _("Invoice record")
        ANULACION = "anulacion", _("Annulment record")

    class InvoiceType(models.TextChoices):
        F1 = "F1", _("F1: invoice")
        R1 = "R1", _("R1: corrective (art. 80 One, Two and Six LIVA)")
        R2 = "R2", _("R2: corrective (art. 80 Three LIVA)")
        R3 = "R3", _("R3: corrective (art. 80 Four LIVA)")
        R4 = "R4", _("R4: corrective (other)")
        R5 = "R5", _("R5: corrective of a simplified invoice")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ALTA)
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="records"
    )
    # 1, 2, 3... within the issuer's chain: no gaps, no forks (unique with the issuer).
    position = models.PositiveIntegerField(_("position in the chain"))
    issuer_tax_id = models.CharField(_("issuer NIF"), max_length=9)
    issuer_name = models.CharField(_("issuer name"), max_length=120)
    # NumSerieFactura: series and number as printed on the invoice, e.g. "A-2026-0001".
    invoice_number = models.CharField(_("series and number"), max_length=60)
    issue_date = models.DateField(_("issue date"))
    invoice_type = models.CharField(
        _("invoice type"), max_length=2, choices=InvoiceType.choices, blank=True
    )
    # Corrective invoices: the corrected invoice (number and date as in its record).
    corrected_number = models.CharField(_("corrected invoice"), max_length=60, blank=True)
    corrected_issue_date = models.DateField(_("corrected invoice date"), null=True, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=120, blank=True)
    buyer_tax_id = models.CharField(_("buyer tax id"), max_length=32, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # Euros. Base, VAT rate (%), CuotaTotal (VAT) and ImporteTotal (VAT included).
    base = models.DecimalField(_("base (€)"), max_digits=12, decimal_places=2, default=0)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=0)
    vat_amount = models.DecimalField(_("VAT (€)"), max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(_("total (€)"), max_digits=12, decimal_places=2, default=0)
    generated_at = models.DateTimeField(_("generated at"))
    # FechaHoraHusoGenRegistro exactly as it entered the fingerprint (ISO 8601 with offset).
    generated_at_text = models.CharField(_("generation timestamp"), max_length=32)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_record",
    )
    previous_fingerprint = models.CharField(_("previous fingerprint"), max_length=64, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("billing record")
        verbose_name_plural = _("billing records")
        ordering = ["issuer_tax_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_tax_id", "position"], name="billingrecord_chain_position"
            ),
            # One first record per issuer: the chain has one start.
            models.UniqueConstraint(
                fields=["issuer_tax_id"],
                condition=Q(previous__isnull=True),
                name="billingrecord_one_chain_start",
            ),
            # One alta and at most one anulación per invoice.
            models.UniqueConstraint(fields=["invoice", "kind"], name="billingrecord_one_per_kind"),
            models.CheckConstraint(
                condition=Q(position=1, previous__isnull=True, previous_fingerprint="")
                | Q(position__gt=1, previous__isnull=False),
                name="billingrecord_linked",
            ),
        ]

    def __str__(self):
        return f"{self.issuer_tax_id} #{self.position} {self.invoice_number} ({self.kind})"


class ChainHead(models.Model):
    """The last record of an issuer's chain. Locked (select_for_update) while a record is
    added, so concurrent payments append one at a time: the chain never forks or skips."""

    issuer_tax_id = models.CharField(_("issuer NIF"), max_length=9, unique=True)
    last_record = models.OneToOneField(
        BillingRecord,
        verbose_name=_("last record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    length = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        verbose_name = _("record chain")
        verbose_name_plural = _("record chains")

    def __str__(self):
        return f"{self.issuer_tax_id}: {self.length}"


class RecordSubmission(models.Model):
    """Outbox row: one per record, written in the record's transaction, sent to the agency
    later in batches (never lost: the row exists from the start; never twice: a row leaves
    PENDING only under its lock, and an accepted row is never picked again)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        ACCEPTED_WITH_ERRORS = "accepted_with_errors", _("Accepted with errors")
        REJECTED = "rejected", _("Rejected")
        HELD = "held", _("Held: needs an admin")

    record = models.OneToOneField(
        BillingRecord,
        verbose_name=_("record"),
        on_delete=models.PROTECT,
        related_name="submission",
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The agency's answer: CSV of the accepted batch, error code and description.
    csv = models.CharField(_("CSV"), max_length=64, blank=True)
    error_code = models.CharField(_("agency error code"), max_length=16, blank=True)
    error_message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("record submission")
        verbose_name_plural = _("record submissions")
        ordering = ["record_id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="recordsub_due")]

    def __str__(self):
        return f"{self.record} → {self.get_status_display()}"


class SystemEvent(ImmutableModel):
    """The invoicing system's event log (art. 9 RD 1007/2023): start, stop, failures and
    anomalies such as a broken chain. Append-only like the records."""

    class Kind(models.TextChoices):
        START = "start", _("System start")
        STOP = "stop", _("System stop")
        FAILURE = "failure", _("Failure")
        ANOMALY = "anomaly", _("Anomaly")
        SUBMISSION = "submission", _("Submission to the agency")
        EXPORT = "export", _("Records exported")
        CHECK = "check", _("Chain checked")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    message = models.CharField(_("message"), max_length=500)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("invoicing system event")
        verbose_name_plural = _("invoicing system events")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message}"
