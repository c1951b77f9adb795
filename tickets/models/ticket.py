"""Tickets, their threaded messages and attachments, and the history of their statuses.

Every write goes through ``tickets.services``; the constraints below are the last guard.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization
from tickets.attachments import attachment_path, private_storage
from tickets.kinds import TicketChannel, TicketKind
from tickets.models.contracts import Contract, Product
from tickets.models.schedule import Severity


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_CLIENT = "awaiting_client", _("Awaiting client")
    AWAITING_CREDITS = "awaiting_credits", _("Awaiting credits")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("Awaiting acceptance")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


# The SLA clock runs in these statuses; it is stopped (``sla_paused_at`` set) in all others.
RUNNING_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.IN_PROGRESS)
WAITING_STATUSES = (
    TicketStatus.AWAITING_CLIENT,
    TicketStatus.AWAITING_CREDITS,
    TicketStatus.AWAITING_ACCEPTANCE,
)
FINISHED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.OUT_OF_SCOPE)
ACTIVE_STATUSES = RUNNING_STATUSES + WAITING_STATUSES


class OutOfScopeReason(models.TextChoices):
    NETWORK_OR_POWER = "network_or_power", _("Local network or power failure")
    HARDWARE = "hardware", _("Hardware drivers and hardware")
    THIRD_PARTY = "third_party", _("Third-party software")
    NO_MAINTENANCE = "no_maintenance", _("Obsolete application or no maintenance")
    VIRUS = "virus", _("Viruses")
    OPERATING_SYSTEM = "operating_system", _("Operating-system problems")


class TicketSequence(models.Model):
    """The last reference number handed out in a year (T-2026-00042 → 42)."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Ticket(models.Model):
    """A request for support from a client organization about one product."""

    Status = TicketStatus
    Kind = TicketKind
    Severity = Severity
    Channel = TicketChannel
    OutOfScopeReason = OutOfScopeReason

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="tickets"
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="tickets"
    )
    # Set when the ticket came by email and could be about several contracted products:
    # the staff page asks a technician to confirm or change it (``services.set_product``).
    product_to_confirm = models.BooleanField(_("product to confirm"), default=False)
    kind = models.CharField(_("kind"), max_length=20, choices=TicketKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    channel = models.CharField(
        _("channel"), max_length=10, choices=TicketChannel.choices, default=TicketChannel.PORTAL
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    out_of_scope_reason = models.CharField(
        _("out-of-scope reason"), max_length=20, choices=OutOfScopeReason.choices, blank=True
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignees"),
        related_name="assigned_tickets",
        blank=True,
        limit_choices_to={"role__in": ["technician", "admin"]},
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Last public message or status change; the client list shows it.
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Public messages only: internal notes are never shown to clients, not even counted.
    public_message_count = models.PositiveIntegerField(_("replies"), default=0)

    # --- SLA clock (see tickets.clock). The target is copied at opening so that a later
    # change in admin does not move the due dates of tickets already open.
    sla_target_hours = models.PositiveIntegerField(_("SLA target (hours)"))
    sla_business_hours = models.BooleanField(_("SLA counts business hours"), default=True)
    # When the clock started, moved later by every pause: the elapsed SLA time is the time
    # between this and now, like the remaining time is between now and ``due_at``.
    sla_started_at = models.DateTimeField(_("SLA clock start"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    # When the ticket turns "at risk" (e.g. 75 % of the target): a periodic sweep finds
    # the warnings to send with one indexed query.
    sla_warning_at = models.DateTimeField(_("SLA warning at"), db_index=True)
    # Set while the clock is stopped (waiting on the client, resolved, closed).
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)

    # The queue's order: running clocks (0), stopped while waiting (1), finished (2); then
    # by due date. Computed by the database, indexed with the due date (ticket_queue_order).
    queue_rank = models.GeneratedField(
        expression=Case(
            When(status__in=RUNNING_STATUSES, then=Value(0)),
            When(status__in=WAITING_STATUSES, then=Value(1)),
            default=Value(2),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    # Full-text search over subject, description and messages (PostgreSQL only; filled by
    # tickets.search from the services; a GIN index is created by migration 0003).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="ticket_org_created"),
            models.Index(fields=["status", "due_at"], name="ticket_status_due"),
            # The SLA sweep (tickets.notify): running tickets by warning time, in order. Partial,
            # so that years of finished tickets, all past their dates, are not in it.
            models.Index(
                fields=["sla_warning_at", "id"],
                condition=Q(status__in=RUNNING_STATUSES),
                name="ticket_running_warning",
            ),
            models.Index(fields=["queue_rank", "due_at", "id"], name="ticket_queue_order"),
            models.Index(fields=["created_at", "id"], name="ticket_created"),
        ]
        constraints = [
            # The clock runs exactly in the running statuses.
            models.CheckConstraint(
                condition=(Q(status__in=RUNNING_STATUSES) & Q(sla_paused_at__isnull=True))
                | (~Q(status__in=RUNNING_STATUSES) & Q(sla_paused_at__isnull=False)),
                name="ticket_paused_iff_not_running",
            ),
            models.CheckConstraint(
                condition=(Q(status=TicketStatus.OUT_OF_SCOPE) & ~Q(out_of_scope_reason=""))
                | (~Q(status=TicketStatus.OUT_OF_SCOPE) & Q(out_of_scope_reason="")),
                name="ticket_out_of_scope_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self):
        return reverse("tickets:detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.sla_paused_at is not None


class Message(models.Model):
    """A reply in a ticket's thread: public, or an internal note that clients never see."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("message"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created")]

    def __str__(self):
        return f"{self.ticket.reference} · {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file sent with a ticket (``message`` empty) or with one of its messages.

    Stored in private storage under MEDIA_ROOT; only ``tickets:attachment`` serves it.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tickets:attachment", kwargs={"pk": self.pk})


class StatusChange(models.Model):
    """Who moved a ticket from one status to another, and when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=TicketStatus.choices)
    to_status = models.CharField(
        pgettext_lazy("new status", "to"), max_length=20, choices=TicketStatus.choices
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class ProductChange(models.Model):
    """Who confirmed or changed a ticket's product, from which to which, and when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="product_changes")
    from_product = models.ForeignKey(
        Product, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_product = models.ForeignKey(
        Product,
        verbose_name=pgettext_lazy("new product", "to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("product change")
        verbose_name_plural = _("product changes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.ticket_id}: {self.from_product_id} → {self.to_product_id}"


class AssignmentAction(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    UNASSIGNED = "unassigned", _("Unassigned")


class AssignmentChange(models.Model):
    """Who assigned or unassigned which technician to a ticket, and when: being assigned
    opens the ticket's access data, so every change is kept (append-only)."""

    Action = AssignmentAction

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignment_changes")
    # Copied from the ticket: the client's access log lists them per organization.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=AssignmentAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("assignment change")
        verbose_name_plural = _("assignment changes")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="assignment_org_time"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.action} {self.technician_id}"
