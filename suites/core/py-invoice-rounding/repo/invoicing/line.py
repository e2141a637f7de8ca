from dataclasses import dataclass
from decimal import Decimal

from .money import round_money


@dataclass(frozen=True)
class LineItem:
    description: str
    quantity: Decimal
    unit_price: Decimal

    def __post_init__(self):
        object.__setattr__(self, "quantity", Decimal(str(self.quantity)))
        object.__setattr__(self, "unit_price", Decimal(str(self.unit_price)))
        if self.quantity <= 0:
            raise ValueError("quantity must be positive")
        if self.unit_price < 0:
            raise ValueError("unit price must not be negative")

    def total(self, currency):
        return round_money(self.quantity * self.unit_price, currency)
