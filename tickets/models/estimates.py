"""Estimates and quotes that a technician sends and the client accepts or declines.

An estimate announces what the work will take; a quote (customization, or a security
update that needs one) fixes the charge. Both hold the credits once accepted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tickets.models.ticket import Ticket


class EstimateKind(models.TextChoices):
    ESTIMATE = "estimate", _("Estimate")
    QUOTE = "quote", _("Quote")


class EstimateStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting your answer")
    ACCEPTED = "accepted", pgettext_lazy("estimate", "Accepted")
    DECLINED = "declined", pgettext_lazy("estimate", "Declined")
    # Replaced by a newer one, or the ticket finished before an answer.
    WITHDRAWN = "withdrawn", pgettext_lazy("estimate", "Withdrawn")
    # Accepted, then replaced by a newer accepted one (its hold was released).
    SUPERSEDED = "superseded", pgettext_lazy("estimate", "Replaced")


class Estimate(models.Model):
    """Credits a technician expects the work of a ticket to take (or a quote's fixed price)."""

    Kind = EstimateKind
    Status = EstimateStatus

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="estimates"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=EstimateKind.choices, default=EstimateKind.ESTIMATE
    )
    credits = models.PositiveIntegerField(_("credits"))
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=12, choices=EstimateStatus.choices, default=EstimateStatus.PENDING
    )
    # The client's spendable balance (plus what this ticket held) when it was sent.
    balance_when_sent = models.IntegerField(_("balance when sent"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    hold = models.OneToOneField(
        "credits.Hold",
        verbose_name=_("credits held"),
        on_delete=models.PROTECT,
        related_name="estimate",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("estimate or quote")
        verbose_name_plural = _("estimates and quotes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="estimate_credits_positive"),
            # At most one waiting for an answer, and one accepted, per ticket.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status=EstimateStatus.PENDING),
                name="one_pending_estimate",
            ),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status=EstimateStatus.ACCEPTED),
                name="one_accepted_estimate",
            ),
            models.CheckConstraint(
                condition=~Q(status=EstimateStatus.DECLINED) | ~Q(decline_reason=""),
                name="estimate_declined_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["ticket", "status"], name="estimate_ticket_status")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.ticket.reference}: {self.credits}"

    def get_absolute_url(self):
        return reverse("tickets:detail", kwargs={"pk": self.ticket_id}) + f"#estimate-{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == EstimateStatus.PENDING

    @property
    def is_quote(self) -> bool:
        return self.kind == EstimateKind.QUOTE
