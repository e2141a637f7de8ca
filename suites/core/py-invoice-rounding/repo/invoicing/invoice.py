from decimal import Decimal

from .line import LineItem
from .money import decimals_for, round_money


class Invoice:
    def __init__(self, number, currency="EUR", tax_rate="0", discount_percent="0"):
        decimals_for(currency)
        self.number = number
        self.currency = currency
        self.tax_rate = Decimal(str(tax_rate))
        self.discount_percent = Decimal(str(discount_percent))
        self.lines = []

    def add(self, description, quantity, unit_price):
        line = LineItem(description, quantity, unit_price)
        self.lines.append(line)
        return line

    def subtotal(self):
        return sum((line.total(self.currency) for line in self.lines), Decimal(0))

    def discount(self):
        return round_money(self.subtotal() * self.discount_percent / 100, self.currency)

    def tax(self):
        """VAT is charged on the discounted subtotal."""
        return round_money(self.subtotal() * self.tax_rate / 100, self.currency)

    def total(self):
        return self.subtotal() - self.discount() + self.tax()
