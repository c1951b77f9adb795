"""Models of the credits app: the price list, its settings, the ledger and statements."""

from credits.models.alerts import LowBalanceAlert
from credits.models.ledger import EntryKind, Hold, LedgerEntry, Lot, Wallet
from credits.models.packs import CreditSettings, Pack
from credits.models.statements import Statement

__all__ = [
    "CreditSettings",
    "EntryKind",
    "Hold",
    "LedgerEntry",
    "Lot",
    "LowBalanceAlert",
    "Pack",
    "Statement",
    "Wallet",
]
