"""Reads of the tickets app, scoped to what the asking user may see.

``tickets_visible_to`` is the rule (a client: their organization's tickets; staff: all);
every page starts from it, so a wrong id is a 404 by construction.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextChoices,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from accounts.permissions import sees_all_org_tickets
from accounts.selectors import organizations_visible_to
from tickets import calendars, search, sla
from tickets.models import (
    ACTIVE_STATUSES,
    RUNNING_STATUSES,
    AssignmentChange,
    Attachment,
    Contract,
    Message,
    Product,
    ProductChange,
    RenewalReason,
    RenewalRequest,
    StatusChange,
    Ticket,
)

# --- Contracts -------------------------------------------------------------------------


# ``ContractCheck.status`` when the product is covered (otherwise a RenewalReason value).
CONTRACT_ACTIVE = "active"


@dataclass(frozen=True)
class ContractCheck:
    """Whether an organization may open tickets for a product today, and if not, why."""

    product: Product
    status: str  # CONTRACT_ACTIVE or a RenewalReason value
    contract: Contract | None = None
    pending_renewal: RenewalRequest | None = None

    @property
    def ok(self) -> bool:
        return self.status == CONTRACT_ACTIVE

    @property
    def label(self) -> str:
        return _("Active") if self.ok else RenewalReason(self.status).label

    @property
    def explanation(self) -> str:
        params = {"product": self.product.name}
        if self.contract is not None:
            params |= {
                "version": self.contract.version,
                "current": self.product.current_version,
                "start": date_format(self.contract.starts_on),
                "end": date_format(self.contract.ends_on),
            }
        messages = {
            CONTRACT_ACTIVE: _(
                "Covered by your maintenance contract (version %(version)s) until %(end)s."
            ),
            RenewalReason.NO_CONTRACT: _(
                "Your organization has no maintenance contract for %(product)s, so we cannot "
                "open tickets for it."
            ),
            RenewalReason.NOT_STARTED: _(
                "Your maintenance contract for %(product)s starts on %(start)s."
            ),
            RenewalReason.EXPIRED: _(
                "Your maintenance contract for %(product)s expired on %(end)s."
            ),
            RenewalReason.OBSOLETE_VERSION: _(
                "Your contract for %(product)s covers version %(version)s, which is obsolete and "
                "no longer maintained (the current version is %(current)s)."
            ),
        }
        return messages[self.status] % params


def _check(product: Product, contracts: list[Contract], today: date) -> ContractCheck:
    covering = [c for c in contracts if c.covers(today)]
    current = [c for c in covering if not product.is_obsolete(c.version)]
    if current:
        return ContractCheck(product, CONTRACT_ACTIVE, max(current, key=lambda c: c.ends_on))
    if covering:
        return ContractCheck(product, RenewalReason.OBSOLETE_VERSION, covering[0])
    past = [c for c in contracts if c.ends_on < today]
    if past:
        return ContractCheck(product, RenewalReason.EXPIRED, max(past, key=lambda c: c.ends_on))
    if contracts:
        return ContractCheck(
            product, RenewalReason.NOT_STARTED, min(contracts, key=lambda c: c.starts_on)
        )
    return ContractCheck(product, RenewalReason.NO_CONTRACT)


def contract_check(
    organization: Organization, product: Product, *, on: date | None = None
) -> ContractCheck:
    """Whether ``organization`` has an active contract for ``product`` on a day (today)."""
    contracts = list(Contract.objects.filter(organization=organization, product=product))
    return _check(product, contracts, on or timezone.localdate())


def contract_overview(organization: Organization) -> list[ContractCheck]:
    """One check per active product (or product with a contract), with pending renewals."""
    contracts = list(Contract.objects.filter(organization=organization).select_related("product"))
    pending = {
        r.product_id: r
        for r in RenewalRequest.objects.filter(organization=organization, handled_at__isnull=True)
    }
    products = {c.product_id: c.product for c in contracts}
    products |= {p.pk: p for p in Product.objects.filter(is_active=True)}
    today = timezone.localdate()
    checks = []
    for product in sorted(products.values(), key=lambda p: p.name):
        check = _check(product, [c for c in contracts if c.product_id == product.pk], today)
        checks.append(
            ContractCheck(check.product, check.status, check.contract, pending.get(product.pk))
        )
    return checks


def contracted_products(organization: Organization) -> list[Product]:
    """The products ``organization`` has an active contract for today, by name."""
    return [check.product for check in contract_overview(organization) if check.ok]


# --- Tickets ---------------------------------------------------------------------------


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Technicians and admins see all tickets; a client organization's manager all of its
    tickets; a member the tickets they requested, or all of the organization's when it
    lets members see them (accounts.permissions.sees_all_org_tickets, issue 19)."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    if user.is_support_staff:
        return Ticket.objects.all()
    if user.organization_id is None:
        return Ticket.objects.none()
    tickets = Ticket.objects.filter(organization_id=user.organization_id)
    if sees_all_org_tickets(user):
        return tickets
    return tickets.filter(requester_id=user.pk)


def client_tickets(user: User, *, status: str = "") -> QuerySet[Ticket]:
    """The client's organization's tickets, newest first; ``status``: a status,
    ``QueueStatus.ACTIVE`` (open ones) or "" for all."""
    tickets = tickets_visible_to(user).select_related("product", "requester")
    if status == QueueStatus.ACTIVE:
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    elif status in Ticket.Status.values:
        tickets = tickets.filter(status=status)
    return tickets.order_by("-created_at", "-pk")


class QueueStatus(TextChoices):
    """The queue's status filters beside each ``Ticket.Status``."""

    ACTIVE = "active", gettext_lazy("Not finished")
    ALL = "all", gettext_lazy("All")


class QueueAssignee(TextChoices):
    """The queue's assignee filters beside a technician's id ("" for anyone)."""

    MINE = "mine", gettext_lazy("Mine")
    UNASSIGNED = "unassigned", gettext_lazy("Unassigned")


class QueueSort(TextChoices):
    DUE = "due", gettext_lazy("Most urgent first")
    NEWEST = "newest", gettext_lazy("Newest first")
    OLDEST = "oldest", gettext_lazy("Oldest first")


@dataclass(frozen=True)
class QueueFilters:
    """What the technician asked the queue for (every field optional)."""

    status: str = QueueStatus.ACTIVE  # a Ticket.Status or a QueueStatus
    severity: str = ""
    organization: int | None = None
    assignee: str = ""  # a QueueAssignee, a user id, or "" for anyone
    breached: bool = False
    due_within_hours: int | None = None
    q: str = ""
    sort: str = QueueSort.DUE


def queue_for(
    technician: User, filters: QueueFilters | None = None, *, now: datetime | None = None
) -> QuerySet[Ticket]:
    """The technicians' queue, filtered and sorted; default: unfinished tickets, running
    clocks first by due date (so breached ones on top), then stopped clocks."""
    filters = filters or QueueFilters()
    now = now or timezone.now()
    tickets = tickets_visible_to(technician)
    if filters.status == QueueStatus.ACTIVE:
        tickets = tickets.filter(queue_rank__lt=2)  # not finished
    elif filters.status in Ticket.Status.values:
        tickets = tickets.filter(status=filters.status)
    if filters.severity in Ticket.Severity.values:
        tickets = tickets.filter(severity=filters.severity)
    if filters.organization:
        tickets = tickets.filter(organization_id=filters.organization)
    if filters.assignee == QueueAssignee.MINE:
        tickets = tickets.filter(assignees=technician)
    elif filters.assignee == QueueAssignee.UNASSIGNED:
        tickets = tickets.filter(~Exists(_assignments(OuterRef("pk"))))
    elif filters.assignee.isdigit():
        tickets = tickets.filter(assignees=int(filters.assignee))
    if filters.breached:
        tickets = tickets.filter(status__in=RUNNING_STATUSES, due_at__lte=now)
    if filters.due_within_hours is not None:
        tickets = tickets.filter(due_within(filters.due_within_hours, now=now))
    if filters.q.strip():
        tickets = search.matching(tickets, filters.q, few=settings.TICKETS_SEARCH_COUNT_CAP)
    if filters.sort == QueueSort.NEWEST:
        tickets = tickets.order_by("-created_at", "-pk")
    elif filters.sort == QueueSort.OLDEST:
        tickets = tickets.order_by("created_at", "pk")
    else:
        tickets = tickets.order_by("queue_rank", "due_at", "pk")
    return tickets.select_related("organization", "product").prefetch_related(
        Prefetch("assignees", queryset=User.objects.order_by("full_name", "email"))
    )


def due_within(hours: int, *, now: datetime) -> Q:
    """Running tickets with at most ``hours`` of SLA time left, counted as their countdown
    counts it: business hours of the default calendar for tickets whose target counts
    business hours (at night "4 hours" reaches into tomorrow's opening), plain hours for
    the others. The countdown is monotonic in ``due_at``, so each is one date bound."""
    calendar = calendars.default_calendar()
    span = timedelta(hours=hours)
    business_limit = sla.add_business_time(now, span, calendar) if hours else now
    return Q(status__in=RUNNING_STATUSES) & (
        Q(sla_business_hours=True, due_at__lte=business_limit)
        | Q(sla_business_hours=False, due_at__lte=now + span)
    )


def _assignments(ticket_id):
    return Ticket.assignees.through.objects.filter(ticket_id=ticket_id)


def thread_for(ticket: Ticket, user: User) -> list[Message]:
    """The messages of a ticket that ``user`` may read, oldest first, with attachments.

    Internal notes only for technicians and admins.
    """
    # ``inbound_email`` (mailchannel): the thread shows "by email" without a query more.
    # Not the stored email itself (``raw``: up to megabytes per message).
    messages = (
        ticket.messages.select_related("author", "inbound_email")
        .defer("inbound_email__raw")
        .prefetch_related("attachments")
    )
    if not user.is_support_staff:
        messages = messages.filter(is_internal=False)
    return list(messages.order_by("created_at", "pk"))


def opening_attachments(ticket: Ticket) -> list[Attachment]:
    """The files sent with the ticket itself (not with a message)."""
    return list(ticket.attachments.filter(message__isnull=True).order_by("created_at", "pk"))


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a ticket's history: a status change (``action`` "status", with the
    labels of both statuses), an assignment change (``action`` "assigned" or
    "unassigned", with the technician's name) or a product confirmed or changed
    (``action`` "product", the products' names in ``from_status`` and ``to_status``)."""

    at: datetime
    action: str
    by_name: str
    from_status: str = ""
    to_status: str = ""
    technician_name: str = ""

    @property
    def is_status(self) -> bool:
        return self.action == "status"


_TEXT = CharField()


def ticket_history(ticket: Ticket) -> list[HistoryEntry]:
    """Status changes and (un)assignments of technicians, oldest first: one query (a
    UNION), so the ticket pages keep their fixed query count. Clients see it too: who was
    given access to their ticket is theirs to know."""
    columns = (
        "at",
        "order",
        "action",
        "old",
        "new",
        "by_full",
        "by_email",
        "tech_full",
        "tech_email",
    )
    statuses = StatusChange.objects.filter(ticket=ticket).annotate(
        at=F("created_at"),
        order=F("pk"),
        action=Value("status", output_field=_TEXT),
        old=F("from_status"),
        new=F("to_status"),
        by_full=F("by__full_name"),
        by_email=F("by__email"),
        tech_full=Value("", output_field=_TEXT),
        tech_email=Value("", output_field=_TEXT),
    )
    assignments = AssignmentChange.objects.filter(ticket=ticket).annotate(
        at=F("created_at"),
        order=F("pk"),
        action_=F("action"),
        old=Value("", output_field=_TEXT),
        new=Value("", output_field=_TEXT),
        by_full=F("by__full_name"),
        by_email=F("by__email"),
        tech_full=F("technician__full_name"),
        tech_email=F("technician__email"),
    )
    products = ProductChange.objects.filter(ticket=ticket).annotate(
        at=F("created_at"),
        order=F("pk"),
        action=Value("product", output_field=_TEXT),
        old=F("from_product__name"),
        new=F("to_product__name"),
        by_full=F("by__full_name"),
        by_email=F("by__email"),
        tech_full=Value("", output_field=_TEXT),
        tech_email=Value("", output_field=_TEXT),
    )
    # No ORDER BY inside the union's parts (SQLite refuses one there): sorted below.
    rows = (
        statuses.order_by()
        .values_list(*columns)
        .union(
            assignments.order_by().values_list(
                *["action_" if c == "action" else c for c in columns]
            ),
            products.order_by().values_list(*columns),
            all=True,
        )
    )
    label = dict(Ticket.Status.choices)
    entries = [
        HistoryEntry(
            at=at,
            action=action,
            by_name=by_full or by_email,
            from_status=str(label.get(old, old)) if action == "status" else old,
            to_status=str(label.get(new, new)) if action == "status" else new,
            technician_name=tech_full or tech_email,
        )
        for at, _order, action, old, new, by_full, by_email, tech_full, tech_email in rows
    ]
    # Status changes first at the same moment: the order the services write them in.
    return sorted(entries, key=lambda entry: (entry.at, not entry.is_status))


def attachments_visible_to(user: User) -> QuerySet[Attachment]:
    """Attachments of the tickets ``user`` may see; never an internal note's for a client."""
    attachments = Attachment.objects.filter(
        ticket__in=tickets_visible_to(user).values("pk")
    ).select_related("ticket", "message")
    if not user.is_support_staff:
        attachments = attachments.filter(Q(message__isnull=True) | Q(message__is_internal=False))
    return attachments


def technicians() -> QuerySet[User]:
    """People who may be assigned tickets."""
    return User.objects.filter(
        role__in=[User.Role.TECHNICIAN, User.Role.ADMIN], is_active=True
    ).order_by("full_name", "email")


def queue_filter_choices(user: User) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The queue's filter bar lists: the organizations ``user`` may see, by name, and the
    technicians, by name, as (pk, name) pairs. One query (a UNION; each part numbered in
    the database's own order, so names sort as the database sorts them)."""
    organizations = (
        organizations_visible_to(user)
        .annotate(
            part=Value(0),
            position=Window(RowNumber(), order_by=[F("name").asc(), F("pk").asc()]),
            label=F("name"),
        )
        .order_by()
        .values_list("part", "position", "pk", "label")
    )
    people = (
        technicians()
        .annotate(
            part=Value(1),
            position=Window(RowNumber(), order_by=[F("full_name").asc(), F("email").asc()]),
            label=Case(When(full_name="", then=F("email")), default=F("full_name")),
        )
        .order_by()
        .values_list("part", "position", "pk", "label")
    )
    rows = sorted(organizations.union(people, all=True))
    return (
        [(pk, label) for part, _position, pk, label in rows if part == 0],
        [(pk, label) for part, _position, pk, label in rows if part == 1],
    )


# --- Dashboards and the SLA sweep ---------------------------------------------------------


def client_summary(user: User) -> dict:
    """Counts for the client's dashboard panel (one query)."""
    return tickets_visible_to(user).aggregate(
        active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        awaiting_you=Count("pk", filter=Q(status=Ticket.Status.AWAITING_CLIENT)),
    )


def staff_summary(user: User, *, now: datetime | None = None) -> dict:
    """Counts for a technician's dashboard panel, each counted up to one past
    ``settings.DASHBOARD_COUNT_CAP`` (the panel shows "99+" beyond): three queries that stop
    at the cap, so the dashboard costs the same with 300 open tickets or 30,000 (issue 15:
    one aggregate over every open ticket, with two correlated EXISTS, grew with them)."""
    now = now or timezone.now()
    visible = tickets_visible_to(user).order_by()
    # Not finished: the queue's rank (ticket_queue_order), which PostgreSQL walks in order
    # and stops at the cap, where a status list made it read every open ticket first.
    active = visible.filter(queue_rank__lt=2)

    def capped(tickets: QuerySet[Ticket]) -> int:
        return tickets.values("pk")[: settings.DASHBOARD_COUNT_CAP + 1].count()

    return {
        "mine": capped(active.filter(Exists(_assignments(OuterRef("pk")).filter(user_id=user.pk)))),
        "breached": capped(visible.filter(status__in=RUNNING_STATUSES, due_at__lte=now)),
        "unassigned": capped(active.filter(~Exists(_assignments(OuterRef("pk"))))),
    }
