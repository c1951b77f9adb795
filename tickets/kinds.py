"""Kinds of request and channels of work: defined once, here, without models, so that the
models (their field choices) and the pure charging rules (``tickets.pricing``) share them."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class TicketKind(TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    INTERVENTION = "intervention", _("Intervention")
    SECURITY_UPDATE = "security_update", _("Security update")
    CUSTOMIZATION = "customization", _("Customization quote")


class TicketChannel(TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")
    REMOTE = "remote", _("Remote control session")


# The kinds the charging table prices (a customization is charged only by its quote).
TABLE_KINDS = (TicketKind.CONSULTATION, TicketKind.INTERVENTION, TicketKind.SECURITY_UPDATE)
# Channels whose every entry is a call, with a surcharge.
CALL_CHANNELS = frozenset({TicketChannel.PHONE, TicketChannel.VIDEO})
