"""The named errors of the tickets app. ``tickets.services`` re-exports them.

Each carries ``message``: a translated sentence a view can show as it is.
"""

from django.utils.translation import gettext_lazy as _

from helpdesk.errors import HelpdeskError


class TicketError(HelpdeskError):
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


# --- Time, charging, estimates (issue 5) ----------------------------------------------


class InvalidTimeEntry(TicketError):
    """Minutes that are not a whole number above zero, a date in the future, a bad channel."""

    default_message = _("Minutes must be a whole number greater than zero.")


class WorkLocked(TicketError):
    """Time logged, edited or deleted on a finished ticket, or an entry already charged."""

    default_message = _(
        "This ticket is resolved or closed: its time entries can no longer be changed."
    )


class BackupNotConfirmed(TicketError):
    """A security update resolved before the backup of code and database was ticked."""

    default_message = _(
        "Tick the backup of the code and of the database in the security update checklist "
        "before resolving."
    )


class QuoteRequired(TicketError):
    """Customization, or a security update that needs a quote, without an accepted quote."""

    default_message = _(
        "This work is charged only by a quote the client has accepted. Send a quote, or "
        "resolve it as goodwill (no charge)."
    )


class ChargeChanged(TicketError):
    """The charge differs from the one the technician confirmed (time was logged since)."""

    default_message = _(
        "The charge has changed since you opened this page (time was logged or edited). "
        "Check the new breakdown and confirm again."
    )


class ChargeExceedsBalance(TicketError):
    """The charge is more than the client's spendable credits plus those held for the
    ticket: never charged without the client's agreement. ``needed``, ``available``."""

    def __init__(self, *, needed: int, available: int, has_estimate: bool = False):
        self.needed = needed
        self.available = available
        self.has_estimate = has_estimate
        super().__init__(
            _(
                "The charge (%(needed)s credits) is more than the client has available "
                "(%(available)s credits, including those held for this ticket). We never "
                "charge beyond the balance without the client's agreement: charge at most "
                "the accepted estimate, resolve it as goodwill (no charge), or ask the "
                "client for credits (the ticket waits in “awaiting credits”)."
            )
            % {"needed": needed, "available": available}
        )


class EstimateNotPending(TicketError):
    """The estimate or quote was already answered, replaced or withdrawn."""

    default_message = _("This estimate has already been answered or replaced.")


class NotEnoughCredits(TicketError):
    """The client accepts an estimate larger than their available credits: ``missing``."""

    def __init__(self, *, missing: int):
        self.missing = missing
        super().__init__(
            _(
                "Your available balance does not cover this estimate: buy at least "
                "%(missing)s more credits, then accept it."
            )
            % {"missing": missing}
        )


class ChargeNeedsApproval(TicketError):
    """The charge would take the ticket's requester (a member) beyond their monthly credit
    limit: nothing is charged until a manager approves it (``tickets.services.approvals``).
    ``credits``, ``spent``, ``limit``; ``request`` asks for the approval (after the failed
    resolve rolled back) and says how it stands in ``message``."""

    def __init__(self, *, ticket, member, by, mode, number, credits, spent, limit):
        self.ticket, self.member, self.by, self.mode = ticket, member, by, mode
        self.number, self.credits, self.spent, self.limit = number, credits, spent, limit
        super().__init__(
            _(
                "Not resolved, nothing charged: %(credits)s credits would take %(member)s "
                "beyond their monthly limit of %(limit)s credits (%(spent)s spent this "
                "month). A manager of the organization has been asked to approve it; the "
                "ticket is resolved and charged when they do."
            )
            % {
                "credits": credits,
                "member": member.get_full_name(),
                "limit": limit,
                "spent": spent,
            }
        )


class VaultError(HelpdeskError):
    """The vault cannot encrypt or decrypt: no key, a bad key, or a token of another key."""

    default_message = _(
        "The access data cannot be opened: the vault key is missing or wrong. Tell an admin."
    )

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))
