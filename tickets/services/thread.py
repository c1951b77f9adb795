"""Messages of a ticket's thread: public replies and internal notes, with attachments."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import limits, notify, search
from tickets.attachments import check_uploads
from tickets.errors import NotAllowed, TicketClosed, TicketError
from tickets.models import Message, Ticket
from tickets.services import status as status_services
from tickets.services.common import check_access, check_length, check_staff, lock, store_files
from tickets.services.transitions import check_move

Status = Ticket.Status


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise TicketError(_("Write a message."))
    return check_length(body, limits.MESSAGE_MAX_CHARS, _("message"))


@transaction.atomic
def add_reply(
    ticket: Ticket,
    *,
    author: User,
    body: str,
    attachments: tuple = (),
    status: str | None = None,
) -> Message:
    """A public reply, seen by the client and the technicians.

    A client's reply to a ticket awaiting them reopens it (the clock restarts); a
    technician's first reply moves a new ticket to "open". ``status`` (staff only) moves the
    ticket in the same transaction, e.g. to "awaiting client" after asking a question.
    The ``ticket_reply`` emails are queued in the same transaction (``tickets.notify``).

    Raises TicketClosed (finished ticket), NotAllowed, InvalidTransition,
    AttachmentRejected, TicketError (empty message).
    """
    ticket = lock(ticket)
    check_access(ticket, author)
    body = _clean_body(body)
    if ticket.is_finished:
        raise TicketClosed
    if status and not author.is_support_staff:
        raise NotAllowed
    answers_client = author.is_client and ticket.status == Status.AWAITING_CLIENT
    first_answer = author.is_support_staff and ticket.status == Status.NEW
    if status is None and (answers_client or first_answer):
        status = Status.OPEN
    if status and status != ticket.status:
        # Checked before anything is written, so a refused move writes no message.
        check_move(ticket, status, author)
    files = list(attachments)
    accepted = check_uploads(files)
    message = Message.objects.create(ticket=ticket, author=author, body=body)
    Ticket.objects.filter(pk=ticket.pk).update(
        public_message_count=F("public_message_count") + 1, last_activity_at=message.created_at
    )
    if status and status != ticket.status:
        ticket.refresh_from_db()
        status_services.change_status(ticket, status, by=author)
    search.refresh([ticket.pk])
    store_files(ticket, message, files, accepted, by=author)
    notify.reply_added(message)  # the emails commit with the reply
    return message


@transaction.atomic
def add_note(ticket: Ticket, *, author: User, body: str, attachments: tuple = ()) -> Message:
    """An internal note (technicians and admins): never shown to clients, not even counted.
    Allowed on finished tickets too.

    Raises NotAllowed, AttachmentRejected, TicketError (empty message).
    """
    check_staff(author)
    ticket = lock(ticket)
    body = _clean_body(body)
    files = list(attachments)
    accepted = check_uploads(files)
    message = Message.objects.create(ticket=ticket, author=author, body=body, is_internal=True)
    search.refresh([ticket.pk])
    store_files(ticket, message, files, accepted, by=author)
    return message
