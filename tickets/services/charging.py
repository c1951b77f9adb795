"""Resolving a ticket: the charge of its logged time, deducted in the same transaction as
the status change, and the client told the amount and the new balance (outbox).

The rules of a resolution:

- the charge is the table of ``tickets.pricing`` over all the ticket's time entries,
  under the policy version of its first charge (else the current one); an accepted quote
  fixes it instead; a reopened ticket resolved again is charged only what its work adds;
- it is never more than the client's spendable credits plus those held for the ticket:
  otherwise ``ChargeExceedsBalance`` and nothing is written (the technician then caps
  it at the accepted estimate, resolves as goodwill, or asks the client for credits);
- an accepted estimate's held credits are spent first (``consume(..., hold=hold)``);
  whatever is not charged is released when the ticket finishes;
- goodwill (with a reason) and work with no time logged charge nothing, and say so.
"""

from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import Sum, TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import approvals
from accounts.models import Approval, User
from credits import services as credit_services
from credits.models import Hold
from notifications import webhooks
from tickets import notify, pricing
from tickets.errors import (
    BackupNotConfirmed,
    ChargeChanged,
    ChargeExceedsBalance,
    ChargeNeedsApproval,
    QuoteRequired,
    TicketError,
)
from tickets.models import ChargingPolicy, Message, Ticket, TicketCharge
from tickets.selectors import charging as charging_selectors
from tickets.selectors.charging import ChargePreview
from tickets.services.common import check_staff, lock
from tickets.services.estimates import settle_on_finish
from tickets.services.transitions import check_move, move

Status = Ticket.Status
Outcome = TicketCharge.Outcome


def charge_key(ticket: Ticket, number: int) -> str:
    """The idempotency key of a ticket's ``number``-th charge: a replay never charges twice."""
    return f"ticket:{ticket.pk}:charge:{number}"


class ResolveMode(TextChoices):
    """How the technician resolves: charge the work, charge at most the accepted estimate,
    or charge nothing (goodwill, with a reason)."""

    CHARGE = "charge", gettext_lazy("Charge the credits above")
    CAP = "cap", gettext_lazy("Charge at most the accepted estimate")
    GOODWILL = "goodwill", gettext_lazy("Goodwill: no charge")


@dataclass(frozen=True)
class Settlement:
    """What a resolution charges (credits), with its outcome and the cap applied."""

    credits: int
    outcome: str
    capped_at: int | None = None
    # Charges the technician may have confirmed: a cap also accepts the charge before it.
    confirmable: tuple[int, ...] = ()


def settlement(preview: ChargePreview, mode: str) -> Settlement:
    """The amount and outcome of resolving now in ``mode`` (pure: no database).

    Raises QuoteRequired (work charged only by a quote, none accepted), TicketError (a
    cap without an accepted estimate), ChargeExceedsBalance (more than the client's
    spendable plus held credits)."""
    if mode == ResolveMode.GOODWILL:
        return Settlement(0, Outcome.GOODWILL, confirmable=(0,))
    if preview.quote_missing:
        raise QuoteRequired
    credits, capped_at = preview.to_charge, None
    if mode == ResolveMode.CAP:
        if preview.estimate is None:
            raise TicketError(_("There is no accepted estimate to cap the charge at."))
        capped_at = preview.capped
        credits = min(credits, capped_at)
    confirmable = (credits, preview.to_charge) if mode == ResolveMode.CAP else (credits,)
    outcome = Outcome.CHARGED if credits else Outcome.NOTHING
    return Settlement(credits, outcome, capped_at, confirmable)


def _mode_of(mode: str, reason: str, goodwill_reason: str | None, cap_to_estimate: bool):
    """The mode and goodwill reason, also from the API's older spelling
    (``goodwill_reason=...``, ``cap_to_estimate=True``)."""
    if goodwill_reason is not None:
        return ResolveMode.GOODWILL, goodwill_reason
    if cap_to_estimate:
        return ResolveMode.CAP, reason
    if mode not in ResolveMode.values:
        raise TicketError(_("Choose how to charge this work."))
    return ResolveMode(mode), reason


def resolve(
    ticket: Ticket,
    *,
    by: User,
    mode: str = ResolveMode.CHARGE,
    reason: str = "",
    note: str | None = None,
    expected_credits: int | None = None,
    goodwill_reason: str | None = None,
    cap_to_estimate: bool = False,
    scope=None,
) -> Ticket:
    """Resolve the ticket and charge its work (technicians and admins); its clock stops,
    its pending estimates are withdrawn and the credits still held for it released.

    ``mode``: a ``ResolveMode`` (``reason``: why goodwill charges nothing; the API's
    ``goodwill_reason=...`` and ``cap_to_estimate=True`` mean the same). ``expected_credits``:
    what the technician saw on the confirmation page; a different charge now raises
    ChargeChanged. The outermost money action: durable, it cannot run inside another
    transaction by mistake (a reply that resolves uses ``resolve_within``). ``scope``: the
    tickets the acting user may see (``selectors.tickets_visible_to``): the ticket is read
    once, locked, through it (a view passes ``Ticket(pk=...)``; Ticket.DoesNotExist when
    it is not there).

    Raises NotAllowed, InvalidTransition (e.g. already resolved), BackupNotConfirmed,
    QuoteRequired, ChargeExceedsBalance, ChargeChanged, TicketError.
    """
    mode, reason = _mode_of(mode, reason, goodwill_reason, cap_to_estimate)
    try:
        with transaction.atomic(durable=True):
            return resolve_within(
                ticket,
                by=by,
                mode=mode,
                reason=reason,
                note=note,
                expected_credits=expected_credits,
                scope=scope,
            )
    except ChargeNeedsApproval as exc:
        request_charge_approval(exc)
        raise


@transaction.atomic(savepoint=False)  # a failure undoes the caller's whole action
def resolve_within(
    ticket: Ticket,
    *,
    by: User,
    mode: str = ResolveMode.CHARGE,
    reason: str = "",
    note: str | None = None,
    expected_credits: int | None = None,
    approved_credits: int | None = None,
    scope=None,
) -> Ticket:
    """``resolve`` as one step of a bigger action (``change_status``, a reply that
    resolves), in the caller's transaction. Raises like ``resolve``, and
    ChargeNeedsApproval (the requester's monthly limit; its ``request()`` is the caller's,
    after the rollback). ``approved_credits``: what a manager approved beyond the limit
    (``tickets.services.approvals``)."""
    check_staff(by)
    mode, reason = _mode_of(mode, reason, None, False)
    if mode == ResolveMode.GOODWILL and not (reason or "").strip():
        raise TicketError(_("Say why this work is not charged."))
    # One read of the ticket: locked, with its charging rows (time entries, estimates,
    # charges, checklist, policy) in the same query. Every write of time entries and
    # estimates locks the ticket first: under its lock, this preview is what gets charged.
    lists = charging_selectors.charging_lists()
    ticket = lock(ticket, organization=True, scope=scope, annotations=lists)
    check_move(ticket, Status.RESOLVED, by)
    state = charging_selectors.state_of({name: getattr(ticket, name) for name in lists})
    preview = charging_selectors.preview_of(ticket, state, available=0)
    if preview.backup_missing:
        raise BackupNotConfirmed
    result = settlement(preview, mode)
    if expected_credits is not None and expected_credits not in result.confirmable:
        raise ChargeChanged
    charge = _new_charge(ticket, preview, by=by, credits=result.credits, capped_at=result.capped_at)
    if result.outcome == Outcome.GOODWILL:
        charge.outcome, charge.goodwill_reason = Outcome.GOODWILL, reason.strip()[:500]
    elif result.credits:
        # The wallet is read once, locked (with the replay lookup of the charge's key),
        # and consume spends from that lock.
        wallet = credit_services.lock_wallet(
            ticket.organization, idempotency_key=charge_key(ticket, charge.number)
        )
        preview = replace(preview, available=wallet.available)
        if result.credits > preview.covered:
            raise ChargeExceedsBalance(
                needed=result.credits,
                available=preview.covered,
                has_estimate=bool(preview.estimate),
            )
        _check_member_limit(ticket, charge, mode=mode, by=by, approved_credits=approved_credits)
        _deduct(ticket, charge, preview, by=by, wallet=wallet)
    charge.save()
    ticket.time_entries.filter(charge__isnull=True).update(charge=charge)
    endpoints = webhooks.active_endpoints(ticket.organization_id)
    ticket = move(ticket, Status.RESOLVED, by=by, note=note, endpoints=endpoints)
    settle_on_finish(ticket, by=by, accepted=preview.estimate)
    webhooks.queue_ticket_event(
        webhooks.WebhookEvent.TICKET_RESOLVED,
        ticket,
        key=charge.pk,
        endpoints=endpoints,
        charge={"credits": charge.credits, "outcome": charge.outcome},
    )
    ticket.resolution_charge = charge  # what the caller tells the technician
    if charge.outcome == Outcome.CHARGED:
        notify.balance_after_deduction(charge)
    return ticket


# --- The monthly limit of a member (issue 19) -------------------------------------------


def month_start(now=None):
    """The first instant of this calendar month, local time (aware)."""
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spent_this_month(member: User, *, now=None) -> int:
    """Credits charged this calendar month (local time) on the tickets ``member``
    requested: one query."""
    total = TicketCharge.objects.filter(
        ticket__requester=member,
        ticket__organization_id=member.organization_id,
        outcome=Outcome.CHARGED,
        created_at__gte=month_start(now),
    ).aggregate(total=Sum("credits"))["total"]
    return total or 0


def charge_reference(ticket: Ticket, number: int, mode: str, by: User) -> str:
    """The ``Approval.reference`` of a charge beyond a member's limit: the ticket, the
    charge's number, and how and by whom it was to be resolved."""
    return f"tickets.charge:{ticket.pk}:{number}:{mode}:{by.pk}"


def _check_member_limit(ticket, charge, *, mode, by, approved_credits) -> None:
    """Raises ChargeNeedsApproval when the charge takes the requester (a member) beyond
    their organization's monthly limit and no manager approved at least this much. No query
    for an organization without a limit."""
    organization = ticket.organization
    if organization.member_monthly_credit_limit is None or ticket.requester_id is None:
        return
    if approved_credits is not None and charge.credits <= approved_credits:
        return
    member = User.objects.get(pk=ticket.requester_id)
    if member.organization_id != organization.pk:
        return
    member.organization = organization
    spent = spent_this_month(member)
    if not approvals.exceeds_member_limit(member, spent_this_month=spent, credits=charge.credits):
        return
    approved = Approval.objects.filter(
        organization=organization,
        kind=Approval.Kind.MONTHLY_LIMIT,
        outcome=Approval.Outcome.APPROVED,
        reference__startswith=f"tickets.charge:{ticket.pk}:{charge.number}:",
        credits__gte=charge.credits,
    )
    if approved.exists():
        return
    raise ChargeNeedsApproval(
        ticket=ticket,
        member=member,
        by=by,
        mode=mode,
        number=charge.number,
        credits=charge.credits,
        spent=spent,
        limit=organization.member_monthly_credit_limit,
    )


@transaction.atomic
def request_charge_approval(exc: ChargeNeedsApproval) -> Approval:
    """Ask the managers to approve the charge of ``exc`` (once per charge, mode and
    technician), with an internal note on the ticket for the technicians. A request a
    manager already refused says so in ``exc.message``."""
    ticket, member = exc.ticket, exc.member
    reference = charge_reference(ticket, exc.number, exc.mode, exc.by)
    existed = Approval.objects.filter(
        organization_id=ticket.organization_id,
        kind=Approval.Kind.MONTHLY_LIMIT,
        reference=reference,
    ).exists()
    approval = approvals.request_approval(
        ticket.organization,
        requested_by=member,
        kind=Approval.Kind.MONTHLY_LIMIT,
        what=_("Charge of ticket %(reference)s: %(subject)s")
        % {"reference": ticket.reference, "subject": ticket.subject[:200]},
        credits=exc.credits,
        reference=reference,
    )
    if approval.outcome == Approval.Outcome.REFUSED:
        exc.message = _(
            "Not resolved, nothing charged: a manager of the organization refused this "
            "charge of %(credits)s credits beyond %(member)s's monthly limit. Resolve it "
            "as goodwill or talk to the client."
        ) % {"credits": exc.credits, "member": member.get_full_name()}
        exc.args = (str(exc.message),)
    elif not existed:
        Message.objects.create(
            ticket=ticket, author=exc.by, body=str(exc.message), is_internal=True
        )
    return approval


def _new_charge(ticket, preview, *, by: User, credits: int, capped_at) -> TicketCharge:
    result = preview.breakdown
    return TicketCharge(
        ticket=ticket,
        number=len(preview.charges) + 1,
        policy=preview.policy,
        kind=ticket.kind,
        outcome=Outcome.NOTHING,
        minutes=result.minutes,
        calls=result.calls,
        minimum=result.minimum,
        blocks=result.blocks,
        block_size=result.block_size,
        flat=result.flat,
        surcharge_per_call=result.surcharge_per_call,
        quoted=result.quoted,
        computed=result.total,
        earlier=preview.earlier,
        capped_at=capped_at,
        credits=credits,
        estimate=preview.estimate,
        created_by=by,
    )


def _deduct(ticket: Ticket, charge: TicketCharge, preview, *, by: User, wallet) -> None:
    """Consume the charge (against the ticket's open hold first) from the ``wallet`` locked
    for it (``credit_services.lock_wallet``) and note the balance after."""
    organization = ticket.organization
    estimate = preview.estimate
    hold = estimate.hold if estimate is not None and preview.held else None
    # The entries were read under the ticket's lock (the preview): no second read.
    uncharged = sum(entry.minutes for entry in preview.entries if entry.charge_id is None)
    with translation.override(organization.language or None):
        reason = _("Ticket %(reference)s: %(subject)s") % {
            "reference": ticket.reference,
            "subject": ticket.subject,
        }
    try:
        entry = credit_services.consume_within(
            organization,
            charge.credits,
            reason=reason[:255],
            ticket=ticket,
            idempotency_key=charge_key(ticket, charge.number),
            hold=hold,
            work_minutes=uncharged or 0,
            actor=by,
            locked=wallet,
        )
    except credit_services.InsufficientCredits as exc:
        raise ChargeExceedsBalance(
            needed=charge.credits, available=exc.available, has_estimate=estimate is not None
        ) from exc
    charge.outcome = Outcome.CHARGED
    charge.ledger_entry = entry
    charge.balance_after = wallet.available  # the locked wallet, as the spend left it
    if hold is not None:  # consumed: nothing left to release when the ticket finishes
        hold.status = Hold.Status.CONSUMED


@transaction.atomic
def publish_policy(*, by: User | None, **values) -> ChargingPolicy:
    """Write a new version of the charging policy; it becomes the current one. Earlier
    versions are never changed (charges keep theirs). Raises ValueError (bad values)."""
    fields = {
        name: values[name]
        for name in (
            "consultation_minimum",
            "intervention_minimum",
            "block_size",
            "call_surcharge",
            "security_update_flat",
            "credits_per_minute",
        )
    }
    pricing.Policy(**fields)  # the same checks as the pure rule (raises ValueError)
    latest = ChargingPolicy.objects.select_for_update().order_by("-version").first()
    version = latest.version + 1 if latest is not None else 1
    return ChargingPolicy.objects.create(version=version, created_by=by, **fields)
