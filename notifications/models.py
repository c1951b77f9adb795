"""The email outbox: one row per email, written in the transaction of the change that causes it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    """What an email is about. Each kind has its templates and context keys (kinds.py)."""

    BALANCE_AFTER_DEDUCTION = "balance_after_deduction", _("Balance after a deduction")
    LOW_BALANCE = "low_balance", _("Low balance")
    CREDITS_EXPIRING = "credits_expiring", _("Credits expiring soon")
    ESTIMATE_EXCEEDS_BALANCE = "estimate_exceeds_balance", _("Estimate exceeds the balance")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breach")
    TICKET_REPLY = "ticket_reply", _("Ticket reply")
    INVOICE_ISSUED = "invoice_issued", _("Invoice issued")
    # Tickets (issue 10): what the other side of a ticket must act on.
    ESTIMATE_AWAITING_ANSWER = "estimate_awaiting_answer", _("Estimate awaiting an answer")
    ESTIMATE_ANSWERED = "estimate_answered", _("Estimate accepted or declined")
    ESTIMATE_COVERED = "estimate_covered", _("Credits now cover an estimate")
    TICKET_OUT_OF_SCOPE = "ticket_out_of_scope", _("Ticket closed as out of scope")
    CREDENTIAL_REVEALED = "credential_revealed", _("Access data revealed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    # The API's webhooks (notifications/webhooks.py): an endpoint that kept failing.
    WEBHOOK_PAUSED = "webhook_paused", _("Webhook paused")
    # The email channel (mailchannel): the polite answer to mail we cannot take, and the
    # staff alert when a mailbox can no longer be read.
    INBOUND_REJECTED = "inbound_rejected", _("Email not taken")
    MAILBOX_FAILING = "mailbox_failing", _("Mailbox cannot be read")
    # Plans and automatic recharge (plans app): a saved card was declined.
    AUTOMATIC_PAYMENT_DECLINED = "automatic_payment_declined", _("Automatic payment declined")
    # Dunning of a plan's renewal (plans.services.subscriptions): each declined attempt
    # with the next automatic retry, and the end of the plan after the last one.
    PLAN_RENEWAL_DECLINED = "plan_renewal_declined", _("Plan renewal declined")
    PLAN_ENDED_UNPAID = "plan_ended_unpaid", _("Plan ended unpaid")

    # Teams (issue 19, accounts.invitations and accounts.approvals).
    TEAM_INVITATION = "team_invitation", _("Invitation to an organization")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")


class OutboxEmailStatus(models.TextChoices):
    """``OutboxEmail.Status``; at module level so that ``OutboxEmail.Meta`` can name it."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxEmail(models.Model):
    """An email to one recipient: pending until a worker sends it once, or fails for good."""

    Status = OutboxEmailStatus

    kind = models.CharField(_("kind"), max_length=64, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_emails",
    )
    # The address and language of the recipient when the email was queued.
    to_email = models.CharField(pgettext_lazy("email recipient", "to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=8)
    # Ids and plain values only; the email is rendered from it when it is sent.
    context = models.JSONField(_("context"), default=dict, blank=True)
    # [[builder name, {params}], ...]: files built when the email is sent (attachments.py).
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # Queueing the same key again returns this row: "send once" as a database fact.
    dedupe_key = models.CharField(
        _("deduplication key"), max_length=255, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A pending email is sent at this time or later (retries wait here, never in the broker).
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # When a send task was last published for it; None when publishing failed.
    enqueued_at = models.DateTimeField(_("enqueued"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The outbox sweep reads only pending rows, by due time.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=OutboxEmailStatus.PENDING),
                name="outbox_pending_due",
            ),
            models.Index(fields=["status", "-created_at"], name="outbox_status_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=OutboxEmailStatus.SENT, sent_at__isnull=False)
                | (~Q(status=OutboxEmailStatus.SENT) & Q(sent_at__isnull=True)),
                name="outbox_sent_has_sent_at",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.to_email or '?'}"


# Webhooks live in their own module; importing them here registers them with the app.
from notifications.webhook_models import WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: E402, F401
