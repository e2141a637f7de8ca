from decimal import Decimal

from .errors import AccountFrozen, InsufficientFunds
from .money import to_amount


class Account:
    def __init__(self, account_id, owner, overdraft_limit=0):
        self.account_id = account_id
        self.owner = owner
        self.overdraft_limit = Decimal(str(overdraft_limit))
        self.balance = Decimal("0.00")
        self.frozen = False
        self.history = []

    def _check_open(self):
        if self.frozen:
            raise AccountFrozen(self.account_id)

    def can_withdraw(self, amount):
        """Whether `amount` can leave the account without passing the overdraft limit."""
        return self.balance - amount > -self.overdraft_limit

    def deposit(self, value, memo="deposit"):
        amount = to_amount(value)
        self._check_open()
        self.balance += amount
        self.history.append((memo, amount))
        return self.balance

    def withdraw(self, value, memo="withdrawal"):
        amount = to_amount(value)
        self._check_open()
        if not self.can_withdraw(amount):
            raise InsufficientFunds(self.account_id, amount, self.balance)
        self.balance -= amount
        self.history.append((memo, -amount))
        return self.balance
