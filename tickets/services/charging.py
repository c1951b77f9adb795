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

from dataclasses import dataclass

from django.db import transaction
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from credits import selectors as credit_selectors
from credits import services as credit_services
from notifications import webhooks
from tickets import notify, pricing
from tickets.errors import (
    BackupNotConfirmed,
    ChargeChanged,
    ChargeExceedsBalance,
    QuoteRequired,
    TicketError,
)
from tickets.models import ChargingPolicy, Ticket, TicketCharge
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


@transaction.atomic(durable=True)
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
) -> Ticket:
    """Resolve the ticket and charge its work (technicians and admins); its clock stops,
    its pending estimates are withdrawn and the credits still held for it released.

    ``mode``: a ``ResolveMode`` (``reason``: why goodwill charges nothing; the API's
    ``goodwill_reason=...`` and ``cap_to_estimate=True`` mean the same). ``expected_credits``:
    what the technician saw on the confirmation page; a different charge now raises
    ChargeChanged. The outermost money action: durable, it cannot run inside another
    transaction by mistake (a reply that resolves uses ``resolve_within``).

    Raises NotAllowed, InvalidTransition (e.g. already resolved), BackupNotConfirmed,
    QuoteRequired, ChargeExceedsBalance, ChargeChanged, TicketError.
    """
    mode, reason = _mode_of(mode, reason, goodwill_reason, cap_to_estimate)
    return resolve_within(
        ticket, by=by, mode=mode, reason=reason, note=note, expected_credits=expected_credits
    )


@transaction.atomic(savepoint=False)  # a failure undoes the caller's whole action
def resolve_within(
    ticket: Ticket,
    *,
    by: User,
    mode: str = ResolveMode.CHARGE,
    reason: str = "",
    note: str | None = None,
    expected_credits: int | None = None,
) -> Ticket:
    """``resolve`` as one step of a bigger action (``change_status``, a reply that
    resolves), in the caller's transaction. Raises like ``resolve``."""
    check_staff(by)
    mode, reason = _mode_of(mode, reason, None, False)
    if mode == ResolveMode.GOODWILL and not (reason or "").strip():
        raise TicketError(_("Say why this work is not charged."))
    ticket = lock(ticket, organization=True)
    check_move(ticket, Status.RESOLVED, by)
    # Every write of time entries and estimates locks the ticket first: under its lock,
    # this preview is what gets charged.
    preview = charging_selectors.charge_preview(ticket)
    if preview.backup_missing:
        raise BackupNotConfirmed
    result = settlement(preview, mode)
    if expected_credits is not None and expected_credits not in result.confirmable:
        raise ChargeChanged
    charge = _new_charge(ticket, preview, by=by, credits=result.credits, capped_at=result.capped_at)
    if result.outcome == Outcome.GOODWILL:
        charge.outcome, charge.goodwill_reason = Outcome.GOODWILL, reason.strip()[:500]
    elif result.credits:
        if result.credits > preview.covered:
            raise ChargeExceedsBalance(
                needed=result.credits,
                available=preview.covered,
                has_estimate=bool(preview.estimate),
            )
        _deduct(ticket, charge, preview, by=by)
    charge.save()
    ticket.time_entries.filter(charge__isnull=True).update(charge=charge)
    ticket = move(ticket, Status.RESOLVED, by=by, note=note)
    settle_on_finish(ticket, by=by)
    webhooks.queue_ticket_event(
        webhooks.WebhookEvent.TICKET_RESOLVED,
        ticket,
        key=charge.pk,
        charge={"credits": charge.credits, "outcome": charge.outcome},
    )
    if charge.outcome == Outcome.CHARGED:
        notify.balance_after_deduction(charge)
    return ticket


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


def _deduct(ticket: Ticket, charge: TicketCharge, preview, *, by: User) -> None:
    """Consume the charge (against the ticket's open hold first) and note the balance."""
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
        entry = credit_services.consume(
            organization,
            charge.credits,
            reason=reason[:255],
            ticket=ticket,
            idempotency_key=charge_key(ticket, charge.number),
            hold=hold,
            work_minutes=uncharged or 0,
            actor=by,
        )
    except credit_services.InsufficientCredits as exc:
        raise ChargeExceedsBalance(
            needed=charge.credits, available=exc.available, has_estimate=estimate is not None
        ) from exc
    charge.outcome = Outcome.CHARGED
    charge.ledger_entry = entry
    charge.balance_after = credit_selectors.balance(organization)


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
