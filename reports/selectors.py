"""Reads of the dashboards and reports: every figure aggregated in SQL, a fixed number of
queries per page whatever the number of tickets, entries or invoices.

Authorization lives here too: ``staff_scope(user)`` says what a technician may see (their
own tickets and figures) and what only an admin sees (money, all technicians).
"""

import logging
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
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
from reports.models import LedgerHour, Rating, TicketTimes
from reports.periods import Period
from tickets.models import (
    ACTIVE_STATUSES,
    RUNNING_STATUSES,
    Contract,
    Ticket,
    TicketCharge,
    TimeEntry,
)

Kind = LedgerEntry.Kind
FINISHED_FOR_SLA = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
ACTION_LIST_LIMIT = 20
logger = logging.getLogger(__name__)
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
    """A TruncMonth result (aware datetime or date), or a raw ``date_trunc`` of a local
    time (naive), as the local first day of the month."""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return value.date().replace(day=1)
        return timezone.localtime(value).date().replace(day=1)
    return value.replace(day=1)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _rows(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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


WORKLOAD_SQL = """
WITH open AS (
    SELECT a.user_id, COUNT(*) AS n
    FROM tickets_ticket_assignees a JOIN tickets_ticket t ON t.id = a.ticket_id
    WHERE t.status = ANY(%(active)s) {only_assignee}
    GROUP BY a.user_id
), week AS (
    SELECT technician_id, SUM(minutes) AS n FROM tickets_timeentry
    WHERE work_date >= %(week_start)s {only_technician}
    GROUP BY technician_id
), charged AS (
    SELECT created_by_id, SUM(credits) AS n FROM tickets_ticketcharge
    WHERE created_at >= %(starts_at)s AND created_at < %(ends_at)s {only_charger}
    GROUP BY created_by_id
)
SELECT u.id, u.email, u.full_name, u.role,
       COALESCE(open.n, 0) AS open_assigned,
       COALESCE(week.n, 0) AS minutes_week,
       COALESCE(charged.n, 0) AS credits_charged
FROM accounts_user u
LEFT JOIN open ON open.user_id = u.id
LEFT JOIN week ON week.technician_id = u.id
LEFT JOIN charged ON charged.created_by_id = u.id
WHERE u.is_active AND u.role = ANY(%(roles)s) {only_user}
  AND (u.role = %(technician_role)s OR open.n > 0 OR week.n > 0)
ORDER BY COALESCE(open.n, 0) DESC, u.full_name, u.email
"""


def workload(scope: StaffScope, period: Period, *, now: datetime | None = None) -> list[User]:
    """Technicians (or the one in scope) with open assigned tickets, minutes logged this
    week and credits charged in the period: one grouped query (each figure grouped once
    over its table, then joined to the people), busiest first. Admins are listed only
    when they have open tickets or minutes this week."""
    now = now or timezone.now()
    week_start = timezone.localdate(now) - timedelta(days=timezone.localdate(now).weekday())
    if not _postgres():
        return _workload_orm(scope, period, week_start)
    one = scope.technician is not None
    sql = WORKLOAD_SQL.format(
        only_assignee="AND a.user_id = %(person)s" if one else "",
        only_technician="AND technician_id = %(person)s" if one else "",
        only_charger="AND created_by_id = %(person)s" if one else "",
        only_user="AND u.id = %(person)s" if one else "",
    )
    params = {
        "active": list(ACTIVE_STATUSES),
        "week_start": week_start,
        "starts_at": period.starts_at,
        "ends_at": period.ends_at,
        "roles": [User.Role.TECHNICIAN, User.Role.ADMIN],
        "technician_role": User.Role.TECHNICIAN,
        "person": scope.technician.pk if one else None,
    }
    return list(User.objects.raw(sql, params))


def _workload_orm(scope: StaffScope, period: Period, week_start: date) -> list[User]:
    """The same figures on other databases (SQLite): two queries."""
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
    the period (two queries: the ledger's hourly sums and the invoices)."""
    months = {m: MoneyMonth(m) for m in period.months}
    # The hourly sums kept by the trigger (reports.LedgerHour), not the entries.
    credits = (
        LedgerHour.objects.filter(hour__gte=period.starts_at, hour__lt=period.ends_at)
        .annotate(month=TruncMonth("hour"))
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
    """The organizations that consumed most credits in the period (one query, over the
    ledger's hourly sums)."""
    return list(
        LedgerHour.objects.filter(
            kind=Kind.CONSUMPTION,
            hour__gte=period.starts_at,
            hour__lt=period.ends_at,
        )
        .order_by()
        .values("organization_id", "organization__name")
        .annotate(consumed=-Sum("amount"))
        .order_by("-consumed", "organization__name")[:limit]
    )


def action_list(*, now: datetime | None = None) -> dict:
    """What needs someone's attention (four queries, each at most ACTION_LIST_LIMIT rows,
    reading only the columns the list shows: a ticket row carries its search vector)."""
    now = now or timezone.now()
    soon = now + timedelta(days=30)
    today = timezone.localdate(now)
    return {
        "low_balance": list(
            Wallet.objects.annotate(spendable=F("balance") - F("held"))
            .filter(spendable__lt=F("organization__low_balance_threshold"))
            .select_related("organization")
            .only("organization__name")
            .order_by("spendable", "organization__name")[:ACTION_LIST_LIMIT]
        ),
        "expiring": list(
            Lot.objects.filter(
                kind=Kind.REGISTRATION, remaining__gt=0, expires_at__gt=now, expires_at__lte=soon
            )
            .select_related("wallet__organization")
            .only("remaining", "expires_at", "wallet__organization__name")
            .order_by("expires_at")[:ACTION_LIST_LIMIT]
        ),
        "awaiting_credits": list(
            Ticket.objects.filter(status=Ticket.Status.AWAITING_CREDITS)
            .select_related("organization")
            .only("reference", "organization__name")
            .order_by("last_activity_at")[:ACTION_LIST_LIMIT]
        ),
        "contracts": list(
            Contract.objects.filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=30))
            .select_related("organization", "product")
            .only("ends_on", "organization__name", "product__name")
            .order_by("ends_on")[:ACTION_LIST_LIMIT]
        ),
    }


CSAT_SQL = """
SELECT r.month, r.technician_id, u.full_name, u.email, r.average, r.count
FROM (
    SELECT date_trunc('month', created_at AT TIME ZONE %(zone)s) AS month, technician_id,
           AVG(score) AS average, COUNT(*) AS count,
           GROUPING(date_trunc('month', created_at AT TIME ZONE %(zone)s)) AS whole_period
    FROM reports_rating
    WHERE created_at >= %(starts_at)s AND created_at < %(ends_at)s {only_technician}
    GROUP BY GROUPING SETS (
        (date_trunc('month', created_at AT TIME ZONE %(zone)s), technician_id), (technician_id)
    )
) r
LEFT JOIN accounts_user u ON u.id = r.technician_id
ORDER BY r.whole_period, r.month, u.full_name, u.email
"""


def csat(scope: StaffScope, period: Period) -> list[dict]:
    """Average rating and count per technician and month of the period, then per
    technician over the whole period (``month`` None). One query: the ratings are grouped
    (GROUPING SETS on PostgreSQL) before the technicians' names are joined."""
    if not _postgres():
        return _csat_orm(scope, period)
    one = scope.technician is not None
    rows = _rows(
        CSAT_SQL.format(only_technician="AND technician_id = %(person)s" if one else ""),
        {
            "zone": timezone.get_current_timezone_name(),
            "starts_at": period.starts_at,
            "ends_at": period.ends_at,
            "person": scope.technician.pk if one else None,
        },
    )
    return [
        {
            "month": _month(r["month"]) if r["month"] is not None else None,
            "technician": r["full_name"] or r["email"] or "—",
            "average": round(float(r["average"]), 2),
            "count": r["count"],
        }
        for r in rows
    ]


def _csat_orm(scope: StaffScope, period: Period) -> list[dict]:
    """The same rows on other databases (SQLite); the whole-period rows added in Python."""
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
    result, totals = [], {}
    for r in rows:
        name = r["technician__full_name"] or r["technician__email"] or "—"
        result.append(
            {
                "month": _month(r["month"]),
                "technician": name,
                "average": round(r["average"], 2),
                "count": r["count"],
            }
        )
        total = totals.setdefault(r["technician_id"], [name, 0, 0])
        total[1] += r["average"] * r["count"]
        total[2] += r["count"]
    for name, score, count in sorted(totals.values(), key=lambda t: t[0]):
        result.append(
            {"month": None, "technician": name, "average": round(score / count, 2), "count": count}
        )
    return result


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


def _consumption(organization: Organization, period: Period, since: datetime | None = None):
    """Credits consumed per month of the period (zero months included) and, with
    ``since``, in total since that moment: one query over the ledger's hourly sums
    (reports.LedgerHour, kept by a trigger), at most 24 rows a day whatever the entries.
    ``since`` counts from the start of its hour."""
    if since is not None:
        since = since.replace(minute=0, second=0, microsecond=0)
    start = period.starts_at if since is None else min(period.starts_at, since)
    in_period = Q(hour__gte=period.starts_at, hour__lt=period.ends_at)
    rows = (
        LedgerHour.objects.filter(
            organization_id=organization.pk, kind=Kind.CONSUMPTION, hour__gte=start
        )
        .filter(in_period if since is None else Q())
        .annotate(month=TruncMonth("hour"))
        .order_by()
        .values("month")
        .annotate(
            total=Coalesce(-Sum("amount", filter=in_period), 0),
            recent=Coalesce(
                -Sum("amount", filter=Q(hour__gte=since)) if since is not None else Value(0),
                0,
            ),
        )
    )
    totals = dict.fromkeys(period.months, 0)
    recent = 0
    for row in rows:
        if row["total"]:
            totals[_month(row["month"])] = row["total"]
        recent += row["recent"] or 0
    return sorted(totals.items()), recent


def consumed_per_month(organization: Organization, period: Period) -> list[tuple[date, int]]:
    """Credits consumed in each month of the period, zero months included (one query)."""
    return _consumption(organization, period)[0]


BREAKDOWNS_SQL = """
WITH c AS MATERIALIZED (
    SELECT c.ticket_id, c.kind, c.credits, c.minutes, c.created_at, t.reference, t.subject,
           p.name AS product, u.full_name, u.email
    FROM reports_chargefact c
    JOIN tickets_ticket t ON t.id = c.ticket_id
    JOIN accounts_user u ON u.id = t.requester_id
    LEFT JOIN tickets_product p ON p.id = t.product_id
    WHERE c.organization_id = %(organization)s AND t.organization_id = %(organization)s
      AND c.outcome = %(charged)s
      AND c.created_at >= %(starts_at)s AND c.created_at < %(ends_at)s
)
SELECT * FROM (
    SELECT GROUPING(product, full_name, kind) AS dimension, product, full_name, email, kind,
           NULL::bigint AS ticket_id, NULL AS reference, NULL AS subject,
           MAX(created_at) AS last, SUM(credits) AS credits, SUM(minutes) AS minutes,
           COUNT(DISTINCT ticket_id) AS tickets
    FROM c
    GROUP BY GROUPING SETS ((product), (full_name, email), (kind))
) AS grouped
UNION ALL
(
    SELECT 7, NULL, NULL, NULL, NULL, ticket_id, reference, subject,
           MAX(created_at), SUM(credits), SUM(minutes), 1
    FROM c
    GROUP BY ticket_id, reference, subject
    ORDER BY MAX(created_at) DESC, ticket_id DESC
    LIMIT %(per_ticket)s
)
ORDER BY dimension, credits DESC
"""
# GROUPING(product, requester, kind): the bit of each column left out is 1; 7 marks the
# per-ticket rows (the PER_TICKET_LIMIT last charged tickets, limited in the query).
_DIMENSIONS = {0b011: "product", 0b101: "requester", 0b110: "kind", 0b111: "ticket"}
PER_TICKET_LIMIT = 50


def breakdowns(organization: Organization, period: Period) -> dict[str, list[dict]]:
    """Credits charged and real minutes by product, by requester, by kind of work, and
    per ticket (the PER_TICKET_LIMIT last charged, newest first, under "ticket"): one
    query on PostgreSQL over the organization's charges only (their reports.ChargeFact
    copy, by its (organization, outcome, time) index): GROUPING SETS for the three
    breakdowns and, in the same statement, the per-ticket sums already limited; four
    queries elsewhere."""
    if not _postgres():
        result = {
            by: breakdown(organization, period, by) for by in ("product", "requester", "kind")
        }
        result["ticket"] = minutes_against_credits(organization, period, limit=PER_TICKET_LIMIT)
        return result
    rows = _rows(
        BREAKDOWNS_SQL,
        {
            "organization": organization.pk,
            "charged": TicketCharge.Outcome.CHARGED,
            "starts_at": period.starts_at,
            "ends_at": period.ends_at,
            "per_ticket": PER_TICKET_LIMIT,
        },
    )
    kinds = dict(Ticket.Kind.choices)
    result = {"product": [], "requester": [], "kind": [], "ticket": []}
    for row in rows:
        by = _DIMENSIONS[row["dimension"]]
        figures = {k: row[k] for k in ("credits", "minutes", "tickets")}
        if by == "ticket":
            result[by].append(
                {
                    "ticket_id": row["ticket_id"],
                    "ticket__reference": row["reference"],
                    "ticket__subject": row["subject"],
                    "last": row["last"],
                    **figures,
                }
            )
            continue
        if by == "product":
            name = row["product"] if row["product"] is not None else "—"
        elif by == "requester":
            name = row["full_name"] or row["email"]
        else:  # kept lazy: a cached breakdown is shown in each reader's language
            name = kinds.get(row["kind"], row["kind"])
        result[by].append({"label": name if by == "kind" else str(name), **figures})
    result["ticket"].sort(key=lambda r: (r["last"], r["ticket_id"]), reverse=True)
    del result["ticket"][PER_TICKET_LIMIT:]
    return result


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
        else:
            name = str(name or row.get("ticket__requester__email"))
        result.append({"label": name, **{k: row[k] for k in ("credits", "minutes", "tickets")}})
    return result


def minutes_against_credits(organization: Organization, period: Period, *, limit: int = 50):
    """Per ticket: real minutes worked and credits charged (one query, newest first)."""
    return list(
        client_charges(organization, period)
        .order_by()
        .values("ticket_id", "ticket__reference", "ticket__subject")
        .annotate(minutes=Sum("minutes"), credits=Sum("credits"), last=Max("created_at"))
        .order_by("-last", "-ticket_id")[:limit]
    )


def _forecast(balance: int, spent: int, now: datetime) -> Forecast:
    per_day = spent / FORECAST_DAYS
    runs_out = None
    if balance > 0 and per_day > 0:
        days = balance / per_day
        runs_out = timezone.localdate(now) + timedelta(days=min(math.floor(days), 365 * 20))
    return Forecast(balance=balance, per_day=per_day, runs_out_on=runs_out)


def forecast(organization: Organization, *, now: datetime | None = None) -> Forecast:
    """When the balance runs out at the pace of the last FORECAST_DAYS (two queries; the
    pace counts from the start of the hour FORECAST_DAYS ago)."""
    now = now or timezone.now()
    since = now - timedelta(days=FORECAST_DAYS)
    spent = _consumption(
        organization, Period(timezone.localdate(now), timezone.localdate(now)), since
    )[1]
    return _forecast(credit_selectors.balance(organization), spent, now)


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
    """The last consumptions, newest first: the wallet is named by a subquery so that the
    plan walks the (wallet, kind, created_at) index backwards (a join made PostgreSQL
    walk every organization's entries by time: 11 ms at 100,000 entries)."""
    wallet = Wallet.objects.filter(organization_id=organization.pk).values("pk")[:1]
    return list(
        LedgerEntry.objects.filter(wallet_id=Subquery(wallet), kind=Kind.CONSUMPTION)
        .only("created_at", "reason", "amount", "kind")
        .order_by("-created_at", "-pk")[:limit]
    )


# The last invoice and the pending orders in one statement, with only the columns the panel
# shows (the ORM's two queries with select_related built the order and the corrected
# invoice too: about 10 ms of CPU per dashboard).
BILLING_PANEL_SQL = (
    "(SELECT TRUE, i.id, i.series, i.year, i.sequence, i.issued_at, i.total, NULL::integer"
    " FROM billing_invoice i JOIN billing_order o ON o.id = i.order_id"
    " WHERE o.organization_id = %s ORDER BY i.issued_at DESC, i.id DESC LIMIT 1)"
    " UNION ALL"
    " (SELECT FALSE, o.id, NULL, NULL, NULL, o.created_at, o.total, o.credits"
    " FROM billing_order o WHERE o.organization_id = %s AND o.status = %s"
    " ORDER BY o.created_at DESC LIMIT 5)"
)


def billing_panel(organization: Organization) -> dict:
    """The last invoice and the pending orders (one query; two on SQLite). The invoice carries its
    number, date and total; the orders their credits and total (and both their URLs)."""
    pending = Order.objects.filter(organization_id=organization.pk, status=Order.Status.PENDING)
    if connection.vendor != "postgresql":  # SQLite: no LIMIT inside a UNION's branches
        return {
            "last_invoice": Invoice.objects.filter(order__organization_id=organization.pk)
            .only("series", "year", "sequence", "issued_at", "total")
            .order_by("-issued_at", "-id")
            .first(),
            "pending_orders": list(
                pending.only("created_at", "total", "credits").order_by("-created_at")[:5]
            ),
        }
    with connection.cursor() as cursor:
        cursor.execute(
            BILLING_PANEL_SQL, [organization.pk, organization.pk, Order.Status.PENDING.value]
        )
        rows = cursor.fetchall()
    last_invoice = None
    pending_orders = []
    for is_invoice, pk, series, year, sequence, at, total, credits in rows:
        if is_invoice:
            last_invoice = Invoice(
                pk=pk, series=series, year=year, sequence=sequence, issued_at=at, total=total
            )
        else:
            pending_orders.append(Order(pk=pk, created_at=at, total=total, credits=credits))
    return {"last_invoice": last_invoice, "pending_orders": pending_orders}


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


# How long the charged part of a usage page (breakdowns, per ticket) stays cached, in
# seconds. A new charge changes the key at once (below); this only bounds how long a
# renamed product, requester or ticket subject shows its old name.
USAGE_CACHE_SECONDS = 600


def _cache_get(key: str):
    """The cached value, or None when absent or when the cache cannot be reached: a Redis
    outage costs the cache's short socket timeout, never the page."""
    try:
        return cache.get(key)
    except Exception as exc:  # any cache failure degrades to computing the figures
        logger.warning("reports: cache unavailable (%s); computing the figures", exc)
        return None


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception as exc:
        logger.warning("reports: cache unavailable (%s); figures not cached", exc)


def charged_figures(organization: Organization, period: Period, last_charge_id: int):
    """The breakdowns and the per-ticket minutes and credits (one query on PostgreSQL),
    cached per
    organization and period under the id of the organization's last consumption entry:
    every charged charge has its own consumption entry (the constraint
    ``ticketcharge_ledger_iff_charged``), entries are append-only and never dated before
    the wallet's last one, so a new charge is a new last id and a new key."""
    key = f"reports:usage:{organization.pk}:{period.start}:{period.end}:{last_charge_id}"
    figures = _cache_get(key)
    if figures is None:
        figures = breakdowns(organization, period)
        _cache_set(key, figures, USAGE_CACHE_SECONDS)
    return figures


def client_usage(organization: Organization, period: Period) -> ClientUsage:
    """Everything the client's usage page shows, in a fixed number of queries whatever
    the data: 7 on PostgreSQL (consumption per month with the 90-day pace, balance,
    expiring lots, last charges, last invoice, pending orders, and the breakdowns with the
    per-ticket figures), 6 when those come from the cache."""
    now = timezone.now()
    per_month, spent = _consumption(organization, period, now - timedelta(days=FORECAST_DAYS))
    charges = last_charges(organization)
    parts = charged_figures(organization, period, charges[0].pk if charges else 0)
    return ClientUsage(
        organization=organization,
        period=period,
        per_month=per_month,
        by_product=parts["product"],
        by_requester=parts["requester"],
        by_kind=parts["kind"],
        per_ticket=parts["ticket"],
        forecast=_forecast(credit_selectors.balance(organization), spent, now),
        expiring=expiring_lots(organization, now=now),
        charges=charges,
        billing=billing_panel(organization),
    )
