from .invoice import Invoice
from .line import LineItem
from .money import CURRENCY_DECIMALS, round_money
from .render import render_invoice

__all__ = ["CURRENCY_DECIMALS", "Invoice", "LineItem", "render_invoice", "round_money"]
