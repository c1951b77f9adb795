"""Reads of charging: the current policy, a ticket's time, estimates and charges, and the
charge a resolution would make now (``charge_preview``)."""

from dataclasses import dataclass, field

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from credits import selectors as credit_selectors

from .. import pricing
from ..models import (
    ChargingPolicy,
    Estimate,
    RunningTimer,
    SecurityChecklist,
    Ticket,
    TicketCharge,
    TimeEntry,
)

Kind = Ticket.Kind


# --- Policy ----------------------------------------------------------------------------


def current_policy_version() -> ChargingPolicy | None:
    """The newest policy version (None only if an admin's database has none)."""
    return ChargingPolicy.objects.order_by("-version").first()


def current_policy() -> pricing.Policy:
    """The admin's current policy as a value (SPEC's defaults when there is none)."""
    version = current_policy_version()
    return version.as_policy() if version is not None else pricing.Policy()


# --- A ticket's time, estimates and charges --------------------------------------------


def time_entries(ticket: Ticket) -> list[TimeEntry]:
    """The ticket's time entries, oldest first, with their technicians (one query)."""
    return list(
        ticket.time_entries.select_related("technician").order_by("work_date", "created_at", "pk")
    )


def running_timer(ticket: Ticket, user: User) -> RunningTimer | None:
    return RunningTimer.objects.filter(ticket=ticket, technician=user).first()


def estimates_for(ticket: Ticket) -> list[Estimate]:
    """Every estimate and quote of the ticket, newest first, with who sent and answered."""
    return list(
        ticket.estimates.select_related("created_by", "decided_by", "hold").order_by(
            "-created_at", "-pk"
        )
    )


def charges_for(ticket: Ticket) -> list[TicketCharge]:
    """The ticket's charges (one per resolution), oldest first, with their policy."""
    return list(ticket.charges.select_related("policy", "created_by").order_by("number"))


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


def charge_preview(ticket: Ticket, *, estimates: list[Estimate] | None = None) -> ChargePreview:
    """The charge of the ticket's logged time under its policy, with the balance (a fixed
    number of queries). ``estimates``: the ticket's, already read (``estimates_for``),
    to find the accepted one without another query."""
    charges = charges_for(ticket)
    if charges and charges[0].policy is not None:
        version = charges[0].policy  # a reopened ticket keeps its first charge's version
    else:
        version = current_policy_version()
    policy = version.as_policy() if version is not None else pricing.Policy()
    entries = time_entries(ticket)
    if estimates is None:
        estimate = accepted_estimate(ticket)
    else:
        estimate = next((e for e in estimates if e.status == Estimate.Status.ACCEPTED), None)
    checklist = security_checklist(ticket)
    needs_quote = quote_needed(ticket, checklist)
    quote = estimate if estimate is not None and estimate.is_quote else None
    earlier = sum(charge.credits for charge in charges)
    return ChargePreview(
        charges=charges,
        checklist=checklist,
        breakdown=breakdown(ticket.kind, entries, policy, quote),
        policy=version,
        entries=entries,
        estimate=estimate,
        held=open_hold_credits(estimate),
        available=credit_selectors.balance(ticket.organization),
        earlier=earlier,
        quote_missing=needs_quote and quote is None,
        backup_missing=ticket.kind == Kind.SECURITY_UPDATE
        and not (checklist is not None and checklist.backup_done),
    )
