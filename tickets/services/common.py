"""Helpers shared by the ticket services (not part of the public API)."""

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.attachments import AcceptedFile
from tickets.errors import NotAllowed, TicketError
from tickets.models import Attachment, Message, Ticket


def lock(ticket: Ticket, *, organization: bool = False, scope=None, annotations=None) -> Ticket:
    """The ticket's row, locked until the end of the transaction, freshly read
    (``organization``: with its organization, read in the same query, not locked).
    ``scope``: the tickets the acting user may see (``selectors.tickets_visible_to``), the
    row read through it (Ticket.DoesNotExist when it is not there); ``annotations``: more
    values read in the same query (subqueries of the ticket's rows)."""
    tickets = Ticket.objects.all() if scope is None else scope
    if annotations:
        tickets = tickets.annotate(**annotations)
    if organization:
        tickets = tickets.select_related("organization").select_for_update(of=("self",))
    else:
        tickets = tickets.select_for_update()
    return tickets.get(pk=ticket.pk)


def check_access(ticket: Ticket, user: User) -> None:
    """Raises NotAllowed unless ``user`` is staff or a user of the ticket's organization."""
    if not user.is_active:
        raise NotAllowed
    if user.is_support_staff:
        return
    if not user.is_client or user.organization_id != ticket.organization_id:
        raise NotAllowed


def check_length(text: str, limit: int, what: str) -> str:
    """``text`` if it has at most ``limit`` characters. Raises TicketError (too long)."""
    if len(text) > limit:
        raise TicketError(
            _("The %(what)s is too long: at most %(limit)s characters (it has %(length)s).")
            % {"what": what, "limit": f"{limit:n}", "length": f"{len(text):n}"}
        )
    return text


def check_staff(user: User) -> None:
    """Raises NotAllowed unless ``user`` is an active technician or admin."""
    if not (user.is_active and user.is_support_staff):
        raise NotAllowed


def store_files(
    ticket: Ticket,
    message: Message | None,
    files: list[UploadedFile],
    accepted: list[AcceptedFile],
    *,
    by: User,
) -> list[Attachment]:
    """Write already-checked files to private storage with their rows.

    Called last in a service, so that a rule that fails earlier writes no file. If one
    write fails, the files written so far are removed.
    """
    stored: list[Attachment] = []
    try:
        for uploaded, info in zip(files, accepted, strict=True):
            attachment = Attachment(
                ticket=ticket,
                message=message,
                name=info.name,
                size=info.size,
                content_type=info.content_type,
                uploaded_by=by,
            )
            uploaded.seek(0)
            attachment.file.save(info.name, uploaded, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored
