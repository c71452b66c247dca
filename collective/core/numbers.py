"""Numbers for people: the one formatter of the platform (pages, charts, sentences, messages).

Thousands separators, a fixed number of decimals (none for whole numbers in values), the unit
where people expect it (`12.3%`, `€1,200`, `1,234 days`), never "-0", and "—" for no value.
Templates use it through the `number`, `percent` and `plain` filters (`{% load collective %}`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

NO_VALUE = "—"
CURRENCY_SYMBOLS = {"€", "$", "£", "¥", "₹", "CHF", "EUR", "USD", "GBP"}


def to_decimal(value) -> Decimal | None:
    """A Decimal of a number or numeric text; None for no value or anything else."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def format_number(value, decimals: int = 0) -> str:
    """1234567.891, 1 -> '1,234,567.9'; None -> '—'."""
    number = to_decimal(value)
    if number is None:
        return NO_VALUE
    decimals = max(0, int(decimals))
    rounded = round(number, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # never show "-0.0"
    return f"{rounded:,.{decimals}f}"


def format_value(value, *, value_type: str = "number", unit: str = "", decimals: int = 1) -> str:
    """A measured value: 1234.5 days -> '1,234.5 days'; 12.345 percent -> '12.3%';
    1200 € -> '€1,200'; whole numbers without decimals (except ratios)."""
    number = to_decimal(value)
    if number is None:
        return NO_VALUE
    if value_type in ("percent", "ratio") and (unit in ("", "%") or value_type == "percent"):
        return f"{format_number(number, 1)}%"
    if number == number.to_integral_value() and value_type != "ratio":
        text = format_number(number, 0)
    else:
        text = format_number(number, decimals)
    unit = (unit or "").strip()
    if not unit:
        return text
    if value_type == "currency" or unit in CURRENCY_SYMBOLS:
        return f"{unit}{text}" if len(unit) == 1 else f"{text} {unit}"
    if unit in ("%", "‰"):
        return f"{text}{unit}"
    return f"{text} {unit}"


def format_plain(value) -> str:
    """A stored number as people write it, with the decimals it has: 7.000000 -> '7',
    1234.5 -> '1,234.5'; None -> '—'."""
    number = to_decimal(value)
    if number is None:
        return NO_VALUE if value in (None, "") else str(value)
    number = number.normalize()
    return format_number(number, max(0, -number.as_tuple().exponent))
