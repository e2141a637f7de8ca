from decimal import Decimal

import pytest

from invoicing import Invoice, LineItem, render_invoice, round_money


def test_simple_invoice_totals():
    invoice = Invoice("2024-001", "EUR", tax_rate=20)
    invoice.add("Consulting", 2, "150.00")
    invoice.add("Travel", 1, "42.10")
    assert invoice.subtotal() == Decimal("342.10")
    assert invoice.tax() == Decimal("68.42")
    assert invoice.total() == Decimal("410.52")


def test_line_item_validation():
    with pytest.raises(ValueError):
        LineItem("x", 0, 1)
    with pytest.raises(ValueError):
        LineItem("x", 1, -1)


def test_unknown_currency():
    with pytest.raises(ValueError):
        Invoice("1", "XXX")


def test_round_money_places():
    assert round_money(Decimal("1234"), "JPY") == Decimal("1234")
    assert round_money(Decimal("1.2344"), "KWD") == Decimal("1.234")
    assert str(round_money(Decimal("3"), "EUR")) == "3.00"


def test_render_lists_lines_and_total():
    invoice = Invoice("A-7", "USD", tax_rate=10)
    invoice.add("Widget", 3, "9.99")
    text = render_invoice(invoice)
    assert "Widget x3" in text
    assert text.splitlines()[-1].split() == ["Total", "32.97", "USD"]
