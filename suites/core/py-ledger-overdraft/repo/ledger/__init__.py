"""In-memory bank ledger."""
from .account import Account
from .errors import (
    AccountFrozen,
    DuplicateAccount,
    InsufficientFunds,
    InvalidAmount,
    InvalidTransfer,
    LedgerError,
    UnknownAccount,
)
from .ledger import Ledger
from .statement import format_statement

__all__ = [
    "Account",
    "AccountFrozen",
    "DuplicateAccount",
    "InsufficientFunds",
    "InvalidAmount",
    "InvalidTransfer",
    "Ledger",
    "LedgerError",
    "UnknownAccount",
    "format_statement",
]
