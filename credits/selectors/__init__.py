"""Every read of the credits app that is more than a ``get()``.

``credits.selectors.balance(organization, at=None)`` is the spendable balance (an int).
"""

from credits.selectors.balances import (
    BalanceSummary,
    available_and_held,
    balance,
    balance_summary,
    card_summary,
    organizations_with_credits,
)
from credits.selectors.integrity import ledger_mismatches
from credits.selectors.lists import (
    lots_of,
    movements_of,
    period_bounds,
    statements_of,
    statements_visible_to,
)
from credits.selectors.pricing import (
    credit_settings,
    has_registration_lot,
    pack_expiry,
    packs_for,
    registration_expiry,
    vat_rate,
)
from credits.selectors.statements import StatementData, movement_count, statement_data

__all__ = [
    "BalanceSummary",
    "StatementData",
    "available_and_held",
    "balance",
    "balance_summary",
    "card_summary",
    "credit_settings",
    "has_registration_lot",
    "ledger_mismatches",
    "lots_of",
    "movement_count",
    "movements_of",
    "organizations_with_credits",
    "pack_expiry",
    "packs_for",
    "period_bounds",
    "registration_expiry",
    "statement_data",
    "statements_of",
    "statements_visible_to",
    "vat_rate",
]
