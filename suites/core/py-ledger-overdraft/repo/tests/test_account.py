from decimal import Decimal

import pytest

from ledger import Account, AccountFrozen, InsufficientFunds, InvalidAmount


def test_deposit_and_withdraw():
    account = Account("a1", "Ada")
    account.deposit("100.50")
    account.withdraw(40)
    assert account.balance == Decimal("60.50")
    assert [amount for _, amount in account.history] == [Decimal("100.50"), Decimal("-40.00")]


def test_withdraw_beyond_balance_without_overdraft():
    account = Account("a1", "Ada")
    account.deposit(10)
    with pytest.raises(InsufficientFunds):
        account.withdraw("10.01")
    assert account.balance == Decimal("10.00")


def test_overdraft_allows_negative_balance():
    account = Account("a1", "Ada", overdraft_limit=50)
    account.withdraw(30)
    assert account.balance == Decimal("-30.00")


@pytest.mark.parametrize("bad", [0, -5, "abc", "1.001"])
def test_invalid_amounts(bad):
    with pytest.raises(InvalidAmount):
        Account("a1", "Ada").deposit(bad)


def test_frozen_account_rejects_deposits():
    account = Account("a1", "Ada")
    account.frozen = True
    with pytest.raises(AccountFrozen):
        account.deposit(5)
