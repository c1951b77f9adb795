from django.utils.translation import gettext_lazy as _


class KbError(Exception):
    """A knowledge-base action refused, with a message for people."""

    default_message = _("This cannot be done.")

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class SlugTaken(KbError):
    default_message = _("Another article in this language already uses this address (slug).")


class TranslationExists(KbError):
    default_message = _("This article already has a version in that language.")
