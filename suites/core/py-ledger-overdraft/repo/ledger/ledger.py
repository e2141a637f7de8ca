from .account import Account
from .errors import DuplicateAccount, InvalidTransfer, UnknownAccount
from .money import to_amount


class Ledger:
    def __init__(self):
        self._accounts = {}
        self.journal = []

    def open(self, account_id, owner, overdraft_limit=0):
        if account_id in self._accounts:
            raise DuplicateAccount(account_id)
        account = Account(account_id, owner, overdraft_limit)
        self._accounts[account_id] = account
        self.journal.append(("open", account_id))
        return account

    def get(self, account_id):
        try:
            return self._accounts[account_id]
        except KeyError:
            raise UnknownAccount(account_id) from None

    def freeze(self, account_id):
        self.get(account_id).frozen = True
        self.journal.append(("freeze", account_id))

    def deposit(self, account_id, amount):
        balance = self.get(account_id).deposit(amount)
        self.journal.append(("deposit", account_id, to_amount(amount)))
        return balance

    def withdraw(self, account_id, amount):
        balance = self.get(account_id).withdraw(amount)
        self.journal.append(("withdraw", account_id, to_amount(amount)))
        return balance

    def transfer(self, source_id, target_id, amount):
        source = self.get(source_id)
        target = self.get(target_id)
        if source is target:
            raise InvalidTransfer("cannot transfer to the same account")
        source.withdraw(amount, memo=f"transfer to {target_id}")
        target.deposit(amount, memo=f"transfer from {source_id}")
        self.journal.append(("transfer", source_id, target_id, to_amount(amount)))

    def total(self):
        return sum((account.balance for account in self._accounts.values()), start=to_amount(1) - 1)
