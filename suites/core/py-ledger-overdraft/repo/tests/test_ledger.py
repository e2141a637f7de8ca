from decimal import Decimal

import pytest

from ledger import DuplicateAccount, InsufficientFunds, Ledger, UnknownAccount, format_statement


@pytest.fixture
def ledger():
    ledger = Ledger()
    ledger.open("alice", "Alice", overdraft_limit=100)
    ledger.open("bob", "Bob")
    ledger.deposit("alice", 200)
    return ledger


def test_transfer_moves_money(ledger):
    ledger.transfer("alice", "bob", "75.25")
    assert ledger.get("alice").balance == Decimal("124.75")
    assert ledger.get("bob").balance == Decimal("75.25")
    assert ledger.total() == Decimal("200.00")


def test_transfer_with_insufficient_funds(ledger):
    with pytest.raises(InsufficientFunds):
        ledger.transfer("bob", "alice", 1)
    assert ledger.get("bob").balance == Decimal("0.00")


def test_unknown_and_duplicate_accounts(ledger):
    with pytest.raises(UnknownAccount):
        ledger.transfer("alice", "carol", 1)
    with pytest.raises(DuplicateAccount):
        ledger.open("bob", "Bobby")


def test_statement_lists_history(ledger):
    ledger.transfer("alice", "bob", 20)
    text = format_statement(ledger.get("bob"))
    assert "transfer from alice" in text
    assert text.splitlines()[-1].endswith("20.00")
