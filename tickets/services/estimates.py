"""Estimates and quotes: the technician sends one, the client accepts (its credits are held,
work resumes) or declines it (with a reason; the ticket goes back to the technician).

- An estimate above what the client has available puts the ticket in "awaiting credits"
  and tells the client how many credits to buy (``estimate_exceeds_balance``); otherwise
  the ticket waits in "awaiting acceptance". Either way the client may accept once the
  balance covers it: work is never charged beyond the balance without their agreement.
- A quote is for customization and for security updates that need one; an accepted quote
  fixes the charge. Accepting a customization quote needs an active maintenance contract.
- A newer estimate replaces a pending one; a newer accepted one releases the older hold.
"""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import approvals
from accounts.models import Approval, User
from credits import selectors as credit_selectors
from credits import services as credit_services
from tickets import limits, notify, selectors
from tickets.errors import (
    EstimateNotPending,
    NoActiveContract,
    NotAllowed,
    NotEnoughCredits,
    TicketError,
)
from tickets.models import WAITING_STATUSES, Estimate, SecurityChecklist, Ticket
from tickets.selectors import charging as charging_selectors
from tickets.selectors.charging import RECHARGE_URL_NAME, recharge_url  # noqa: F401 (README names it here)
from tickets.services.common import check_length, check_staff, lock
from tickets.services.transitions import check_move, move

Status = Ticket.Status
EStatus = Estimate.Status

CHECKLIST_ITEMS = (
    "code_backup",
    "database_backup",
    "external_modules",
    "modified_core",
    "very_old_version",
)


def _clean_credits(credits) -> int:
    if isinstance(credits, bool) or not isinstance(credits, int) or credits <= 0:
        raise TicketError(_("An estimate is a whole number of credits greater than zero."))
    return credits


def _covered(ticket: Ticket) -> int:
    """The client's spendable credits plus those already held for this ticket."""
    held = charging_selectors.open_hold_credits(charging_selectors.accepted_estimate(ticket))
    return credit_selectors.balance(ticket.organization) + held


def _set_status(ticket: Ticket, to: str, *, by: User) -> Ticket:
    """Move the ticket if it is not there already. Clients answering an estimate make moves
    of staff's table (the answer is the client's, the move follows from it).

    Raises InvalidTransition."""
    if ticket.status == to:
        return ticket
    return move(ticket, to, by=by, staff=True)


@transaction.atomic
def send_estimate(
    ticket: Ticket,
    *,
    by: User,
    credits: int,
    description: str,
    kind: str = Estimate.Kind.ESTIMATE,
) -> Estimate:
    """Send the client an estimate (or quote) of ``credits``; the ticket then waits on them.

    Raises NotAllowed, TicketError (bad credits or description, finished ticket, a quote
    for work that needs none), InvalidTransition.
    """
    check_staff(by)
    credits = _clean_credits(credits)
    description = (description or "").strip()
    if not description:
        raise TicketError(_("Describe the work the estimate covers."))
    check_length(description, limits.ESTIMATE_DESCRIPTION_MAX_CHARS, _("description"))
    if kind not in Estimate.Kind.values:
        raise TicketError(_("Unknown kind of estimate."))
    ticket = lock(ticket)
    if ticket.is_finished:
        raise TicketError(_("This ticket is finished: no estimate can be sent."))
    if kind == Estimate.Kind.QUOTE and not charging_selectors.quote_needed(
        ticket, charging_selectors.security_checklist(ticket)
    ):
        raise TicketError(
            _(
                "Quotes are for customization and for security updates that need one "
                "(tick the conditions in the checklist first). Send an estimate instead."
            )
        )
    if ticket.kind == Ticket.Kind.CUSTOMIZATION and kind != Estimate.Kind.QUOTE:
        raise TicketError(_("Customization is charged only by a quote: send a quote."))
    covered = _covered(ticket)
    target = Status.AWAITING_CREDITS if credits > covered else Status.AWAITING_ACCEPTANCE
    if ticket.status != target:
        check_move(ticket, target, by)
    ticket.estimates.filter(status=EStatus.PENDING).update(status=EStatus.WITHDRAWN)
    estimate = Estimate.objects.create(
        ticket=ticket,
        kind=kind,
        credits=credits,
        description=description,
        balance_when_sent=covered,
        created_by=by,
    )
    _set_status(ticket, target, by=by)
    if target == Status.AWAITING_CREDITS:
        notify.estimate_exceeds_balance(estimate, balance=covered)
    else:
        notify.estimate_sent(estimate, balance=covered)
    return estimate


def _client_of(ticket: Ticket, user: User) -> None:
    if not (user.is_active and user.is_client and user.organization_id == ticket.organization_id):
        raise NotAllowed


def _pending(estimate: Estimate, by: User) -> tuple[Ticket, Estimate]:
    """The locked ticket and estimate, if ``by`` (its client) may answer it now."""
    ticket = lock(estimate.ticket)
    _client_of(ticket, by)
    estimate = Estimate.objects.select_for_update().get(pk=estimate.pk)
    if not estimate.is_pending or ticket.is_finished:
        raise EstimateNotPending
    return ticket, estimate


@transaction.atomic(durable=True)
def accept_estimate(estimate: Estimate, *, by: User) -> Estimate:
    """The client agrees: the credits are held for the ticket and work resumes (a ticket
    that waited on the client goes back to "in progress" and its clock restarts).

    Raises NotAllowed, EstimateNotPending, NotEnoughCredits (buy ``missing`` more first),
    NoActiveContract (customization without an active contract). The outermost money
    action (it holds credits): durable.
    """
    ticket, estimate = _pending(estimate, by)
    if ticket.kind == Ticket.Kind.CUSTOMIZATION:
        check = selectors.contract_check(ticket.organization, ticket.product)
        if not check.ok:
            raise NoActiveContract(check)
    covered = _covered(ticket)
    if estimate.credits > covered:
        raise NotEnoughCredits(missing=estimate.credits - covered)
    if approvals.needs_approval(ticket.organization, estimate.credits, by=by):
        # A member's yes above the organization's threshold waits for a manager: the
        # estimate stays pending (the caller sees it) and the managers are emailed.
        request_estimate_approval(ticket, estimate, by=by)
        return estimate
    _accept(ticket, estimate, by=by, decided_by=by)
    notify.estimate_answered(estimate)
    return estimate


def estimate_reference(estimate: Estimate) -> str:
    """The ``Approval.reference`` of an estimate's approval."""
    return f"tickets.estimate:{estimate.pk}"


def request_estimate_approval(ticket: Ticket, estimate: Estimate, *, by: User) -> Approval:
    """Ask the organization's managers to approve ``by``'s acceptance (once per estimate).
    The ticket and estimate are locked by the caller."""
    what = _("%(kind)s for ticket %(reference)s: %(description)s") % {
        "kind": estimate.get_kind_display(),
        "reference": ticket.reference,
        "description": estimate.description[:200],
    }
    return approvals.request_approval(
        ticket.organization,
        requested_by=by,
        kind=Approval.Kind.ESTIMATE,
        what=what,
        credits=estimate.credits,
        reference=estimate_reference(estimate),
    )


def _accept(ticket: Ticket, estimate: Estimate, *, by: User, decided_by: User | None) -> None:
    """Hold the estimate's credits (releasing an older accepted one) and resume the work.
    The ticket and estimate are locked and the balance covers it (checked by the caller).
    ``decided_by`` None: accepted by itself, when new credits covered it."""
    previous = charging_selectors.accepted_estimate(ticket)
    if previous is not None:
        _release(previous, by=by, reason=_("Replaced by a newer accepted estimate"))
        previous.status = EStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    estimate.hold = credit_services.hold(
        ticket.organization,
        estimate.credits,
        reason=_("Accepted %(kind)s for ticket %(reference)s")
        % {"kind": estimate.get_kind_display().lower(), "reference": ticket.reference},
        reference=ticket,
        idempotency_key=f"estimate:{estimate.pk}:hold",
        actor=decided_by,
    )
    estimate.status = EStatus.ACCEPTED
    estimate.decided_by, estimate.decided_at = decided_by, timezone.now()
    estimate.save(update_fields=["hold", "status", "decided_by", "decided_at"])
    if ticket.status in WAITING_STATUSES:
        _set_status(ticket, Status.IN_PROGRESS, by=by)


# --- Leaving "awaiting credits" by itself -----------------------------------------------


def resume_covered_tickets(organization_id: int) -> list[Ticket]:
    """Every ticket of the organization awaiting credits whose pending estimate the balance
    now covers leaves "awaiting credits": an estimate is accepted by itself (its credits
    held) and the work resumes (the SLA clock restarts, its due date moves later); a quote
    moves to "awaiting acceptance" (a quote needs the client's explicit yes). The client
    users and the technicians are told. One transaction per ticket, the ticket locked first
    (as in ``accept_estimate``); safe to run twice or at once. Returns the tickets moved.
    """
    pks = list(
        Ticket.objects.filter(organization_id=organization_id, status=Status.AWAITING_CREDITS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [ticket for pk in pks if (ticket := _resume_if_covered(pk)) is not None]


def sweep_covered_tickets() -> list[Ticket]:
    """Backstop of ``credits_added`` (periodic, beat): every organization with a ticket
    awaiting credits goes through ``resume_covered_tickets``, so a ticket whose hook was
    lost (a crash between the grant's commit and the callback) still resumes. Returns the
    tickets moved; running it twice moves nothing more."""
    organization_ids = (
        Ticket.objects.filter(status=Status.AWAITING_CREDITS)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
        .distinct()
    )
    return [t for org_id in list(organization_ids) for t in resume_covered_tickets(org_id)]


@transaction.atomic
def _resume_if_covered(ticket_pk: int) -> Ticket | None:
    ticket = (
        Ticket.objects.select_related("organization")
        .select_for_update(of=("self",))
        .filter(pk=ticket_pk)
        .first()
    )
    if ticket is None or ticket.status != Status.AWAITING_CREDITS:
        return None  # moved meanwhile (by a concurrent run, the client or a technician)
    estimate = (
        Estimate.objects.select_for_update().filter(ticket=ticket, status=EStatus.PENDING).first()
    )
    if estimate is None or estimate.credits > _covered(ticket):
        return None
    # The move is the estimate's consequence: it is recorded as made by who sent it.
    by = estimate.created_by
    # An estimate above the organization's approval threshold is never accepted by
    # itself: someone must say yes (a member's yes then waits for a manager).
    threshold = ticket.organization.approval_threshold_credits
    work_resumes = not estimate.is_quote and (threshold is None or estimate.credits <= threshold)
    if work_resumes:
        _accept(ticket, estimate, by=by, decided_by=None)
    else:
        _set_status(ticket, Status.AWAITING_ACCEPTANCE, by=by)
    notify.estimate_covered(estimate, balance=_covered(ticket), work_resumes=work_resumes)
    return ticket


def credits_added(sender, *, organization_id: int, **kwargs) -> None:
    """Receiver of ``credits.hooks.credits_added`` (connected in ``TicketsConfig.ready``):
    after the credits commit, resume the tickets they cover. Deferred so that the grant
    never holds the wallet's lock while locking tickets (accepting locks them the other
    way round); a failure is logged, never undoes the payment (``robust``)."""
    transaction.on_commit(partial(resume_covered_tickets, organization_id), robust=True)


@transaction.atomic
def decline_estimate(estimate: Estimate, *, by: User, reason: str) -> Estimate:
    """The client says no, with a reason; the ticket goes back to the technician ("open").

    Raises NotAllowed, EstimateNotPending, TicketError (no reason).
    """
    reason = (reason or "").strip()
    if not reason:
        raise TicketError(_("Tell us why you decline it, so that we can propose something else."))
    check_length(reason, limits.DECLINE_REASON_MAX_CHARS, _("reason"))
    ticket, estimate = _pending(estimate, by)
    estimate.status = EStatus.DECLINED
    estimate.decline_reason = reason
    estimate.decided_by, estimate.decided_at = by, timezone.now()
    estimate.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    if ticket.status in (Status.AWAITING_ACCEPTANCE, Status.AWAITING_CREDITS):
        _set_status(ticket, Status.OPEN, by=by)
    notify.estimate_answered(estimate)
    return estimate


def _release(estimate: Estimate, *, by: User, reason: str) -> None:
    if estimate.hold is not None and estimate.hold.is_open:
        credit_services.release_hold(estimate.hold, reason=reason, actor=by)


_UNREAD = object()


def settle_on_finish(ticket: Ticket, *, by: User, accepted=_UNREAD) -> None:
    """When a ticket is resolved, closed or out of scope: pending estimates are withdrawn
    and credits still held for it are released (resolving has charged against them first).
    Runs inside the caller's transaction, the ticket locked. ``accepted``: the accepted
    estimate (or None) with its hold as the caller read and changed it under the lock."""
    ticket.estimates.filter(status=EStatus.PENDING).update(status=EStatus.WITHDRAWN)
    if accepted is _UNREAD:
        accepted = charging_selectors.accepted_estimate(ticket)
    if accepted is not None:
        _release(
            accepted,
            by=by,
            reason=_("Ticket %(reference)s finished") % {"reference": ticket.reference},
        )


@transaction.atomic
def update_security_checklist(ticket: Ticket, *, by: User, **checks: bool) -> SecurityChecklist:
    """Tick or untick the security update checklist (backups; conditions that need a
    quote). Raises NotAllowed, TicketError (not a security update, or finished)."""
    check_staff(by)
    ticket = lock(ticket)
    if ticket.kind != Ticket.Kind.SECURITY_UPDATE:
        raise TicketError(_("Only security updates have this checklist."))
    if ticket.is_finished:
        raise TicketError(_("This ticket is finished: its checklist can no longer change."))
    names = CHECKLIST_ITEMS
    if set(checks) - set(names):
        raise TicketError(_("Unknown checklist item."))
    checklist, _created = SecurityChecklist.objects.get_or_create(
        ticket=ticket, defaults={"updated_by": by}
    )
    for name in names:
        setattr(checklist, name, bool(checks.get(name, getattr(checklist, name))))
    checklist.updated_by = by
    checklist.save()
    return checklist
