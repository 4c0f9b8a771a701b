"""Reading NUMERIC money columns back as the decimals the wire shows."""

from decimal import Decimal

_CENTS = Decimal("0.01")


def from_numeric(value: Decimal) -> Decimal:
    """Numeric(18,4) comes back with four decimals; show two when that loses nothing (12.3400 -> 12.34)."""
    return value.quantize(_CENTS) if value == value.quantize(_CENTS) else value
