from decimal import Decimal, InvalidOperation

from .errors import InvalidAmount

CENT = Decimal("0.01")


def to_amount(value):
    """Converts an int, str or Decimal to a positive Decimal with two decimals."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidAmount(f"not an amount: {value!r}") from None
    if amount != amount.quantize(CENT):
        raise InvalidAmount(f"amount has more than two decimals: {value!r}")
    if amount <= 0:
        raise InvalidAmount(f"amount must be positive, got {value!r}")
    return amount.quantize(CENT)


def format_amount(amount):
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,.2f}"
