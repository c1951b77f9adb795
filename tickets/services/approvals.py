"""What a manager's decision does to the ticket that waited for it (issue 19), in the
decision's transaction (``accounts.approvals.approval_deciding``, connected in
``TicketsConfig.ready``): the hold or the ledger entry commits with the decision that
caused it, or not at all.

- An estimate a member accepted above the threshold: approve → accepted as if a manager
  had accepted it (its credits held, work resumes); refuse → declined, the reason says a
  manager refused it (the technicians are emailed; the member sees it on the ticket).
- A charge beyond a member's monthly limit: approve → resolved and charged as the
  technician asked, recomputed under the ticket's lock (a charge now above what was
  approved is not made: the technician is told on the ticket); refuse → the ticket stays
  unresolved, with an internal note for the technicians.
- An estimate withdrawn or answered meanwhile, a ticket resolved meanwhile: the decision is
  recorded, nothing else changes, and the manager is told so.

Import order: above estimates and charging.
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.approvals import ApprovalError
from accounts.models import Approval, User
from tickets import notify, selectors
from tickets.errors import ChargeNeedsApproval, TicketError
from tickets.models import Estimate, Message, Ticket
from tickets.services import charging, estimates
from tickets.services.common import lock

Status = Ticket.Status
EStatus = Estimate.Status


def approval_deciding(sender, *, approval: Approval, **kwargs) -> str | None:
    """Receiver of ``approval_deciding``: carry out the decision; returns what it did."""
    kind, _sep, rest = approval.reference.partition(":")
    if approval.kind == Approval.Kind.ESTIMATE and kind == "tickets.estimate":
        return _estimate_decided(approval, rest)
    if approval.kind == Approval.Kind.MONTHLY_LIMIT and kind == "tickets.charge":
        return _charge_decided(approval, rest)
    return None


def _approved(approval: Approval) -> bool:
    return approval.outcome == Approval.Outcome.APPROVED


# --- Estimates --------------------------------------------------------------------------


def _estimate_decided(approval: Approval, pk: str) -> str:
    estimate = (
        Estimate.objects.filter(pk=int(pk) if pk.isdigit() else 0)
        .filter(ticket__organization_id=approval.organization_id)
        .first()
    )
    if estimate is None:
        return _("The estimate no longer exists: nothing changed.")
    ticket = lock(estimate.ticket, organization=True)
    estimate = Estimate.objects.select_for_update().get(pk=estimate.pk)
    estimate.ticket = ticket
    if not estimate.is_pending or ticket.is_finished:
        return _(
            "The estimate of ticket %(reference)s is no longer waiting (%(status)s): "
            "nothing changed."
        ) % {"reference": ticket.reference, "status": estimate.get_status_display().lower()}
    manager = approval.decided_by
    if not _approved(approval):
        with translation.override(ticket.organization.language or None):
            reason = _("Refused by %(name)s, a manager of the organization.") % {
                "name": manager.get_full_name()
            }
        estimate.status = EStatus.DECLINED
        estimate.decline_reason = reason
        estimate.decided_by, estimate.decided_at = manager, timezone.now()
        estimate.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
        if ticket.status in (Status.AWAITING_ACCEPTANCE, Status.AWAITING_CREDITS):
            estimates._set_status(ticket, Status.OPEN, by=manager)
        notify.estimate_answered(estimate)
        return _("The estimate of ticket %(reference)s is declined; the technicians are told.") % {
            "reference": ticket.reference
        }
    if ticket.kind == Ticket.Kind.CUSTOMIZATION:
        check = selectors.contract_check(ticket.organization, ticket.product)
        if not check.ok:
            raise ApprovalError(check.explanation)
    covered = estimates._covered(ticket)
    if estimate.credits > covered:
        raise ApprovalError(
            _(
                "Not approved yet: the balance covers %(covered)s of the %(credits)s credits. "
                "Buy at least %(missing)s more credits, then approve again."
            )
            % {
                "covered": covered,
                "credits": estimate.credits,
                "missing": estimate.credits - covered,
            }
        )
    estimates._accept(ticket, estimate, by=manager, decided_by=manager)
    notify.estimate_answered(estimate)
    return _(
        "The estimate of ticket %(reference)s is accepted: %(credits)s credits are reserved "
        "and work resumes."
    ) % {"reference": ticket.reference, "credits": estimate.credits}


# --- Charges beyond a member's monthly limit -------------------------------------------


def _charge_decided(approval: Approval, rest: str) -> str:
    parts = rest.split(":")
    if len(parts) != 4 or not (parts[0].isdigit() and parts[1].isdigit() and parts[3].isdigit()):
        return _("This request no longer refers to a ticket: nothing changed.")
    ticket = Ticket.objects.filter(
        pk=int(parts[0]), organization_id=approval.organization_id
    ).first()
    technician = User.objects.filter(pk=int(parts[3])).first()
    if ticket is None or technician is None:
        return _("This request no longer refers to a ticket: nothing changed.")
    ticket = lock(ticket, organization=True)
    mode = parts[2]
    manager = approval.decided_by
    if ticket.status == Status.RESOLVED or ticket.is_finished:
        return _("Ticket %(reference)s is no longer waiting to be resolved: nothing changed.") % {
            "reference": ticket.reference
        }
    if not _approved(approval):
        _note(
            ticket,
            technician,
            _(
                "%(name)s, a manager of the organization, refused charging %(credits)s credits "
                "beyond the requester's monthly limit: the ticket stays unresolved. Resolve it "
                "as goodwill, or talk to the client."
            )
            % {"name": manager.get_full_name(), "credits": approval.credits},
        )
        return _("Ticket %(reference)s stays unresolved; the technicians are told.") % {
            "reference": ticket.reference
        }
    try:
        with transaction.atomic():
            ticket = charging.resolve_within(
                ticket, by=technician, mode=mode, approved_credits=approval.credits
            )
    except ChargeNeedsApproval as exc:
        error = _("the charge is now %(credits)s credits, more than was approved.") % {
            "credits": exc.credits
        }
        _note(
            ticket,
            technician,
            _(
                "%(name)s approved charging %(credits)s credits, but %(error)s Nothing was "
                "charged; resolve it again."
            )
            % {"name": manager.get_full_name(), "credits": approval.credits, "error": error},
        )
        return _("Approved, but nothing was charged: %(error)s") % {"error": error}
    except TicketError as exc:
        _note(
            ticket,
            technician,
            _(
                "%(name)s approved charging %(credits)s credits, but the ticket could not be "
                "resolved: %(error)s Nothing was charged; resolve it again."
            )
            % {"name": manager.get_full_name(), "credits": approval.credits, "error": exc.message},
        )
        return _("Approved, but ticket %(reference)s could not be resolved: %(error)s") % {
            "reference": ticket.reference,
            "error": exc.message,
        }
    charge = ticket.charges.order_by("-number").first()
    charged = charge.credits if charge is not None else 0
    if charged != approval.credits:
        _note(
            ticket,
            technician,
            _(
                "%(name)s approved %(approved)s credits; the charge recomputed when resolving "
                "was %(charged)s credits."
            )
            % {"name": manager.get_full_name(), "approved": approval.credits, "charged": charged},
        )
    return _("Ticket %(reference)s is resolved: %(credits)s credits charged.") % {
        "reference": ticket.reference,
        "credits": charged,
    }


def _note(ticket: Ticket, technician: User, body: str) -> None:
    """An internal note for the technicians (in the technician's name: client users write
    no internal notes)."""
    Message.objects.create(ticket=ticket, author=technician, body=body, is_internal=True)
