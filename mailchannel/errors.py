"""The named errors of the email channel, on ``helpdesk.errors.HelpdeskError``. They are
importable from their old modules too (``mailchannel.services.MailboxError``,
``mailchannel.dmarc.DnsUnavailable``)."""

from helpdesk.errors import HelpdeskError


class MailchannelError(HelpdeskError):
    """Mail that cannot be fetched or checked now."""


class MailboxError(MailchannelError):
    """The mailbox cannot be read (login refused, host down, folder missing)."""


class DnsUnavailable(MailchannelError):
    """The DNS did not answer (timeout, server failure)."""
