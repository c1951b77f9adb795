"""The SLA notices a ticket has had: one row per ticket and kind makes "warned once" and
"breach told once" database facts (a unique constraint), whatever the number of sweeps."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Ticket


class SlaNotice(models.Model):
    """The SLA sweep told the technicians that a ticket reached its warning or its due date."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("SLA warning")
        BREACH = "breach", _("SLA breach")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="sla_notices"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The stored date the ticket was judged on (its warning time or its due date then).
    judged_on = models.DateTimeField(_("reached at"))
    # Emails queued (0: a warning skipped because the breach was told at the same time).
    emails = models.PositiveSmallIntegerField(_("emails"), default=0)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("SLA notice")
        verbose_name_plural = _("SLA notices")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="sla_notice_once_per_kind"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.kind}"
