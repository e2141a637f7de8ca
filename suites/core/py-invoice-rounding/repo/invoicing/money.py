from decimal import Decimal

CURRENCY_DECIMALS = {"EUR": 2, "USD": 2, "GBP": 2, "JPY": 0, "KWD": 3}


def decimals_for(currency):
    try:
        return CURRENCY_DECIMALS[currency]
    except KeyError:
        raise ValueError(f"unsupported currency {currency!r}") from None


def round_money(amount, currency):
    """Rounds `amount` to the currency's minor unit, halves away from zero (commercial rounding)."""
    places = decimals_for(currency)
    rounded = round(float(amount), places)
    return Decimal(str(rounded)).quantize(Decimal(1).scaleb(-places))
