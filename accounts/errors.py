"""The named errors of the accounts app, on ``helpdesk.errors.HelpdeskError`` (a ``message``
for people and a ``code``). Importable from their old modules too
(``accounts.services.AccountError``, ``accounts.passkeys.PasskeyError``,
``accounts.passkey_views.Refused``, ``accounts.invitations.InvitationError``,
``accounts.approvals.ApprovalError``, ``accounts.people.PeopleError``)."""

from helpdesk.errors import HelpdeskError


class AccountError(HelpdeskError):
    """A change to a user or organization that the rules do not allow."""


class PasskeyError(AccountError):
    """A passkey that cannot be added, named or removed."""


class Refused(AccountError):
    """A passkey ceremony refused; ``status`` is the HTTP status of the JSON answer."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class InvitationError(AccountError):
    """An invitation that cannot be made, or a link that no longer works."""


class InvitationNotFound(InvitationError):
    """No invitation has this token."""


class ApprovalError(AccountError):
    """An approval that cannot be requested or decided as asked."""


class AlreadyDecided(ApprovalError):
    """Someone decided this approval first; the message says who, when and how."""


class BadLink(ApprovalError):
    """A decision link that is forged, expired, or not the reader's."""


class PeopleError(AccountError):
    """A change to the organization's people that the rules do not allow."""
