"""The email channel's entry point (public API, see SPEC "The email channel").

``receive_email(raw)`` handles one RFC 5322 message, whichever way it arrived (IMAP
polling or a provider's inbound webhook): a new ticket, a reply appended, a duplicate,
ignored automatic mail, or a rejection with one polite answer. The decisions live in
``mailchannel.services.receive``, which calls this app's services (``open_ticket``,
``add_reply``, ``reopen``).
"""

from dataclasses import dataclass

from tickets.models import Ticket


@dataclass(frozen=True)
class Received:
    """What became of one inbound message."""

    outcome: str  # "created", "appended", "duplicate", "ignored" or "rejected"
    ticket: Ticket | None
    reason: str  # a short text for people


def receive_email(raw: bytes) -> Received:
    """Handle one inbound message; safe to call again with the same message.

    Raises TypeError (``raw`` is not bytes). An unexpected error is kept on the stored
    message for an admin to retry, and raised.
    """
    from mailchannel.services import receive  # the channel app builds on tickets

    result = receive(raw)
    return Received(outcome=str(result.outcome), ticket=result.ticket, reason=result.reason)
