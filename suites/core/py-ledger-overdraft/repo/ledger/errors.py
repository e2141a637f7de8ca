class LedgerError(Exception):
    """Base class of every ledger error."""


class InvalidAmount(LedgerError):
    pass


class UnknownAccount(LedgerError):
    def __init__(self, account_id):
        super().__init__(f"unknown account {account_id!r}")
        self.account_id = account_id


class DuplicateAccount(LedgerError):
    def __init__(self, account_id):
        super().__init__(f"account {account_id!r} already exists")
        self.account_id = account_id


class AccountFrozen(LedgerError):
    def __init__(self, account_id):
        super().__init__(f"account {account_id!r} is frozen")
        self.account_id = account_id


class InsufficientFunds(LedgerError):
    def __init__(self, account_id, requested, available):
        super().__init__(
            f"account {account_id!r} cannot pay {requested} (balance {available})"
        )
        self.account_id = account_id
        self.requested = requested
        self.available = available


class InvalidTransfer(LedgerError):
    pass
