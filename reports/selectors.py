"""Reads of the dashboards and reports: every figure aggregated in SQL, a fixed number of
queries per page whatever the number of tickets, entries or invoices.

Authorization lives here too: ``staff_scope(user)`` says what a technician may see (their
own tickets and figures) and what only an admin sees (money, all technicians).
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import Organization, User
from billing.models import Invoice, Order
from credits import selectors as credit_selectors
from credits.models import LedgerEntry, Lot, Wallet
from tickets.models import (
    ACTIVE_STATUSES,
    RUNNING_STATUSES,
    Contract,
    Ticket,
    TicketCharge,
    TimeEntry,
)

from .models import Rating, TicketTimes
from .periods import Period

Kind = LedgerEntry.Kind
FINISHED_FOR_SLA = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
ACTION_LIST_LIMIT = 20
TOP_LIMIT = 10


# --- Helpers ---------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), output_field=FloatField(), **extra)


def percentile_cont(sorted_values: list[float], fraction: float) -> float | None:
    """The same interpolation as PostgreSQL's percentile_cont, for other databases."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return float(sorted_values[low])
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _month(value) -> date:
    """A TruncMonth result (aware datetime or date) as the local first day of the month."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date().replace(day=1)
    return value.replace(day=1)


def _assigned_to(user: User, ticket_ref: str = "pk"):
    through = Ticket.assignees.through
    return Exists(through.objects.filter(ticket_id=OuterRef(ticket_ref), user_id=user.pk))


@dataclass(frozen=True)
class StaffScope:
    """What one member of staff may see: ``technician`` set means only their part."""

    user: User
    technician: User | None  # None: all technicians (admins)
    sees_money: bool

    def tickets(self) -> QuerySet[Ticket]:
        tickets = Ticket.objects.all()
        if self.technician is not None:
            tickets = tickets.filter(_assigned_to(self.technician))
        return tickets


def staff_scope(user: User, *, technician_id: int | None = None) -> tuple[StaffScope, str]:
    """The scope of ``user``'s dashboard, and a message when the request asked for more
    than they may see (a technician asking for another's figures)."""
    if user.is_admin:
        if technician_id:
            chosen = User.objects.filter(
                pk=technician_id, role__in=[User.Role.TECHNICIAN, User.Role.ADMIN]
            ).first()
            if chosen is not None:
                return StaffScope(user, chosen, sees_money=True), ""
            return StaffScope(user, None, sees_money=True), "unknown"
        return StaffScope(user, None, sees_money=True), ""
    refused = "refused" if technician_id and technician_id != user.pk else ""
    return StaffScope(user, user, sees_money=False), refused


# --- Staff: SLA ------------------------------------------------------------------------


@dataclass
class SlaRow:
    month: date
    severity: str
    resolved: int
    met: int

    @property
    def severity_label(self) -> str:
        return str(Ticket.Severity(self.severity).label)

    @property
    def breached(self) -> int:
        return self.resolved - self.met

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.resolved, 1) if self.resolved else None


def sla_compliance(scope: StaffScope, period: Period) -> list[SlaRow]:
    """Resolved tickets per month and severity, and how many met their target (one query).

    Met: the clock stopped for good (``sla_paused_at``, set when the ticket stopped waiting
    or was resolved) at or before ``due_at``, which tickets.clock moved later by each pause
    in business hours: the figure is counted exactly as the ticket's own countdown was.
    """
    rows = (
        scope.tickets()
        .filter(
            status__in=FINISHED_FOR_SLA,
            resolved_at__gte=period.starts_at,
            resolved_at__lt=period.ends_at,
        )
        .annotate(month=TruncMonth("resolved_at"))
        .order_by()
        .values("month", "severity")
        .annotate(
            resolved=Count("pk"),
            met=Count("pk", filter=Q(sla_paused_at__lte=F("due_at"))),
        )
        .order_by("month", "severity")
    )
    return [SlaRow(_month(r["month"]), r["severity"], r["resolved"], r["met"]) for r in rows]


def sla_now(scope: StaffScope, *, now: datetime | None = None) -> dict:
    """Running tickets breached now and at risk now (past their warning time), one query."""
    now = now or timezone.now()
    return (
        scope.tickets()
        .filter(status__in=RUNNING_STATUSES)
        .aggregate(
            breached=Count("pk", filter=Q(due_at__lte=now)),
            at_risk=Count("pk", filter=Q(sla_warning_at__lte=now, due_at__gt=now)),
        )
    )


def response_times(scope: StaffScope, period: Period) -> dict:
    """Median and 90th percentile of first-response and resolution times (hours of SLA
    time) of the tickets resolved in the period. One query."""
    times = TicketTimes.objects.filter(
        resolved_at__gte=period.starts_at, resolved_at__lt=period.ends_at
    )
    if scope.technician is not None:
        times = times.filter(_assigned_to(scope.technician, "ticket_id"))
    if connection.vendor == "postgresql":
        figures = times.aggregate(
            count=Count("pk"),
            first_median=PercentileCont("first_response_seconds", 0.5),
            first_p90=PercentileCont("first_response_seconds", 0.9),
            resolution_median=PercentileCont("resolution_seconds", 0.5),
            resolution_p90=PercentileCont("resolution_seconds", 0.9),
        )
    else:  # SQLite (the embedded default): the same figures, interpolated in Python.
        pairs = list(times.values_list("first_response_seconds", "resolution_seconds"))
        first = sorted(p[0] for p in pairs if p[0] is not None)
        resolution = sorted(p[1] for p in pairs if p[1] is not None)
        figures = {
            "count": len(pairs),
            "first_median": percentile_cont(first, 0.5),
            "first_p90": percentile_cont(first, 0.9),
            "resolution_median": percentile_cont(resolution, 0.5),
            "resolution_p90": percentile_cont(resolution, 0.9),
        }
    return {
        key: (value if key == "count" or value is None else round(value / 3600, 1))
        for key, value in figures.items()
    }


# --- Staff: backlog and workload -------------------------------------------------------

AGE_BUCKETS = (  # (key, upper bound in days, exclusive)
    ("lt1", 1),
    ("d1_3", 3),
    ("d3_7", 7),
    ("d7_30", 30),
    ("gt30", None),
)


def backlog(scope: StaffScope, *, now: datetime | None = None) -> dict:
    """Active tickets by status and by age since opening: {status: {bucket: count}}."""
    now = now or timezone.now()
    whens = [
        When(created_at__gt=now - timedelta(days=days), then=Value(key))
        for key, days in AGE_BUCKETS
        if days is not None
    ]
    rows = (
        scope.tickets()
        .filter(status__in=ACTIVE_STATUSES)
        .annotate(age=Case(*whens, default=Value("gt30"), output_field=CharField()))
        .order_by()
        .values("status", "age")
        .annotate(count=Count("pk"))
    )
    table = {status: dict.fromkeys([k for k, _d in AGE_BUCKETS], 0) for status in ACTIVE_STATUSES}
    for row in rows:
        table[row["status"]][row["age"]] = row["count"]
    return table


def workload(scope: StaffScope, period: Period, *, now: datetime | None = None) -> list[User]:
    """Technicians (or the one in scope) with open assigned tickets, minutes logged this
    week and credits charged in the period, annotated in one query."""
    now = now or timezone.now()
    week_start = timezone.localdate(now) - timedelta(days=timezone.localdate(now).weekday())
    minutes = (
        TimeEntry.objects.filter(technician_id=OuterRef("pk"), work_date__gte=week_start)
        .order_by()
        .values("technician_id")
        .annotate(n=Sum("minutes"))
        .values("n")
    )
    charged = (
        TicketCharge.objects.filter(
            created_by_id=OuterRef("pk"),
            created_at__gte=period.starts_at,
            created_at__lt=period.ends_at,
        )
        .order_by()
        .values("created_by_id")
        .annotate(n=Sum("credits"))
        .values("n")
    )
    people = User.objects.filter(role__in=[User.Role.TECHNICIAN, User.Role.ADMIN], is_active=True)
    # Open assigned tickets: one grouped scan of the active tickets for everybody (a
    # per-person subquery scanned them once per technician: 97 ms at 20,000 tickets).
    assigned = Ticket.assignees.through.objects.filter(ticket__status__in=ACTIVE_STATUSES)
    if scope.technician is not None:
        people = people.filter(pk=scope.technician.pk)
        assigned = assigned.filter(user_id=scope.technician.pk)
    open_counts = dict(
        assigned.order_by().values("user_id").annotate(n=Count("pk")).values_list("user_id", "n")
    )
    people = list(
        people.annotate(
            minutes_week=Coalesce(Subquery(minutes, output_field=IntegerField()), 0),
            credits_charged=Coalesce(Subquery(charged, output_field=IntegerField()), 0),
        ).order_by("full_name", "email")
    )
    rows = []
    for person in people:
        person.open_assigned = open_counts.get(person.pk, 0)
        if person.is_technician or person.open_assigned or person.minutes_week:
            rows.append(person)
    return sorted(rows, key=lambda p: -p.open_assigned)


# --- Staff: credits, revenue, organizations --------------------------------------------


@dataclass
class MoneyMonth:
    month: date
    sold: int = 0  # credits granted by purchases and registration packs
    consumed: int = 0  # credits charged for work
    refunded: int = 0  # credits taken back by refunds
    revenue: object = 0  # euros excl. VAT of the invoices issued (Decimal)
    refunds: object = 0  # euros excl. VAT of the corrective invoices (Decimal, <= 0)

    @property
    def net_revenue(self):
        return self.revenue + self.refunds


def money_per_month(period: Period) -> list[MoneyMonth]:
    """Credits sold, consumed and refunded, revenue and refunds excl. VAT, per month of
    the period (two queries: the ledger and the invoices)."""
    months = {m: MoneyMonth(m) for m in period.months}
    credits = (
        LedgerEntry.objects.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_at)
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values("month")
        .annotate(
            sold=Sum("amount", filter=Q(kind__in=[Kind.PURCHASE, Kind.REGISTRATION])),
            consumed=Sum("amount", filter=Q(kind=Kind.CONSUMPTION)),
            refunded=Sum("amount", filter=Q(kind=Kind.REFUND)),
        )
    )
    for row in credits:
        entry = months.setdefault(_month(row["month"]), MoneyMonth(_month(row["month"])))
        entry.sold = row["sold"] or 0
        entry.consumed = -(row["consumed"] or 0)
        entry.refunded = -(row["refunded"] or 0)
    invoices = (
        Invoice.objects.filter(issued_at__gte=period.starts_at, issued_at__lt=period.ends_at)
        .annotate(month=TruncMonth("issued_at"))
        .order_by()
        .values("month")
        .annotate(
            revenue=Sum("base", filter=Q(kind=Invoice.Kind.INVOICE)),
            refunds=Sum("base", filter=Q(kind=Invoice.Kind.CORRECTIVE)),
        )
    )
    for entry in months.values():
        entry.revenue, entry.refunds = Decimal("0.00"), Decimal("0.00")
    for row in invoices:
        entry = months.setdefault(_month(row["month"]), MoneyMonth(_month(row["month"])))
        entry.revenue = row["revenue"] or Decimal("0.00")
        entry.refunds = row["refunds"] or Decimal("0.00")
    return [months[m] for m in sorted(months)]


def top_organizations(period: Period, *, limit: int = TOP_LIMIT) -> list[dict]:
    """The organizations that consumed most credits in the period (one query)."""
    return list(
        LedgerEntry.objects.filter(
            kind=Kind.CONSUMPTION,
            created_at__gte=period.starts_at,
            created_at__lt=period.ends_at,
        )
        .order_by()
        .values("wallet__organization_id", "wallet__organization__name")
        .annotate(consumed=-Sum("amount"))
        .order_by("-consumed", "wallet__organization__name")[:limit]
    )


def action_list(*, now: datetime | None = None) -> dict:
    """What needs someone's attention (four queries, each at most ACTION_LIST_LIMIT rows)."""
    now = now or timezone.now()
    soon = now + timedelta(days=30)
    today = timezone.localdate(now)
    return {
        "low_balance": list(
            Wallet.objects.annotate(spendable=F("balance") - F("held"))
            .filter(spendable__lt=F("organization__low_balance_threshold"))
            .select_related("organization")
            .order_by("spendable", "organization__name")[:ACTION_LIST_LIMIT]
        ),
        "expiring": list(
            Lot.objects.filter(
                kind=Kind.REGISTRATION, remaining__gt=0, expires_at__gt=now, expires_at__lte=soon
            )
            .select_related("wallet__organization")
            .order_by("expires_at")[:ACTION_LIST_LIMIT]
        ),
        "awaiting_credits": list(
            Ticket.objects.filter(status=Ticket.Status.AWAITING_CREDITS)
            .select_related("organization")
            .order_by("last_activity_at")[:ACTION_LIST_LIMIT]
        ),
        "contracts": list(
            Contract.objects.filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=30))
            .select_related("organization", "product")
            .order_by("ends_on")[:ACTION_LIST_LIMIT]
        ),
    }


def csat(scope: StaffScope, period: Period) -> list[dict]:
    """Average rating and count per technician and month of the period (one query)."""
    ratings = Rating.objects.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_at)
    if scope.technician is not None:
        ratings = ratings.filter(technician=scope.technician)
    rows = (
        ratings.annotate(month=TruncMonth("created_at"))
        .order_by()
        .values("month", "technician_id", "technician__full_name", "technician__email")
        .annotate(average=Avg("score"), count=Count("pk"))
        .order_by("month", "technician__full_name")
    )
    return [
        {
            "month": _month(r["month"]),
            "technician": r["technician__full_name"] or r["technician__email"] or "—",
            "average": round(r["average"], 2),
            "count": r["count"],
        }
        for r in rows
    ]


@dataclass
class StaffDashboard:
    scope: StaffScope
    period: Period
    sla: list
    sla_now: dict
    times: dict
    backlog: dict
    workload: list
    csat: list
    money: list = field(default_factory=list)
    top: list = field(default_factory=list)
    actions: dict = field(default_factory=dict)


def staff_dashboard(scope: StaffScope, period: Period) -> StaffDashboard:
    """Everything the staff dashboard shows, in a fixed number of queries: 7 for a
    technician, 7 + 7 more for an admin (money, organizations, action list)."""
    now = timezone.now()
    board = StaffDashboard(
        scope=scope,
        period=period,
        sla=sla_compliance(scope, period),
        sla_now=sla_now(scope, now=now),
        times=response_times(scope, period),
        backlog=backlog(scope, now=now),
        workload=workload(scope, period, now=now),
        csat=csat(scope, period),
    )
    if scope.sees_money:
        board.money = money_per_month(period)
        board.top = top_organizations(period)
        board.actions = action_list(now=now)
    return board


# --- Client usage ----------------------------------------------------------------------


@dataclass
class Forecast:
    balance: int
    per_day: float  # credits a day, over the last FORECAST_DAYS
    runs_out_on: date | None


FORECAST_DAYS = 90


def client_charges(organization: Organization, period: Period) -> QuerySet[TicketCharge]:
    """The organization's charged tickets in the period."""
    return TicketCharge.objects.filter(
        ticket__organization=organization,
        outcome=TicketCharge.Outcome.CHARGED,
        created_at__gte=period.starts_at,
        created_at__lt=period.ends_at,
    )


def consumed_per_month(organization: Organization, period: Period) -> list[tuple[date, int]]:
    """Credits consumed in each month of the period, zero months included (one query)."""
    rows = (
        LedgerEntry.objects.filter(
            wallet__organization=organization,
            kind=Kind.CONSUMPTION,
            created_at__gte=period.starts_at,
            created_at__lt=period.ends_at,
        )
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values("month")
        .annotate(total=-Sum("amount"))
    )
    totals = dict.fromkeys(period.months, 0)
    for row in rows:
        totals[_month(row["month"])] = row["total"] or 0
    return sorted(totals.items())


def breakdown(organization: Organization, period: Period, by: str) -> list[dict]:
    """Credits charged and real minutes, grouped ``by`` product, requester or kind."""
    label = {
        "product": "ticket__product__name",
        "requester": "ticket__requester__full_name",
        "kind": "kind",
    }[by]
    extra = ["ticket__requester__email"] if by == "requester" else []
    rows = (
        client_charges(organization, period)
        .order_by()
        .values(label, *extra)
        .annotate(
            credits=Sum("credits"), minutes=Sum("minutes"), tickets=Count("ticket", distinct=True)
        )
        .order_by("-credits")
    )
    kinds = dict(Ticket.Kind.choices)
    result = []
    for row in rows:
        name = row[label]
        if by == "kind":
            name = kinds.get(name, name)
        elif by == "requester":
            name = name or row["ticket__requester__email"]
        result.append(
            {"label": str(name), **{k: row[k] for k in ("credits", "minutes", "tickets")}}
        )
    return result


def minutes_against_credits(organization: Organization, period: Period, *, limit: int = 50):
    """Per ticket: real minutes worked and credits charged (one query, newest first)."""
    return list(
        client_charges(organization, period)
        .order_by()
        .values("ticket_id", "ticket__reference", "ticket__subject")
        .annotate(minutes=Sum("minutes"), credits=Sum("credits"), last=Max("created_at"))
        .order_by("-last")[:limit]
    )


def forecast(organization: Organization, *, now: datetime | None = None) -> Forecast:
    """When the balance runs out at the pace of the last FORECAST_DAYS (two queries)."""
    now = now or timezone.now()
    balance = credit_selectors.balance(organization)
    spent = (
        LedgerEntry.objects.filter(
            wallet__organization=organization,
            kind=Kind.CONSUMPTION,
            created_at__gte=now - timedelta(days=FORECAST_DAYS),
        ).aggregate(total=Coalesce(-Sum("amount"), 0))["total"]
        or 0
    )
    per_day = spent / FORECAST_DAYS
    runs_out = None
    if balance > 0 and per_day > 0:
        days = balance / per_day
        runs_out = timezone.localdate(now) + timedelta(days=min(math.floor(days), 365 * 20))
    return Forecast(balance=balance, per_day=per_day, runs_out_on=runs_out)


def expiring_lots(organization: Organization, *, now: datetime | None = None, limit: int = 10):
    now = now or timezone.now()
    return list(
        Lot.objects.filter(
            wallet__organization=organization,
            remaining__gt=0,
            expires_at__isnull=False,
            expires_at__gt=now,
        ).order_by("expires_at", "pk")[:limit]
    )


def last_charges(organization: Organization, *, limit: int = 10):
    return list(
        LedgerEntry.objects.filter(
            wallet__organization=organization, kind=Kind.CONSUMPTION
        ).order_by("-created_at", "-pk")[:limit]
    )


def billing_panel(organization: Organization) -> dict:
    """The last invoice and the pending orders (two queries)."""
    return {
        "last_invoice": Invoice.objects.filter(order__organization=organization)
        .order_by("-issued_at", "-pk")
        .first(),
        "pending_orders": list(
            Order.objects.filter(organization=organization, status=Order.Status.PENDING)
            .select_related("pack")
            .order_by("-created_at")[:5]
        ),
    }


@dataclass
class ClientUsage:
    organization: Organization
    period: Period
    per_month: list
    by_product: list
    by_requester: list
    by_kind: list
    per_ticket: list
    forecast: Forecast
    expiring: list
    charges: list
    billing: dict


def client_usage(organization: Organization, period: Period) -> ClientUsage:
    """Everything the client's usage page shows (11 queries, whatever the data)."""
    return ClientUsage(
        organization=organization,
        period=period,
        per_month=consumed_per_month(organization, period),
        by_product=breakdown(organization, period, "product"),
        by_requester=breakdown(organization, period, "requester"),
        by_kind=breakdown(organization, period, "kind"),
        per_ticket=minutes_against_credits(organization, period),
        forecast=forecast(organization),
        expiring=expiring_lots(organization),
        charges=last_charges(organization),
        billing=billing_panel(organization),
    )
