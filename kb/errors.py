"""The named errors of the knowledge base, on ``helpdesk.errors.HelpdeskError``."""

from django.utils.translation import gettext_lazy as _

from helpdesk.errors import HelpdeskError


class KbError(HelpdeskError):
    """A knowledge-base action refused, with a message for people (a plain ``str``)."""

    default_message = _("This cannot be done.")

    def __init__(self, message=None):
        super().__init__(message)
        self.message = str(self.message)


class SlugTaken(KbError):
    default_message = _("Another article in this language already uses this address (slug).")


class TranslationExists(KbError):
    default_message = _("This article already has a version in that language.")
