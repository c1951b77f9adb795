"""The named errors of the tickets app. ``tickets.services`` re-exports them.

Each carries ``message``: a translated sentence a view can show as it is.
"""

from django.utils.translation import gettext_lazy as _


class TicketError(Exception):
    """A change to a ticket that the rules do not allow; nothing was written."""

    default_message = _("This change is not allowed.")

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class NotAllowed(TicketError):
    """The user may not do this to this ticket (wrong organization or role)."""

    default_message = _("You are not allowed to do this.")


class NoActiveContract(TicketError):
    """The organization has no active maintenance contract for the product.

    ``check`` is the ``tickets.selectors.ContractCheck`` that says why.
    """

    def __init__(self, check):
        self.check = check
        super().__init__(check.explanation)


class InvalidTransition(TicketError):
    """The status change is not in ``tickets.workflow.TRANSITIONS`` (or not for this role)."""

    def __init__(self, from_status, to_status, message=None):
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(message)


class TicketClosed(TicketError):
    """A public reply to a resolved, closed or out-of-scope ticket."""

    default_message = _(
        "This ticket is closed: you cannot reply to it. Reopen it if it was resolved "
        "recently, or open a new ticket."
    )


class ReopenWindowExpired(TicketError):
    """The client tried to reopen a ticket too long after its resolution or closure."""

    default_message = _(
        "This ticket was closed too long ago to be reopened. Please open a new ticket."
    )


class AttachmentRejected(TicketError):
    """An uploaded file is too big, of a type we do not accept, or looks like a program."""
