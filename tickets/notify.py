"""The tickets emails, written to the outbox in the transaction of what causes them.

- ``reply_added``: a new public reply (called by ``services.add_reply``). A technician's
  reply goes to the client users of the ticket's organization; a client's reply to the
  ticket's assigned technicians, or to all support staff (technicians and admins) when
  nobody is assigned. Internal notes never email anyone.
- ``sweep_sla``: the SLA sweep (celery beat, every minute). A running ticket past its
  warning time (e.g. 75 % of the target) gets one ``sla_warning``, past its due date one
  ``sla_breach``, each to the assigned technicians and every admin, or to all technicians
  and admins when nobody is assigned. "Once" is the unique ``SlaNotice(ticket, kind)``
  row, written with the emails in one transaction. The sweep reads only the stored dates:
  a paused ticket is not running (its clock is stopped), a restarted one has its dates
  moved later, a finished one is never looked at; no far-future task is ever scheduled.
- ``estimate_sent``: an estimate or quote the client can answer now (it fits the balance)
  gets ``estimate_awaiting_answer`` to the client users (one above the balance gets
  ``estimate_exceeds_balance`` from ``services.send_estimate`` instead).
- ``estimate_answered``: the client accepted or declined; to the assigned technicians
  (or all support staff when nobody is assigned).
- ``estimate_covered``: new credits covered an estimate that waited on them
  (``services.resume_covered_tickets``); to the client users and the technicians.
- ``estimate_exceeds_balance``: an estimate above the balance (``services.send_estimate``)
  tells the client users how many credits to buy.
- ``balance_after_deduction``: a resolution charged credits; to the client users, with
  the new balance.
- ``out_of_scope``: the ticket was closed as out of scope, with the reason; to the client users.
- ``credential_revealed``: a technician revealed access data; to the client users, unless
  the organization switched it off, at most once a day per entry and technician.
Each is sent once: its dedupe key names the estimate or ticket and the recipient.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import User
from notifications.models import Kind, OutboxEmail
from notifications.selectors import organization_recipients, staff_recipients
from notifications.services import queue_email_to_many, queue_email_to_organization
from notifications.webhooks import WebhookEvent, queue_ticket_event
from tickets import calendars
from tickets.models import (
    RUNNING_STATUSES,
    Credential,
    CredentialReveal,
    Estimate,
    Message,
    SlaNotice,
    Ticket,
    TicketCharge,
)
from tickets.selectors.charging import recharge_url

logger = logging.getLogger(__name__)

# Tickets locked and told per transaction. Queueing an email costs a few milliseconds
# (bench/sla_sweep_bench.py), so a batch of 50 tickets (about 150 emails) holds its locks
# for a second or two: a technician's status change on one of them waits at most that.
SWEEP_BATCH = 50
EXCERPT_CHARS = 600

STAFF_ROLES = (User.Role.TECHNICIAN, User.Role.ADMIN)
EMAIL_KIND = {SlaNotice.Kind.WARNING: Kind.SLA_WARNING, SlaNotice.Kind.BREACH: Kind.SLA_BREACH}


# --- Replies ----------------------------------------------------------------------------


def _active_assignees(ticket: Ticket) -> list[User]:
    return list(ticket.assignees.filter(is_active=True, role__in=STAFF_ROLES).order_by("pk"))


def _clients_of(ticket: Ticket):
    """The client users who may open the ticket (issue 19): the organization's managers,
    its requester, and every member when the organization lets members see all tickets,
    as ``tickets_visible_to`` decides; nobody is emailed about a ticket they cannot open."""
    users = organization_recipients(ticket.organization)
    if ticket.organization.members_see_all_tickets:
        return users
    return users.filter(Q(org_role=User.OrgRole.MANAGER) | Q(pk=ticket.requester_id))


def reply_added(message: Message) -> list[OutboxEmail]:
    """Queue ``ticket_reply`` for a new public reply, in the reply's transaction (nothing
    for an internal note). Returns the outbox rows; raises like ``queue_email``."""
    if message.is_internal:
        return []
    ticket, author = message.ticket, message.author
    organization = ticket.organization
    if author.is_support_staff:
        recipients = list(_clients_of(ticket))
    else:
        recipients = _active_assignees(ticket) or list(staff_recipients())
    context = {
        "ticket_reference": ticket.reference,
        "ticket_subject": ticket.subject,
        "ticket_url": ticket.get_absolute_url(),
        "author_name": author.get_full_name(),
        "message_excerpt": Truncator(message.body).chars(EXCERPT_CHARS),
        "organization_name": organization.name,
    }
    queue_ticket_event(WebhookEvent.TICKET_REPLIED, ticket, key=message.pk, message=message.pk)
    return queue_email_to_many(
        recipients, Kind.TICKET_REPLY, context, dedupe_key=f"ticket_reply:message:{message.pk}"
    )


def _assignees_or_staff(ticket: Ticket) -> list[User]:
    return _active_assignees(ticket) or list(staff_recipients())


def _ticket_context(ticket: Ticket) -> dict:
    return {
        "organization_name": ticket.organization.name,
        "ticket_reference": ticket.reference,
        "ticket_subject": ticket.subject,
        "ticket_url": ticket.get_absolute_url(),
    }


# --- Estimates and out of scope ---------------------------------------------------------


def estimate_sent(estimate: Estimate, *, balance: int) -> list[OutboxEmail]:
    """Queue ``estimate_awaiting_answer`` to the client users for an estimate that fits
    ``balance`` (credits), in the sending transaction. Returns the outbox rows."""
    ticket = estimate.ticket
    context = {
        **_ticket_context(ticket),
        "estimate_kind": estimate.kind,
        "estimated_credits": estimate.credits,
        "balance": balance,
        "description_excerpt": Truncator(estimate.description).chars(EXCERPT_CHARS),
    }
    return queue_email_to_many(
        _clients_of(ticket),
        Kind.ESTIMATE_AWAITING_ANSWER,
        context,
        dedupe_key=f"estimate:{estimate.pk}:awaiting-answer",
    )


def estimate_exceeds_balance(estimate: Estimate, *, balance: int) -> list[OutboxEmail]:
    """Queue ``estimate_exceeds_balance`` to the client users for an estimate above
    ``balance`` (credits): how many to buy, and where. Returns the outbox rows."""
    ticket = estimate.ticket
    missing = estimate.credits - balance
    return queue_email_to_organization(
        ticket.organization,
        Kind.ESTIMATE_EXCEEDS_BALANCE,
        {
            **_ticket_context(ticket),
            "estimated_credits": estimate.credits,
            "balance": balance,
            "recharge_url": recharge_url(missing),
            "credits_to_buy": missing,
        },
        dedupe_key=f"estimate:{estimate.pk}:exceeds-balance",
    )


def balance_after_deduction(charge: TicketCharge) -> list[OutboxEmail]:
    """Queue ``balance_after_deduction`` to the client users: the credits a resolution
    charged and the balance left, in the resolving transaction. Returns the outbox rows."""
    ticket = charge.ticket
    return queue_email_to_organization(
        ticket.organization,
        Kind.BALANCE_AFTER_DEDUCTION,
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


def estimate_answered(estimate: Estimate) -> list[OutboxEmail]:
    """Queue ``estimate_answered`` (accepted, or declined with its reason) to the ticket's
    technicians, in the answer's transaction. Returns the outbox rows."""
    ticket = estimate.ticket
    declined = estimate.status == Estimate.Status.DECLINED
    context = {
        **_ticket_context(ticket),
        "estimate_kind": estimate.kind,
        "estimated_credits": estimate.credits,
        "client_name": estimate.decided_by.get_full_name() if estimate.decided_by else "",
        "decline_reason": Truncator(estimate.decline_reason).chars(EXCERPT_CHARS)
        if declined
        else None,
    }
    return queue_email_to_many(
        _assignees_or_staff(ticket),
        Kind.ESTIMATE_ANSWERED,
        context,
        dedupe_key=f"estimate:{estimate.pk}:answered",
    )


def estimate_covered(estimate: Estimate, *, balance: int, work_resumes: bool) -> list[OutboxEmail]:
    """Queue ``estimate_covered`` to the client users and the ticket's technicians when new
    credits covered an estimate that waited on them. Returns the outbox rows."""
    ticket = estimate.ticket
    by_pk = {user.pk: user for user in [*_clients_of(ticket), *_assignees_or_staff(ticket)]}
    context = {
        **_ticket_context(ticket),
        "estimate_kind": estimate.kind,
        "estimated_credits": estimate.credits,
        "balance": balance,
        "work_resumes": int(work_resumes),
    }
    return queue_email_to_many(
        [by_pk[pk] for pk in sorted(by_pk)],
        Kind.ESTIMATE_COVERED,
        context,
        dedupe_key=f"estimate:{estimate.pk}:covered",
    )


def out_of_scope(ticket: Ticket, *, by: User) -> list[OutboxEmail]:
    """Queue ``ticket_out_of_scope`` with the reason to the client users, in the closing
    transaction (out of scope is final, so once per ticket). Returns the outbox rows."""
    context = {
        **_ticket_context(ticket),
        "reason": ticket.out_of_scope_reason,
        "technician_name": by.get_full_name(),
    }
    return queue_email_to_many(
        _clients_of(ticket),
        Kind.TICKET_OUT_OF_SCOPE,
        context,
        dedupe_key=f"ticket:{ticket.pk}:out-of-scope",
    )


# --- The vault ------------------------------------------------------------------------


def credential_revealed(reveal: CredentialReveal, *, credential: Credential) -> list[OutboxEmail]:
    """Queue ``credential_revealed`` to the client users in the reveal's transaction: who,
    which entry, which ticket. Nothing when the organization switched these emails off;
    one a day per entry and technician (the dedupe key holds the local date)."""
    organization = reveal.organization
    if not organization.reveal_emails:
        return []
    technician, ticket = reveal.revealed_by, reveal.ticket
    day = timezone.localdate(reveal.revealed_at).isoformat()
    context = {
        "organization_name": organization.name,
        "technician_name": technician.get_full_name(),
        "technician_email": technician.email,
        "credential_label": reveal.label,
        "revealed_at": reveal.revealed_at,
        "ticket_reference": ticket.reference if ticket else None,
        "ticket_subject": ticket.subject if ticket else None,
        "ticket_url": ticket.get_absolute_url() if ticket else None,
        "access_log_url": reverse("tickets:credentials"),
    }
    return queue_email_to_many(
        organization_recipients(organization),
        Kind.CREDENTIAL_REVEALED,
        context,
        dedupe_key=f"credential_revealed:{credential.pk}:{technician.pk}:{day}",
    )


# --- The SLA sweep ----------------------------------------------------------------------


def sweep_sla(now: datetime | None = None, *, batch_size: int = SWEEP_BATCH) -> int:
    """Tell the technicians about every running ticket that reached its SLA warning time
    or its due date at ``now`` and was not told yet. Safe to run twice or at once (locked
    tickets are skipped, their sweep tells them). Returns how many notices it emailed."""
    now = now or timezone.now()
    told = 0
    while True:
        found, emailed = _sweep_batch(now, batch_size)
        told += emailed
        if found < batch_size:
            break
    if told:
        logger.info("SLA sweep: %d notices", told)
    return told


def sla_due(now: datetime):
    """Running tickets at ``now`` past their warning time that lack the warning notice,
    or past their due date that lack the breach notice.

    One range scan of the partial index ``ticket_running_warning`` (running tickets by
    warning time): a ticket past its due date is past its warning time too, since the
    warning comes first. The notices already sent are probed on their unique index.
    """
    warned = SlaNotice.objects.filter(ticket=OuterRef("pk"), kind=SlaNotice.Kind.WARNING)
    breach_told = SlaNotice.objects.filter(ticket=OuterRef("pk"), kind=SlaNotice.Kind.BREACH)
    return (
        Ticket.objects.filter(status__in=RUNNING_STATUSES, sla_warning_at__lte=now)
        .filter(~Exists(warned) | (Q(due_at__lte=now) & ~Exists(breach_told)))
        .annotate(was_warned=Exists(warned), breach_was_told=Exists(breach_told))
    )


@transaction.atomic
def _sweep_batch(now: datetime, limit: int) -> tuple[int, int]:
    """Lock up to ``limit`` due tickets (skipping those another sweep holds), write their
    notices and queue the emails. Returns (tickets found, notices emailed)."""
    tickets = list(
        sla_due(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("organization")
        .defer("description", "search_vector")
        .prefetch_related(
            Prefetch(
                "assignees",
                queryset=User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("pk"),
                to_attr="active_assignees",
            )
        )
        .order_by("sla_warning_at", "pk")[:limit]
    )
    if not tickets:
        return 0, 0
    config = calendars.current()
    admins = list(User.objects.filter(is_active=True, role=User.Role.ADMIN).order_by("pk"))
    everyone: list[User] = []
    emailed = 0
    for ticket in tickets:
        if ticket.active_assignees:
            by_pk = {user.pk: user for user in [*ticket.active_assignees, *admins]}
            recipients = [by_pk[pk] for pk in sorted(by_pk)]
        else:
            everyone = everyone or list(staff_recipients())
            recipients = everyone
        breached = ticket.due_at <= now and not ticket.breach_was_told
        if breached:
            emailed += _tell(ticket, SlaNotice.Kind.BREACH, ticket.due_at, recipients)
        if not ticket.was_warned:
            # Found already breached: the breach says it all, the warning is only recorded.
            percent = config.targets[ticket.severity].warning_percent
            emailed += _tell(
                ticket,
                SlaNotice.Kind.WARNING,
                ticket.sla_warning_at,
                [] if breached else recipients,
                percent=percent,
            )
    return len(tickets), emailed


def _tell(ticket: Ticket, kind: str, judged_on: datetime, recipients: list[User], **extra) -> int:
    """Write the notice and, if it is new, queue its emails. Returns 1 if it emailed."""
    _notice, created = SlaNotice.objects.get_or_create(
        ticket=ticket, kind=kind, defaults={"judged_on": judged_on, "emails": len(recipients)}
    )
    if not created or not recipients:
        return 0  # told by a concurrent sweep that committed meanwhile, or superseded
    context = {
        "ticket_reference": ticket.reference,
        "ticket_subject": ticket.subject,
        "ticket_url": ticket.get_absolute_url(),
        "organization_name": ticket.organization.name,
        "severity": ticket.severity,
        "due_at": ticket.due_at,
        **extra,
    }
    if kind == SlaNotice.Kind.BREACH:
        queue_ticket_event(WebhookEvent.SLA_BREACHED, ticket, due_at=ticket.due_at)
    queue_email_to_many(
        recipients, EMAIL_KIND[kind], context, dedupe_key=f"sla_{kind}:ticket:{ticket.pk}"
    )
    return 1
