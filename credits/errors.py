"""The named errors of the credits app. Each carries a ``message`` for the user and a
``code`` (``helpdesk.errors.HelpdeskError``). ``credits.services`` re-exports them."""

from django.utils.translation import gettext_lazy as _

from helpdesk.errors import HelpdeskError


class CreditsError(HelpdeskError):
    """A credit operation that the rules do not allow. Nothing was written."""

    default_message = _("This credit operation is not allowed.")


class InvalidCredits(CreditsError, ValueError):
    """Credits must be a whole number above zero (non-zero for adjustments)."""

    default_message = _("Credits must be a whole number greater than zero.")


class InvalidRequest(CreditsError, ValueError):
    """A missing reason or key, an unknown kind, a past expiry date, a bad reference."""


class UnknownOrganization(CreditsError):
    """The organization is not saved in the database."""

    default_message = _("Unknown organization.")


class IdempotencyConflict(CreditsError):
    """The idempotency key was already used for a different operation."""

    default_message = _(
        "This idempotency key was already used for a different amount, kind or organization."
    )


class InvalidHold(CreditsError):
    """The hold belongs to another organization or is no longer open."""

    default_message = _("This hold is not open for this organization.")


class InsufficientCredits(CreditsError):
    """Fewer spendable credits than requested; ``available`` and ``requested`` say how many."""

    def __init__(self, *, requested: int, available: int):
        self.requested = requested
        self.available = available
        super().__init__(
            _("Not enough credits: %(requested)s requested, %(available)s available.")
            % {"requested": requested, "available": available}
        )
