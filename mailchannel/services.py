"""Every write of the email channel. ``receive`` decides what one inbound message becomes
(``tickets.inbound.receive_email`` is its public entry point) and calls the tickets
services to do it: ``open_ticket``, ``add_reply``, ``reopen``.

"Stored once" is the unique ``InboundEmail.message_key``: a second worker inserting the
same Message-ID waits on the index until the first commits, then finds its row and
answers "duplicate". A message that fails for an unexpected reason is kept (outcome
"failed", with the reason) for an admin to retry from Django admin.
"""

import logging
import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mailchannel import notify, parsing
from mailchannel.errors import MailboxError  # noqa: F401 - its old import path
from mailchannel.models import AllowedSender, AutoAnswer, InboundEmail, Mailbox
from notifications.models import OutboxEmail
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.attachments import check_upload
from tickets.errors import AttachmentRejected, NoActiveContract, TicketError
from tickets.models import Ticket

logger = logging.getLogger(__name__)

Outcome = InboundEmail.Outcome
OUTBOX_ID_RE = re.compile(r"^outbox\.(\d{1,18})\.")
TICKET_ID_RE = re.compile(r"^ticket\.(T-\d{4}-\d{5})@")


@dataclass(frozen=True)
class Result:
    outcome: str
    ticket: Ticket | None
    reason: str


# --- Helpers ------------------------------------------------------------------------------


def own_addresses() -> set[str]:
    """Our own addresses: mail from them is a loop, never a client."""
    addresses = {
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(),
        parseaddr(settings.SERVER_EMAIL)[1].lower(),
        parseaddr(getattr(settings, "SUPPORT_REPLY_TO_EMAIL", ""))[1].lower(),
        *(a.lower() for a in getattr(settings, "INBOUND_OWN_ADDRESSES", ())),
    }
    addresses |= {u.lower() for u in Mailbox.objects.values_list("username", flat=True) if "@" in u}
    return addresses - {""}


def _sender_user(address: str) -> User | None:
    """The active user of that address, or the client user of an allowed contact (made on
    its first email, without a password: they follow the ticket by email)."""
    user = User.objects.filter(email__iexact=address, is_active=True).first()
    if user is not None or User.objects.filter(email__iexact=address).exists():
        return user
    allowed = AllowedSender.objects.filter(email=address).select_related("organization").first()
    if allowed is None:
        return None
    user = User.objects.create_user(
        address, None, role=User.Role.CLIENT, organization=allowed.organization
    )
    return user


def _thread_ticket(parsed: parsing.ParsedEmail) -> Ticket | None:
    """The ticket this message answers: by In-Reply-To/References first, then by the
    ``[T-YYYY-NNNNN]`` reference in the subject."""
    references = []
    outbox_ids = []
    for message_id in parsed.in_reply_to:
        if match := OUTBOX_ID_RE.match(message_id):
            outbox_ids.append(int(match.group(1)))
        elif match := TICKET_ID_RE.match(message_id):
            references.append(match.group(1))
    if outbox_ids:
        for context in OutboxEmail.objects.filter(pk__in=outbox_ids).values_list(
            "context", flat=True
        ):
            if isinstance(context, dict) and context.get("ticket_reference"):
                references.append(str(context["ticket_reference"]))
    for reference in references:
        if ticket := Ticket.objects.filter(reference=reference).first():
            return ticket
    if parsed.in_reply_to:
        earlier = (
            InboundEmail.objects.filter(
                message_key__in=parsed.in_reply_to[:50], ticket__isnull=False
            )
            .select_related("ticket")
            .first()
        )
        if earlier is not None:
            return earlier.ticket
    if parsed.reference:
        return Ticket.objects.filter(reference=parsed.reference).first()
    return None


def _may_see(ticket: Ticket, user: User | None) -> bool:
    if user is None or not user.is_active:
        return False
    if user.is_support_staff:
        return True
    if not (user.is_client and user.organization_id == ticket.organization_id):
        return False
    # Issue 19: a member sees the tickets they requested, all when the organization lets
    # them (the rule of tickets_visible_to, from accounts.permissions).
    from accounts.permissions import sees_all_org_tickets

    return sees_all_org_tickets(user) or ticket.requester_id == user.pk


def _files(parsed: parsing.ParsedEmail) -> tuple[list, list[str]]:
    """The files that pass the portal's checks, and a line per refused one with why."""
    accepted, refused = [], []
    for part in parsed.attachments:
        upload = SimpleUploadedFile(part.name, part.content, content_type=part.content_type)
        if len(accepted) >= settings.TICKET_ATTACHMENT_MAX_FILES:
            refused.append(
                _("“%(name)s”: at most %(count)d files per message.")
                % {"name": part.name, "count": settings.TICKET_ATTACHMENT_MAX_FILES}
            )
            continue
        try:
            check_upload(upload)
        except AttachmentRejected as exc:
            refused.append(str(exc.message))
        else:
            accepted.append(upload)
    return accepted, refused


def _body(parsed: parsing.ParsedEmail, refused: list[str], *, follows: Ticket | None = None):
    from tickets import limits

    body = parsed.text or parsed.full_text or _("(The email had no text.)")
    if follows is not None:
        body = (
            _("Follow-up of ticket %(reference)s, closed more than %(days)d days ago.")
            % {"reference": follows.reference, "days": settings.TICKET_REOPEN_DAYS}
            + "\n\n"
            + body
        )
    if refused:
        body += (
            "\n\n" + _("Attachments not accepted:") + "\n" + "\n".join(f"- {r}" for r in refused)
        )
    return body[: limits.MESSAGE_MAX_CHARS]


def _answer(address: str, reason: str, *, subject: str) -> bool:
    """One polite automatic answer, at most ``INBOUND_AUTO_ANSWERS_PER_DAY`` a day per
    address. Returns whether one was queued."""
    if not address or address in own_addresses():
        return False
    day = timezone.localdate()
    counter, _created = AutoAnswer.objects.get_or_create(email=address, day=day)
    updated = AutoAnswer.objects.filter(
        pk=counter.pk, count__lt=settings.INBOUND_AUTO_ANSWERS_PER_DAY
    ).update(count=F("count") + 1)
    if not updated:
        return False
    notify.inbound_rejected(address, reason=reason, subject=subject)
    return True


# --- Deciding -------------------------------------------------------------------------


def _reject(record, parsed, reason, *, answer=True, ticket=None) -> Result:
    if answer:
        _answer(parsed.sender, reason, subject=parsed.subject)
    return _finish(record, Outcome.REJECTED, reason, ticket=ticket)


def _finish(record, outcome, reason, *, ticket=None, message=None, follows=None) -> Result:
    record.outcome = outcome
    record.reason = str(reason)[:500]
    record.ticket = ticket
    record.message = message
    record.follows = follows
    record.processed_at = timezone.now()
    record.save()
    return Result(outcome, ticket, record.reason)


def _names(text: str, name: str) -> bool:
    """Whether ``text`` names the product ``name`` as a whole word (without case)."""
    return re.search(rf"(?<!\w){re.escape(name.strip())}(?!\w)", text, re.IGNORECASE) is not None


def _product(parsed: parsing.ParsedEmail, products: list) -> tuple:
    """The product the ticket is about, and whether a technician must confirm it: the only
    one under contract; else the only one the subject or text names; else the first by
    name, to confirm."""
    if len(products) == 1:
        return products[0], False
    text = f"{parsed.subject}\n{parsed.text or parsed.full_text}"
    named = [p for p in products if p.name.strip() and _names(text, p.name)]
    # "Tienda Pro" names Tienda Pro, not also Tienda.
    named = [p for p in named if not any(o is not p and _names(o.name, p.name) for o in named)]
    if len(named) == 1:
        return named[0], False
    return products[0], True


def _open(record, parsed, sender: User, *, follows: Ticket | None = None) -> Result:
    organization = sender.organization
    checks = [c for c in ticket_selectors.contract_overview(organization) if c.ok]
    if not checks:
        overview = ticket_selectors.contract_overview(organization)
        reason = (
            overview[0].explanation
            if overview
            else _("Your organization has no active maintenance contract.")
        )
        return _reject(record, parsed, reason)
    product, to_confirm = _product(parsed, [c.product for c in checks])
    files, refused = _files(parsed)
    subject = (parsed.subject or _("(no subject)"))[:200]
    try:
        ticket = ticket_services.open_ticket(
            sender,
            product,
            kind=Ticket.Kind.CONSULTATION,
            severity=Ticket.Severity.MINOR,
            subject=subject,
            description=_body(parsed, refused, follows=follows),
            channel=Ticket.Channel.EMAIL,
            attachments=tuple(files),
            product_to_confirm=to_confirm,
        )
    except NoActiveContract as exc:
        return _reject(record, parsed, exc.message)
    reason = _("Ticket %(reference)s opened.") % {"reference": ticket.reference}
    if to_confirm:
        reason += " " + _("Several products are covered: a technician confirms the product.")
    return _finish(record, Outcome.CREATED, reason, ticket=ticket, follows=follows)


def _append(record, parsed, ticket: Ticket, sender: User) -> Result:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.is_finished:
        deadline = ticket_services.reopen_deadline(ticket)
        if ticket.status == Ticket.Status.OUT_OF_SCOPE or (
            deadline is not None and timezone.now() > deadline
        ):
            if sender.is_client:
                return _open(record, parsed, sender, follows=ticket)
            if ticket.status == Ticket.Status.OUT_OF_SCOPE:
                return _finish(record, Outcome.REJECTED, _("The ticket is closed."))
        try:
            ticket = ticket_services.reopen(ticket, by=sender)
        except TicketError:
            if not sender.is_client:
                raise
            return _open(record, parsed, sender, follows=ticket)
    files, refused = _files(parsed)
    message = ticket_services.add_reply(
        ticket, author=sender, body=_body(parsed, refused), attachments=tuple(files)
    )
    reason = _("Reply added to %(reference)s.") % {"reference": ticket.reference}
    return _finish(record, Outcome.APPENDED, reason, ticket=ticket, message=message)


def _dkim_forged(record: InboundEmail, parsed: parsing.ParsedEmail) -> str:
    """Without a trusted Authentication-Results, our own DKIM/DMARC check of mail From a
    user's (or allowed contact's) address; "" when not forged or not checked."""
    if settings.INBOUND_AUTHSERV_ID or not getattr(settings, "INBOUND_VERIFY_DKIM", False):
        return ""
    known = (
        User.objects.filter(email__iexact=parsed.sender).exists()
        or AllowedSender.objects.filter(email=parsed.sender).exists()
    )
    if not known or record.size > settings.INBOUND_EMAIL_MAX_BYTES:
        return ""
    from mailchannel import dmarc

    return dmarc.forged(bytes(record.raw), parsed.sender)


def _decide(record: InboundEmail, parsed: parsing.ParsedEmail) -> Result:
    if parsed.automatic:
        return _finish(record, Outcome.IGNORED, _("Automatic mail (%s).") % parsed.automatic)
    if not parsed.sender:
        return _reject(record, parsed, _("The email has no readable sender."), answer=False)
    if parsed.sender in own_addresses():
        return _finish(record, Outcome.IGNORED, _("Mail from our own address."))
    if why := parsing.forged(parsed, settings.INBOUND_AUTHSERV_ID):
        # No answer: it would go to the person whose address was forged.
        return _reject(
            record, parsed, _("The sender's address is forged (%s).") % why, answer=False
        )
    if why := _dkim_forged(record, parsed):
        return _reject(
            record, parsed, _("The sender's address is forged (%s).") % why, answer=False
        )
    if record.size > settings.INBOUND_EMAIL_MAX_BYTES:
        from django.template.defaultfilters import filesizeformat

        return _reject(
            record,
            parsed,
            _("Your email is too big (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(record.size),
                "limit": filesizeformat(settings.INBOUND_EMAIL_MAX_BYTES),
            },
        )
    sender = _sender_user(parsed.sender)
    ticket = _thread_ticket(parsed)
    if ticket is not None:
        if _may_see(ticket, sender):
            return _append(record, parsed, ticket, sender)
        if (
            sender is not None
            and sender.is_client
            and sender.organization_id == ticket.organization_id
        ):
            return _reject(
                record,
                parsed,
                _(
                    "Ticket %(reference)s is not one of the tickets you follow. Ask your "
                    "organization's manager, or write a new email to open a ticket."
                )
                % {"reference": ticket.reference},
            )
        if sender is not None and sender.is_client:
            return _reject(
                record,
                parsed,
                _("Ticket %(reference)s is not one of your organization's tickets.")
                % {"reference": ticket.reference},
            )
    if sender is None or not sender.is_active:
        return _reject(
            record,
            parsed,
            _("We do not know this address; write from the address of your user."),
        )
    if not (sender.is_client and sender.organization_id):
        return _reject(
            record,
            parsed,
            _("Staff reply by email to a ticket's email; new tickets come from clients."),
        )
    return _open(record, parsed, sender)


def _claim(parsed: parsing.ParsedEmail, raw: bytes, *, source: str, mailbox) -> tuple:
    """The message's row, locked: (row, True) when it must be processed now, (row, False)
    when it was already stored and handled (a duplicate)."""
    defaults = {
        "raw": raw,
        "size": len(raw),
        "source": source,
        "mailbox": mailbox,
        "sender": parsed.sender[:254],
        "subject": parsed.subject,
        "outcome": Outcome.FAILED,
        "reason": _("Being processed."),
    }
    try:
        with transaction.atomic():
            record, created = InboundEmail.objects.get_or_create(
                message_key=parsed.message_key, defaults=defaults
            )
    except IntegrityError:  # a concurrent twin committed first
        record, created = InboundEmail.objects.get(message_key=parsed.message_key), False
    if created:
        return record, True
    record = InboundEmail.objects.select_for_update().get(pk=record.pk)
    return record, record.outcome == Outcome.FAILED


def receive(raw: bytes, *, source: str = InboundEmail.Source.DIRECT, mailbox=None) -> Result:
    """Handle one RFC 5322 message (see the module docstring). Safe to call again.

    Raises nothing for bad mail (it is ignored or rejected); an unexpected error is stored
    on the message (outcome "failed") and re-raised.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError("receive_email takes the raw message as bytes")
    raw = bytes(raw)
    parsed = parsing.parse(raw)
    try:
        with transaction.atomic():
            record, fresh = _claim(parsed, raw, source=source, mailbox=mailbox)
            if not fresh:
                return Result(Outcome.DUPLICATE, record.ticket, _("Already received."))
            record.attempts += 1
            return _decide(record, parsed)
    except Exception as exc:
        logger.exception("inbound email %s failed", parsed.message_key)
        fields = {
            "source": source,
            "mailbox": mailbox,
            "sender": parsed.sender[:254],
            "subject": parsed.subject,
            "outcome": Outcome.FAILED,
            "reason": f"{type(exc).__name__}: {exc}"[:500],
        }
        updated = InboundEmail.objects.filter(message_key=parsed.message_key).update(
            attempts=F("attempts") + 1, **fields
        )
        if not updated:
            try:
                with transaction.atomic():
                    InboundEmail.objects.create(
                        message_key=parsed.message_key,
                        raw=raw,
                        size=len(raw),
                        attempts=1,
                        **fields,
                    )
            except IntegrityError:  # a concurrent twin stored it meanwhile: it is kept
                pass
        raise


def retry(record: InboundEmail) -> Result:
    """Process a failed message again (admin action). Raises like ``receive``."""
    return receive(bytes(record.raw), source=record.source, mailbox=record.mailbox)
