"""The ticket page's data (both sides), in a fixed, small number of queries: the thread,
its history, and the charging and vault state read together (``charging_state``).

The page shows, beside each estimate, the credits the client must still buy and the link
to buy them, and beside each access-data entry whether the technician may reveal it:
``EstimateLine`` and ``CredentialLine`` carry those, so that no model object is changed.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from accounts.models import Approval, User
from credits import selectors as credit_selectors
from tickets import clock, workflow
from tickets.models import Attachment, Credential, Estimate, Message, Ticket
from tickets.selectors import thread_for, ticket_history
from tickets.selectors.charging import (
    ChargePreview,
    RunningTimer,
    SecurityChecklist,
    TicketCharge,
    TimeEntry,
    charging_state,
    preview_of,
    recharge_url,
)


class _Line:
    """An object of the page with what the page adds to it; reads fall through to it."""

    _of: str

    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, self._of), name)


@dataclass(frozen=True)
class EstimateLine(_Line):
    """An estimate with the credits the client must buy before accepting it (0 when the
    balance covers it) and where to buy them."""

    _of = "estimate"
    estimate: Estimate
    missing: int
    buy_url: str
    # A member accepted it above the organization's threshold: a manager must approve.
    awaiting_approval: bool = False


@dataclass(frozen=True)
class CredentialLine(_Line):
    """An access-data entry and whether the page's technician may reveal it now."""

    _of = "credential"
    credential: Credential
    revealable: bool


@dataclass
class TicketPage:
    """What the ticket page shows (the forms are the view's)."""

    ticket: Ticket
    thread: list[Message]
    opening_files: list[Attachment]
    history: list
    preview: ChargePreview
    estimates: list[EstimateLine]
    credentials: list[CredentialLine]
    assignees: list[User] = field(default_factory=list)
    timer: RunningTimer | None = None
    timer_elapsed: int = 0  # seconds

    @property
    def entries(self) -> list[TimeEntry]:
        return self.preview.entries

    @property
    def charges(self) -> list[TicketCharge]:
        return self.preview.charges

    @property
    def checklist(self) -> SecurityChecklist | None:
        return self.preview.checklist

    @property
    def can_resolve(self) -> bool:
        return workflow.can_move(self.ticket.status, Ticket.Status.RESOLVED, staff=True)


def _awaiting_approval(ticket: Ticket, estimates) -> set[int]:
    """The pending estimates a member accepted that wait for a manager's approval: one
    query, none without a threshold or a pending estimate."""
    pending = {f"tickets.estimate:{e.pk}": e.pk for e in estimates if e.is_pending}
    if not pending or ticket.organization.approval_threshold_credits is None:
        return set()
    references = Approval.objects.filter(
        organization_id=ticket.organization_id,
        kind=Approval.Kind.ESTIMATE,
        outcome=Approval.Outcome.PENDING,
        reference__in=list(pending),
    ).values_list("reference", flat=True)
    return {pending[reference] for reference in references}


def ticket_page(ticket: Ticket, user: User, *, now: datetime | None = None) -> TicketPage:
    """The page of ``ticket`` as ``user`` sees it (a technician: internal notes, every
    access-data entry and the timer; a client: public messages and the ticket's own access
    data). A fixed number of queries: the thread (two), its history, the charging and
    vault state, and the balance."""
    staff = user.is_support_staff
    clock.attach_sla([ticket])
    state = charging_state(ticket, user=user, page=True)
    preview = preview_of(ticket, state, available=credit_selectors.balance(ticket.organization))
    waiting = _awaiting_approval(ticket, state.estimates)
    estimates = []
    for estimate in state.estimates:
        missing = max(0, estimate.credits - preview.covered)
        estimates.append(
            EstimateLine(estimate, missing, recharge_url(missing), estimate.pk in waiting)
        )
    assigned_to_me = any(a.pk == user.pk for a in state.assignees)
    if staff:
        credentials = [
            CredentialLine(c, assigned_to_me if c.ticket_id else state.organization_reveal)
            for c in state.credentials
        ]
    else:
        credentials = [CredentialLine(c, False) for c in state.credentials if c.ticket_id]
    timer = state.timer
    now = now or timezone.now()
    return TicketPage(
        ticket=ticket,
        thread=thread_for(ticket, user),
        opening_files=state.opening_files,
        history=ticket_history(ticket),
        preview=preview,
        estimates=estimates,
        credentials=credentials,
        assignees=state.assignees,
        timer=timer,
        timer_elapsed=int((now - timer.started_at).total_seconds()) if timer else 0,
    )
