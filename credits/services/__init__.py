"""Every write of the credits app. Import from here: ``credits.services.consume``.

- ledger: ``grant``, ``consume`` (``consume_within``, ``lock_wallet``), ``adjust``,
  ``refund_lot``, ``expire_lots``
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
from credits.services.ledger import (
    WalletLock,
    adjust,
    consume,
    consume_within,
    expire_lots,
    grant,
    lock_wallet,
    refund_lot,
)
from credits.services.statements import build_statement, inline_limit, request_statement

__all__ = [
    "CreditsError",
    "IdempotencyConflict",
    "InsufficientCredits",
    "InvalidCredits",
    "InvalidHold",
    "InvalidRequest",
    "UnknownOrganization",
    "WalletLock",
    "adjust",
    "build_statement",
    "consume",
    "consume_within",
    "expire_lots",
    "grant",
    "hold",
    "inline_limit",
    "lock_wallet",
    "refund_lot",
    "release_hold",
    "request_statement",
]
