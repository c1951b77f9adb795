"""Every write of the credits app. Import from here: ``credits.services.consume``.

- ledger: ``grant``, ``consume``, ``adjust``, ``refund_lot``, ``expire_lots``
- holds: ``hold``, ``release_hold``
- statements: ``request_statement``, ``build_statement``
- errors: ``CreditsError`` and its named subclasses (``InsufficientCredits``...)
"""

from credits.errors import (
    CreditsError,
    IdempotencyConflict,
    InsufficientCredits,
    InvalidCredits,
    InvalidHold,
    InvalidRequest,
    UnknownOrganization,
)
from credits.services.holds import hold, release_hold
from credits.services.ledger import adjust, consume, expire_lots, grant, refund_lot
from credits.services.statements import build_statement, inline_limit, request_statement

__all__ = [
    "CreditsError",
    "IdempotencyConflict",
    "InsufficientCredits",
    "InvalidCredits",
    "InvalidHold",
    "InvalidRequest",
    "UnknownOrganization",
    "adjust",
    "build_statement",
    "consume",
    "expire_lots",
    "grant",
    "hold",
    "inline_limit",
    "refund_lot",
    "release_hold",
    "request_statement",
]
