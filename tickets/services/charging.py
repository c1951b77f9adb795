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

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from credits import selectors as credit_selectors
from credits import services as credit_services
from notifications import services as notifications
from notifications import webhooks

from .. import pricing
from ..errors import (
    BackupNotConfirmed,
    ChargeChanged,
    ChargeExceedsBalance,
    QuoteRequired,
    TicketError,
)
from ..models import ChargingPolicy, Ticket, TicketCharge
from ..selectors import charging as charging_selectors
from . import status as status_services
from .common import check_staff, lock

Status = Ticket.Status
Outcome = TicketCharge.Outcome


def charge_key(ticket: Ticket, number: int) -> str:
    """The idempotency key of a ticket's ``number``-th charge: a replay never charges twice."""
    return f"ticket:{ticket.pk}:charge:{number}"


@transaction.atomic
def resolve(
    ticket: Ticket,
    *,
    by: User,
    note: str | None = None,
    goodwill_reason: str | None = None,
    cap_to_estimate: bool = False,
    expected_credits: int | None = None,
) -> Ticket:
    """Resolve the ticket and charge its work (technicians and admins); its clock stops.

    ``goodwill_reason``: resolve without charge, for this reason. ``cap_to_estimate``:
    charge at most the accepted estimate. ``expected_credits``: what the technician saw
    on the confirmation page; a different charge now raises ChargeChanged.

    Raises NotAllowed, InvalidTransition (e.g. already resolved), BackupNotConfirmed,
    QuoteRequired, ChargeExceedsBalance, ChargeChanged, TicketError.
    """
    check_staff(by)
    goodwill = goodwill_reason is not None
    if goodwill and not goodwill_reason.strip():
        raise TicketError(_("Say why this work is not charged."))
    ticket = lock(ticket)
    status_services.check_move(ticket, Status.RESOLVED, by)
    # Every write of time entries and estimates locks the ticket first: under its lock,
    # this preview is what gets charged.
    preview = charging_selectors.charge_preview(ticket)
    if preview.backup_missing:
        raise BackupNotConfirmed
    if preview.quote_missing and not goodwill:
        raise QuoteRequired
    to_charge = 0 if goodwill else preview.to_charge
    capped_at = None
    if cap_to_estimate and not goodwill:
        if preview.estimate is None:
            raise TicketError(_("There is no accepted estimate to cap the charge at."))
        capped_at = preview.capped
        to_charge = min(to_charge, capped_at)
    if expected_credits is not None and expected_credits != to_charge:
        raise ChargeChanged
    charge = _new_charge(ticket, preview, by=by, credits=to_charge, capped_at=capped_at)
    if goodwill:
        charge.outcome, charge.goodwill_reason = Outcome.GOODWILL, goodwill_reason.strip()[:500]
    elif to_charge:
        if to_charge > preview.covered:
            raise ChargeExceedsBalance(
                needed=to_charge, available=preview.covered, has_estimate=bool(preview.estimate)
            )
        _deduct(ticket, charge, preview, by=by)
    charge.save()
    ticket.time_entries.filter(charge__isnull=True).update(charge=charge)
    ticket = status_services._move(ticket, Status.RESOLVED, by=by, note=note)
    webhooks.queue_ticket_event(
        webhooks.WebhookEvent.TICKET_RESOLVED,
        ticket,
        key=charge.pk,
        charge={"credits": charge.credits, "outcome": charge.outcome},
    )
    if charge.outcome == Outcome.CHARGED:
        _tell_client(ticket, charge)
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
    uncharged = ticket.time_entries.filter(charge__isnull=True).aggregate(m=Sum("minutes"))["m"]
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


def _tell_client(ticket: Ticket, charge: TicketCharge) -> None:
    """``balance_after_deduction`` to the organization's users, in this transaction."""
    notifications.queue_email_to_organization(
        ticket.organization,
        "balance_after_deduction",
        {
            "organization_name": ticket.organization.name,
            "credits": charge.credits,
            "balance": charge.balance_after,
            "reason": charge.ledger_entry.reason,
            "ticket_reference": ticket.reference,
            "ticket_url": ticket.get_absolute_url(),
            "statement_url": reverse("credits:movements"),
        },
        dedupe_key=f"ticket-charge:{charge.pk}",
    )


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
