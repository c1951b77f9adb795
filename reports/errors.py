"""The errors of the reports app: one base with a message for people."""

from django.utils.translation import gettext_lazy as _


class ReportError(Exception):
    default_message = _("The report could not be made.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class InvalidRating(ReportError):
    default_message = _("This rating link is not valid for this ticket.")
