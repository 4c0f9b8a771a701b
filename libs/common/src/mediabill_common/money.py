"""Exact money: `Decimal` amounts with an ISO 4217 currency.

Rounding rule (billing-rules.md rule 7): a line amount is rounded once, to the currency's minor unit,
half away from zero (`ROUND_HALF_UP` in `decimal`, which rounds ties away from zero for negatives too).
`round_money` is the one place that rounds; totals are sums of already-rounded amounts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

# Minor units per ISO 4217 currency (digits after the decimal point). Currencies not listed use 2.
_MINOR_UNITS: dict[str, int] = {
    "BHD": 3, "CLP": 0, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "OMR": 3, "PYG": 0,
    "TND": 3, "UGX": 0, "VND": 0, "XAF": 0, "XOF": 0,
}
# ISO 4217 active codes accepted by Mediabill (the commercially relevant set; extend as needed).
ISO_4217: frozenset[str] = frozenset(
    ["AED", "ARS", "AUD", "BHD", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK", "EGP", "EUR", "GBP", "HKD",
     "HUF", "IDR", "ILS", "INR", "ISK", "JOD", "JPY", "KES", "KRW", "KWD", "MAD", "MXN", "MYR", "NGN", "NOK", "NZD",
     "OMR", "PEN", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "SAR", "SEK", "SGD", "THB", "TND", "TRY", "TWD", "UAH",
     "UGX", "USD", "VND", "XAF", "XOF", "ZAR"]
)


# A decimal written in ASCII digits with an optional minus and fraction. Decimal() alone also takes other scripts'
# digits ('١.٠٠'), surrounding spaces, underscores ('1_000'), exponents ('1E+3'), 'NaN' and 'Infinity'.
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_DECIMAL_RE = re.compile(DECIMAL_PATTERN)
# The money columns keep 14 digits before the decimal point (invoice-svc's Numeric(20, 6), dispute-svc's and
# adjustment-svc's Numeric(18, 4)): an amount below AMOUNT_LIMIT in magnitude is one Mediabill can store.
AMOUNT_DIGITS = 14
AMOUNT_LIMIT = Decimal(10) ** AMOUNT_DIGITS


class CurrencyMismatch(ValueError):
    """Raised when money in two different currencies is combined."""


def minor_units(currency: str) -> int:
    """Digits after the decimal point for `currency` (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get(currency, 2)


def check_currency(code: str) -> str:
    """Return `code` if it is an ISO 4217 code Mediabill accepts, else raise ValueError."""
    if code not in ISO_4217:
        raise ValueError(f"'{code}' is not a supported ISO 4217 currency code")
    return code


@cache  # one Decimal per currency: every amount rendered or rounded asks for it
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def in_minor_units(amount: Decimal, currency: str) -> bool:
    """Whether `amount` is a whole number of `currency`'s minor units, so that rounding it would change nothing
    ("100.10" and "100.100" USD are; "100.105" USD and "12.5" JPY are not). Exact at any length: no context
    precision is involved."""
    if not amount.is_finite():
        return False
    _, digits, exponent = amount.as_tuple()
    finer = -minor_units(currency) - int(exponent)  # digits written below the minor unit
    return finer <= 0 or not any(digits[-finer:])


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` to `currency`'s minor unit, half away from zero. The only rounding of money."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def fits_money_columns(amount: Decimal) -> bool:
    """Whether `amount` can be stored: finite and below `AMOUNT_LIMIT` in magnitude."""
    return amount.is_finite() and abs(amount) < AMOUNT_LIMIT


def round_half_up_int(value: Decimal) -> int:
    """Round a non-money quantity (impressions, billable units) to a whole number, half away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_decimal(value: str | int | Decimal) -> Decimal:
    """Parse a decimal string in ASCII digits (`DECIMAL_PATTERN`) or an int; refuse floats, NaN and infinities."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a decimal string")
    if isinstance(value, str) and not _DECIMAL_RE.fullmatch(value):
        raise ValueError(f"'{value}' is not a decimal number in ASCII digits such as \"1234.50\"")
    try:
        result = Decimal(value)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValueError(f"'{value}' is not a decimal number") from exc
    if not result.is_finite():
        raise ValueError(f"'{value}' is not a finite decimal number")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    """An exact, finite amount in one ISO 4217 currency: what crosses from a domain to its application layer.

    Adding, subtracting or ordering two amounts in different currencies raises `CurrencyMismatch`. Multiplying by
    a quantity or rate, or dividing by one (a `Decimal` or an int, never a float), rounds nothing: `rounded()` goes
    through `round_money`, the one rounding of money. Two amounts are equal when their currencies are and their
    values are ("100.1" and "100.10" USD are the same money), so `==` across currencies is False.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, (float, bool)):
            raise TypeError(f"money is never a {type(self.amount).__name__}; pass a Decimal")
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", parse_decimal(self.amount))
        elif not self.amount.is_finite():
            raise ValueError(f"money is a finite amount, not {self.amount}")
        check_currency(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, at `currency`'s minor unit ("0.00" USD, "0" JPY)."""
        return cls(Decimal(0).quantize(quantum(currency)), currency)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Money from a decimal string in ASCII digits, an int or a Decimal (see `parse_decimal`)."""
        return cls(parse_decimal(amount), currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        """This amount times a quantity or a rate, unrounded."""
        if isinstance(factor, (float, bool)) or not isinstance(factor, (Decimal, int)):
            raise TypeError(f"multiply money by a Decimal or an int, never a {type(factor).__name__}")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int) -> Money:
        """This amount shared by a quantity (a pro-rata share is `amount * part / whole`), unrounded."""
        if isinstance(divisor, (float, bool)) or not isinstance(divisor, (Decimal, int)):
            raise TypeError(f"divide money by a Decimal or an int, never a {type(divisor).__name__}")
        return Money(self.amount / divisor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def rounded(self) -> Money:
        """This amount rounded to the currency's minor unit, half away from zero (`round_money`)."""
        return Money(round_money(self.amount, self.currency), self.currency)

    def in_minor_units(self) -> bool:
        """Whether rounding this amount would change nothing (see `in_minor_units`)."""
        return in_minor_units(self.amount, self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_positive(self) -> bool:
        return self.amount > 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def as_str(self) -> str:
        """Wire form: a decimal string at the currency's minor unit (rounds if needed)."""
        return format(round_money(self.amount, self.currency), "f")

    def __str__(self) -> str:
        return f"{self.as_str()} {self.currency}"

    def __format__(self, spec: str) -> str:
        """With a format spec, the amount as `Decimal` formats it (`format(m, "f")` is the exact decimal string the
        wire and the columns carry, unrounded); without one, `str(m)` ("12.50 USD")."""
        return format(self.amount, spec) if spec else str(self)


def sum_money(items: Iterable[Money], currency: str) -> Money:
    """Sum amounts of `currency` (a sum of rounded amounts is exact); an empty sum is zero in `currency`.

    Raises `CurrencyMismatch` when an item is in another currency."""
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total
