"""Reads of charging: the current policy, a ticket's time, estimates and charges, and the
charge a resolution would make now (``charge_preview``)."""

import copy
import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.models import User
from credits import selectors as credit_selectors
from credits.models import Hold
from tickets import pricing
from tickets.models import (
    ACTIVE_STATUSES,
    Attachment,
    ChargingPolicy,
    Credential,
    Estimate,
    RunningTimer,
    SecurityChecklist,
    Ticket,
    TicketCharge,
    TimeEntry,
)
from tickets.selectors.rows import Shape, build_all, row, rows

Kind = Ticket.Kind

# Where the client buys credits: billing's checkout, told how many credits are missing so
# that it can suggest the smallest pack that covers them.
RECHARGE_URL_NAME = "billing:buy"


def recharge_url(missing: int = 0) -> str:
    """The checkout page; with ``missing`` (credits) > 0 it suggests a pack covering them."""
    url = reverse(RECHARGE_URL_NAME)
    return f"{url}?need={missing}" if missing > 0 else url


# --- Policy ----------------------------------------------------------------------------


def current_policy_version() -> ChargingPolicy | None:
    """The newest policy version (None only if an admin's database has none)."""
    return ChargingPolicy.objects.order_by("-version").first()


def current_policy() -> pricing.Policy:
    """The admin's current policy as a value (SPEC's defaults when there is none)."""
    version = current_policy_version()
    return version.as_policy() if version is not None else pricing.Policy()


def credits_for(
    kind: str, minutes: int, channel: str = "portal", policy: pricing.Policy | None = None
) -> int:
    """Credits for ``minutes`` of work of ``kind`` over ``channel``: an ``int`` (SPEC's
    ``tickets.pricing.credits_for``, importable there).

    ``kind`` in consultation, intervention, security_update; ``channel`` in portal,
    email, phone, video, remote; ``policy=None`` uses the admin's current policy, and
    SPEC's default policy where the process may not use a database at all (a script or a
    test without database access: Django's and pytest's block raises RuntimeError). A
    database that fails is an error, never a silent default price.
    Raises ValueError for anything else, or for minutes below zero.
    """
    if policy is None:
        try:
            policy = current_policy()
        except RuntimeError:  # database access not allowed in this process
            policy = pricing.Policy()
    return pricing.credits_at(kind, minutes, channel, policy)


# --- A ticket's time, estimates and charges --------------------------------------------


def time_entries(ticket: Ticket) -> list[TimeEntry]:
    """The ticket's time entries, oldest first, with their technicians (one query)."""
    return list(
        ticket.time_entries.select_related("technician").order_by("work_date", "created_at", "pk")
    )


def estimates_for(ticket: Ticket) -> list[Estimate]:
    """Every estimate and quote of the ticket, newest first, with who sent and answered."""
    return list(
        ticket.estimates.select_related("created_by", "decided_by", "hold").order_by(
            "-created_at", "-pk"
        )
    )


def security_checklist(ticket: Ticket) -> SecurityChecklist | None:
    return SecurityChecklist.objects.filter(ticket=ticket).first()


def with_charge_totals(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate ``logged_minutes`` (real minutes) and ``charged_credits`` on each ticket."""
    minutes = (
        TimeEntry.objects.filter(ticket=OuterRef("pk"))
        .order_by()
        .values("ticket")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    charged = (
        TicketCharge.objects.filter(ticket=OuterRef("pk"))
        .order_by()
        .values("ticket")
        .annotate(total=Sum("credits"))
        .values("total")
    )
    return tickets.annotate(
        logged_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), 0),
        charged_credits=Subquery(charged, output_field=IntegerField()),
    )


# --- The charge of a resolution ----------------------------------------------------------


def quote_needed(ticket: Ticket, checklist: SecurityChecklist | None) -> bool:
    """Customization, and security updates with external modules, modified core or a very
    old version, are charged only by an accepted quote."""
    if ticket.kind == Kind.CUSTOMIZATION:
        return True
    return ticket.kind == Kind.SECURITY_UPDATE and checklist is not None and checklist.needs_quote


def breakdown(
    kind: str,
    entries: list[TimeEntry],
    policy: pricing.Policy,
    quote: Estimate | None = None,
) -> pricing.Breakdown:
    """The table's charge for the entries (or the quote's, when one is accepted)."""
    pairs = [(entry.minutes, entry.channel) for entry in entries]
    if kind in pricing.KINDS:
        result = pricing.charge_for(kind, pairs, policy)
    else:  # customization: no table, only a quote
        result = pricing.Breakdown(
            kind=kind,
            minutes=sum(m for m, _channel in pairs),
            calls=sum(1 for _m, channel in pairs if channel in pricing.CALL_CHANNELS),
        )
    if quote is not None:
        result = pricing.quoted(result, quote.credits)
    return result


@dataclass
class ChargePreview:
    """What resolving the ticket now would charge, and whether the client can pay it."""

    breakdown: pricing.Breakdown
    policy: ChargingPolicy | None
    entries: list[TimeEntry] = field(default_factory=list)
    estimate: Estimate | None = None  # the accepted estimate or quote
    held: int = 0  # credits held for this ticket (by the accepted estimate)
    available: int = 0  # the organization's spendable credits (not counting holds)
    earlier: int = 0  # credits charged by earlier resolutions of this ticket
    quote_missing: bool = False
    backup_missing: bool = False
    charges: list[TicketCharge] = field(default_factory=list)  # earlier resolutions
    checklist: SecurityChecklist | None = None

    @property
    def to_charge(self) -> int:
        return max(0, self.breakdown.total - self.earlier)

    @property
    def covered(self) -> int:
        """Credits the client can pay for this ticket: spendable plus held for it."""
        return self.available + self.held

    @property
    def exceeds(self) -> bool:
        return self.to_charge > self.covered

    @property
    def missing(self) -> int:
        return max(0, self.to_charge - self.covered)

    @property
    def capped(self) -> int | None:
        """The charge at most the accepted estimate (None without one)."""
        if self.estimate is None:
            return None
        # The estimate covers the ticket's whole work: earlier resolutions used part of it.
        return min(self.to_charge, max(0, self.estimate.credits - self.earlier))

    @property
    def exceeds_estimate(self) -> bool:
        return self.estimate is not None and self.capped < self.to_charge

    @property
    def balance_after(self) -> int:
        return max(0, self.covered - self.to_charge)


def accepted_estimate(ticket: Ticket) -> Estimate | None:
    return ticket.estimates.filter(status=Estimate.Status.ACCEPTED).select_related("hold").first()


def open_hold_credits(estimate: Estimate | None) -> int:
    hold = estimate.hold if estimate is not None else None
    return hold.amount if hold is not None and hold.is_open else 0


# --- The charging state of a ticket, in one query --------------------------------------

_USER = Shape(User, ("id", "full_name", "email"))
_POLICY = Shape(
    ChargingPolicy,
    (
        "id",
        "version",
        "consultation_minimum",
        "intervention_minimum",
        "block_size",
        "call_surcharge",
        "security_update_flat",
        "credits_per_minute",
        "created_at",
    ),
)
_ENTRY = Shape(
    TimeEntry,
    (
        "id",
        "ticket",
        "technician",
        "minutes",
        "channel",
        "note",
        "work_date",
        "charge",
        "created_at",
        "updated_at",
    ),
    {"technician": _USER},
)
_ESTIMATE = Shape(
    Estimate,
    (
        "id",
        "ticket",
        "kind",
        "credits",
        "description",
        "status",
        "balance_when_sent",
        "created_by",
        "created_at",
        "decided_by",
        "decided_at",
        "decline_reason",
        "hold",
    ),
    {
        "created_by": _USER,
        "decided_by": _USER,
        "hold": Shape(Hold, ("id", "wallet", "amount", "status", "created_at", "closed_at")),
    },
)
_CHARGE = Shape(
    TicketCharge,
    (
        "id",
        "ticket",
        "number",
        "policy",
        "kind",
        "outcome",
        "minutes",
        "calls",
        "minimum",
        "blocks",
        "block_size",
        "flat",
        "surcharge_per_call",
        "quoted",
        "computed",
        "earlier",
        "capped_at",
        "credits",
        "goodwill_reason",
        "estimate",
        "ledger_entry",
        "balance_after",
        "created_by",
        "created_at",
    ),
    {"policy": _POLICY, "created_by": _USER},
)
_CHECKLIST = Shape(
    SecurityChecklist,
    (
        "id",
        "ticket",
        "code_backup",
        "database_backup",
        "external_modules",
        "modified_core",
        "very_old_version",
        "updated_by",
        "updated_at",
    ),
)
# Never the secret: the page lists labels only.
_CREDENTIAL = Shape(
    Credential,
    ("id", "organization", "ticket", "label", "kind", "created_by", "created_at", "updated_at"),
    {"created_by": _USER},
)
_ATTACHMENT = Shape(
    Attachment,
    (
        "id",
        "ticket",
        "message",
        "file",
        "name",
        "size",
        "content_type",
        "uploaded_by",
        "created_at",
    ),
)
_TIMER = Shape(RunningTimer, ("id", "ticket", "technician", "channel", "started_at"))


@dataclass
class ChargingState:
    """A ticket's charging (and, when asked, vault and assignment) rows, read together."""

    current_policy: ChargingPolicy | None
    charges: list[TicketCharge]
    entries: list[TimeEntry]
    estimates: list[Estimate]
    checklist: SecurityChecklist | None
    assignees: list[User] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    opening_files: list[Attachment] = field(default_factory=list)
    timer: RunningTimer | None = None
    # ``user`` is assigned to an unfinished ticket of the organization (may reveal its
    # organization-wide access data).
    organization_reveal: bool = False

    @property
    def accepted_estimate(self) -> Estimate | None:
        return next((e for e in self.estimates if e.status == Estimate.Status.ACCEPTED), None)


def charging_state(
    ticket: Ticket, *, user: User | None = None, page: bool = False
) -> ChargingState:
    """The ticket's charges, time entries, estimates, checklist and the current policy in
    one query. ``page``: also what the ticket page lists (access data, the files sent with
    the ticket; for staff ``user``: the assignees, the user's timer and whether they may
    reveal the organization's access data)."""
    staff = user is not None and user.is_active and user.is_support_staff
    key = (connection.alias, connection.vendor, page, staff)
    compiled = _STATE_SQL.get(key)
    if compiled is None:
        marker = None
        if user is not None:
            marker = copy.copy(user)
            marker.pk = _USER_MARK
        lists = charging_lists(user=marker, page=page)
        queryset = Ticket.objects.filter(pk=_TICKET_MARK).values(**lists)
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        compiled = _STATE_SQL[key] = (sql, tuple(params))
    sql, params = compiled
    marks = {_TICKET_MARK: ticket.pk, _USER_MARK: user.pk if user is not None else None}
    params = [marks.get(p, p) if type(p) is int else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
        names = [column[0] for column in cursor.description]
    if found is None:
        raise Ticket.DoesNotExist("Ticket matching query does not exist.")
    data = dict(zip(names, found, strict=True))
    for name, value in data.items():
        if isinstance(value, str):  # the JSON lists and rows come as text
            data[name] = json.loads(value)
    return state_of(data)


# ``charging_state``'s statement per (database, page, staff), compiled once with marker
# primary keys whose parameters are then replaced by the ticket's and the user's (issue 15:
# building and compiling its nine JSON subqueries took about a third of the ticket page's
# time; nothing else in it depends on the request).
_STATE_SQL: dict = {}
_TICKET_MARK, _USER_MARK = -918_273_645, -918_273_646


def charging_lists(*, user: User | None = None, page: bool = False) -> dict:
    """The subqueries of ``charging_state``, to annotate a ticket's own read with them (the
    resolution's locked read: ``state_of(ticket.__dict__)``)."""
    lists = {
        "_policy": row(ChargingPolicy.objects.order_by("-version"), _POLICY),
        "_charges": rows(
            TicketCharge.objects.filter(ticket=OuterRef("pk")), _CHARGE, order_by=["number"]
        ),
        "_entries": rows(
            TimeEntry.objects.filter(ticket=OuterRef("pk")),
            _ENTRY,
            order_by=["work_date", "created_at", "pk"],
        ),
        "_estimates": rows(
            Estimate.objects.filter(ticket=OuterRef("pk")),
            _ESTIMATE,
            order_by=["-created_at", "-pk"],
        ),
        "_checklist": row(SecurityChecklist.objects.filter(ticket=OuterRef("pk")), _CHECKLIST),
    }
    staff = user is not None and user.is_active and user.is_support_staff
    if page:
        lists |= {
            "_credentials": rows(
                Credential.objects.filter(
                    Q(organization_id=OuterRef("organization_id"), ticket__isnull=True)
                    | Q(ticket=OuterRef("pk"))
                ),
                _CREDENTIAL,
                order_by=["label", "pk"],
            ),
            "_opening_files": rows(
                Attachment.objects.filter(ticket=OuterRef("pk"), message__isnull=True),
                _ATTACHMENT,
                order_by=["created_at", "pk"],
            ),
        }
    if page and staff:
        lists |= {
            "_assignees": rows(
                User.objects.filter(assigned_tickets=OuterRef("pk")),
                _USER,
                order_by=["full_name", "email"],
            ),
            "_timer": row(
                RunningTimer.objects.filter(ticket=OuterRef("pk"), technician=user), _TIMER
            ),
            "_organization_reveal": Exists(
                Ticket.objects.filter(
                    organization_id=OuterRef("organization_id"),
                    status__in=ACTIVE_STATUSES,
                    assignees=user,
                )
            ),
        }
    return lists


def state_of(data: dict) -> ChargingState:
    """The ``ChargingState`` of the values read with ``charging_lists``."""
    return ChargingState(
        current_policy=_POLICY.build(data["_policy"]) if data["_policy"] else None,
        charges=build_all(_CHARGE, data["_charges"], sort_key=lambda c: c.number),
        entries=build_all(
            _ENTRY, data["_entries"], sort_key=lambda e: (e.work_date, e.created_at, e.pk)
        ),
        estimates=build_all(
            _ESTIMATE, data["_estimates"], sort_key=lambda e: (e.created_at, e.pk), reverse=True
        ),
        checklist=_CHECKLIST.build(data["_checklist"]) if data["_checklist"] else None,
        credentials=build_all(
            _CREDENTIAL, data.get("_credentials"), sort_key=lambda c: (c.label, c.pk)
        ),
        assignees=build_all(
            _USER, data.get("_assignees"), sort_key=lambda u: (u.full_name, u.email)
        ),
        opening_files=build_all(
            _ATTACHMENT, data.get("_opening_files"), sort_key=lambda a: (a.created_at, a.pk)
        ),
        timer=_TIMER.build(data["_timer"]) if data.get("_timer") else None,
        organization_reveal=bool(data.get("_organization_reveal")),
    )


def preview_of(ticket: Ticket, state: ChargingState, *, available: int) -> ChargePreview:
    """What resolving the ticket now would charge, from its ``state`` and the
    organization's ``available`` credits (no query)."""
    charges = state.charges
    if charges and charges[0].policy is not None:
        version = charges[0].policy  # a reopened ticket keeps its first charge's version
    else:
        version = state.current_policy
    policy = version.as_policy() if version is not None else pricing.Policy()
    estimate = state.accepted_estimate
    checklist = state.checklist
    needs_quote = quote_needed(ticket, checklist)
    quote = estimate if estimate is not None and estimate.is_quote else None
    return ChargePreview(
        charges=charges,
        checklist=checklist,
        breakdown=breakdown(ticket.kind, state.entries, policy, quote),
        policy=version,
        entries=state.entries,
        estimate=estimate,
        held=open_hold_credits(estimate),
        available=available,
        earlier=sum(charge.credits for charge in charges),
        quote_missing=needs_quote and quote is None,
        backup_missing=ticket.kind == Kind.SECURITY_UPDATE
        and not (checklist is not None and checklist.backup_done),
    )


def charge_preview(ticket: Ticket, *, estimates: list[Estimate] | None = None) -> ChargePreview:
    """The charge of the ticket's logged time under its policy, with the balance (two
    queries: ``charging_state`` and the balance). ``estimates``: accepted for callers that
    read them already; the state reads them anyway."""
    state = charging_state(ticket)
    return preview_of(ticket, state, available=credit_selectors.balance(ticket.organization))
