"""The named errors of the notifications app, on ``helpdesk.errors.HelpdeskError`` (a
``message`` and a ``code``). The modules that raise them re-export them under their old
paths (``notifications.kinds.UnknownKind``, ``notifications.delivery.PermanentFailure``...).
"""

from helpdesk.errors import HelpdeskError


# --- Queueing an email: mistakes of the calling code -----------------------------------
class NotificationError(HelpdeskError):
    """An email that cannot be queued as asked: a mistake of the calling code."""


class UnknownKind(NotificationError):
    """The kind is not in the registry."""


class InvalidContext(NotificationError):
    """A context key is missing, unknown, or of the wrong type."""


class UnknownLanguage(NotificationError):
    """The recipient's language is not one the site speaks."""


class UnknownAttachment(NotificationError):
    """No builder is registered under that name, or its params are not plain JSON."""


# --- Sending an email --------------------------------------------------------------------
class TemporaryFailure(HelpdeskError):
    """Raised by an attachment builder when the file cannot be built now but may be later."""


class PermanentFailure(HelpdeskError):
    """This email can never be sent as it is; the reason is shown in admin."""


class TransientFailure(HelpdeskError):
    """This email could not be sent now; it is retried later."""


# --- Webhooks ----------------------------------------------------------------------------
class WebhookError(HelpdeskError):
    """An endpoint the rules refuse (bad URL, private address, unknown event)."""
