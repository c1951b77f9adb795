"""Kept for the old import path: the credits errors live in ``credits.errors``."""

from credits.errors import (
    CreditsError,
    IdempotencyConflict,
    InsufficientCredits,
    InvalidCredits,
    InvalidHold,
    InvalidRequest,
    UnknownOrganization,
)

__all__ = [
    "CreditsError",
    "IdempotencyConflict",
    "InsufficientCredits",
    "InvalidCredits",
    "InvalidHold",
    "InvalidRequest",
    "UnknownOrganization",
]
