"""The statuses a ticket may move between: the one table, enforced by ``tickets.services``.

Plain data and functions, no database. Staff may make every move of ``TRANSITIONS``;
clients only the moves of ``CLIENT_TRANSITIONS`` (close, reopen, and the automatic move
back to "open" when they answer a ticket that awaited them).
"""

from tickets.models import Ticket

S = Ticket.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset(
        {
            S.OPEN,
            S.IN_PROGRESS,
            S.AWAITING_CLIENT,
            S.AWAITING_CREDITS,
            S.AWAITING_ACCEPTANCE,
            S.RESOLVED,
            S.CLOSED,
            S.OUT_OF_SCOPE,
        }
    ),
    S.OPEN: frozenset(
        {
            S.IN_PROGRESS,
            S.AWAITING_CLIENT,
            S.AWAITING_CREDITS,
            S.AWAITING_ACCEPTANCE,
            S.RESOLVED,
            S.CLOSED,
            S.OUT_OF_SCOPE,
        }
    ),
    S.IN_PROGRESS: frozenset(
        {
            S.OPEN,
            S.AWAITING_CLIENT,
            S.AWAITING_CREDITS,
            S.AWAITING_ACCEPTANCE,
            S.RESOLVED,
            S.CLOSED,
            S.OUT_OF_SCOPE,
        }
    ),
    # An estimate may be sent while the client is awaited (it then waits on the estimate).
    S.AWAITING_CLIENT: frozenset(
        {
            S.OPEN,
            S.IN_PROGRESS,
            S.AWAITING_CREDITS,
            S.AWAITING_ACCEPTANCE,
            S.RESOLVED,
            S.CLOSED,
            S.OUT_OF_SCOPE,
        }
    ),
    # Leaves when the client accepts the estimate after recharging (→ in progress), declines
    # it (→ open), a smaller estimate fits the balance (→ awaiting acceptance), or gives up.
    S.AWAITING_CREDITS: frozenset(
        {S.OPEN, S.IN_PROGRESS, S.AWAITING_ACCEPTANCE, S.CLOSED, S.OUT_OF_SCOPE}
    ),
    # Leaves when the client accepts (work starts), declines, or needs credits first.
    S.AWAITING_ACCEPTANCE: frozenset(
        {S.OPEN, S.IN_PROGRESS, S.AWAITING_CREDITS, S.CLOSED, S.OUT_OF_SCOPE}
    ),
    S.RESOLVED: frozenset({S.CLOSED, S.OPEN}),
    S.CLOSED: frozenset({S.OPEN}),
    S.OUT_OF_SCOPE: frozenset(),
}

# What a client may do (every move here is also in TRANSITIONS).
CLIENT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.CLOSED}),
    S.OPEN: frozenset({S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.CLOSED}),
    S.AWAITING_CLIENT: frozenset({S.OPEN, S.CLOSED}),
    S.AWAITING_CREDITS: frozenset({S.CLOSED}),
    S.AWAITING_ACCEPTANCE: frozenset({S.CLOSED}),
    S.RESOLVED: frozenset({S.CLOSED, S.OPEN}),
    S.CLOSED: frozenset({S.OPEN}),
    S.OUT_OF_SCOPE: frozenset(),
}


def allowed_targets(status: str, *, staff: bool) -> frozenset[str]:
    """The statuses a ticket in ``status`` may move to, for staff or for its client."""
    table = TRANSITIONS if staff else CLIENT_TRANSITIONS
    return table.get(status, frozenset())


def can_move(status: str, to: str, *, staff: bool) -> bool:
    return to in allowed_targets(status, staff=staff)
