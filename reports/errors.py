"""The errors of the reports app, on ``helpdesk.errors.HelpdeskError`` (a message for
people and a code)."""

from django.utils.translation import gettext_lazy as _

from helpdesk.errors import HelpdeskError


class ReportError(HelpdeskError):
    """A report or a rating the rules refuse."""

    default_message = _("The report could not be made.")


class InvalidRating(ReportError):
    default_message = _("This rating link is not valid for this ticket.")
