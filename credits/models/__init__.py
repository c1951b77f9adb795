"""Models of the credits app: the price list, its settings, the ledger and statements."""

from .alerts import LowBalanceAlert
from .ledger import EntryKind, Hold, LedgerEntry, Lot, Wallet
from .packs import CreditSettings, Pack
from .statements import Statement

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
