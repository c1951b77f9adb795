"""The base of every app's named errors (``<app>/errors.py``).

A named error says what the rules refused, with ``message``: a translated sentence a view,
a form or the API shows as it is (the class's ``default_message`` when none is given), and
``code``: the class name in snake case (``InsufficientCredits`` → ``insufficient_credits``),
which the API puts beside the message. Raising one means nothing was written.
"""

import re

from django.utils.translation import gettext_lazy as _


def snake_case(name: str) -> str:
    """``InsufficientCredits`` → ``insufficient_credits``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class HelpdeskError(Exception):
    """An action the rules do not allow; nothing was written."""

    default_message = _("This cannot be done.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))

    @property
    def code(self) -> str:
        return snake_case(type(self).__name__)


class BackupError(HelpdeskError):
    """A backup or restore that cannot go on; the message says why and what to do
    (``helpdesk.backups``, which re-exports it)."""
