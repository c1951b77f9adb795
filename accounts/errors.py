"""The named errors of the accounts app, on ``helpdesk.errors.HelpdeskError`` (a ``message``
for people and a ``code``). Importable from their old modules too
(``accounts.services.AccountError``, ``accounts.passkeys.PasskeyError``,
``accounts.passkey_views.Refused``)."""

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
