"""Wire types shared by event payloads and REST bodies: decimal strings, ISO currencies, periods.

Decimals are strings in ASCII digits. Every amount is below 10^14 in magnitude, what the money columns hold;
configured prices and commitments have tighter bounds (`RATE_BOUND`, `BOOKED_BOUND`, `PCT_BOUND`), published in
docs/events.md and the JSON Schemas, so that an absurd configuration value is refused where it is entered (422)
or dead-lettered where it arrives, instead of failing pricing later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from mediabill_common.money import AMOUNT_DIGITS, check_currency, parse_decimal

# YYYY-MM in ASCII digits (`\d` would take any script's digits) from year 0001: there is no year 0000 to bill.
_PERIOD_PATTERN = r"^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])$"
_PERIOD_RE = re.compile(_PERIOD_PATTERN)
PERIOD_PATTERN = _PERIOD_PATTERN  # for path parameters, which take a pattern rather than the Period type


@dataclass(frozen=True)
class DecimalBound:
    """How a decimal may be written: ASCII digits, below 10^`digits` in magnitude (leading zeros do not count),
    at most `places` decimal places (None: any), a minus sign only when `signed`; `maximum` (a whole number)
    caps it further."""

    digits: int
    places: int | None = None
    signed: bool = False
    maximum: int | None = None
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern))

    @property
    def pattern(self) -> str:
        """The JSON Schema pattern; for a string it says exactly what `check` says for a number."""
        sign = "-?" if self.signed else ""
        fraction = r"(\.[0-9]+)?" if self.places is None else rf"(\.[0-9]{{1,{self.places}}})?"
        if self.maximum is None:
            return rf"^{sign}0*[0-9]{{1,{self.digits}}}{fraction}$"
        top = str(self.maximum)
        zeros = r"(\.0+)?" if self.places is None else rf"(\.0{{1,{self.places}}})?"
        return rf"^{sign}0*({top}{zeros}|[0-9]{{1,{len(top) - 1}}}{fraction})$"

    @property
    def rule(self) -> str:
        """The bound in words, for error messages and the docs."""
        words = [] if self.signed else ["not negative"]
        words.append(f"at most {self.maximum}" if self.maximum is not None
                     else f"below {Decimal(10) ** self.digits:,f}" + (" in magnitude" if self.signed else ""))
        if self.places is not None:
            words.append(f"at most {self.places} decimal places")
        return ", ".join(words)

    def check(self, value: Decimal) -> Decimal:
        """`value` if it is within the bound (a number handed in by code rather than written on the wire)."""
        exponent = value.as_tuple().exponent  # a letter for NaN and infinities
        places = max(-exponent, 0) if isinstance(exponent, int) else 0
        if (abs(value) >= Decimal(10) ** self.digits or (self.maximum is not None and value > self.maximum)
                or (not self.signed and value < 0) or (self.places is not None and places > self.places)):
            raise ValueError(f"must be {self.rule}")
        return value


# Any amount: what the money columns hold (14 digits before the point, money.AMOUNT_DIGITS).
AMOUNT_BOUND = DecimalBound(AMOUNT_DIGITS, signed=True)
# A configured rate or price -- per unit, per thousand for cpm/vcpm -- in its contract's or rate card's currency:
# below 1,000,000,000, far above real retail-media prices in any supported currency (a USD 1,000 CPA is some
# 25,000,000 VND), with at most 6 decimal places, the scale an invoice line keeps its unit_price at.
RATE_BOUND = DecimalBound(9, places=6)
# A contract line's budget or flat fee: below 10^13, a tenth of what a money column holds, so that the line with
# its tax, discount and commission still fits; at most 6 decimal places.
BOOKED_BOUND = DecimalBound(13, places=6)
# A percentage (discount, agency commission, discrepancy threshold, tax rate): 0..100, at most 6 decimal places.
PCT_BOUND = DecimalBound(3, places=6, maximum=100)


def _to_decimal(value: Any, bound: DecimalBound) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError("must be a decimal string such as \"1234.50\", not a JSON number")
    if isinstance(value, str):
        if not bound.regex.fullmatch(value):
            raise ValueError(f"must be a decimal string in ASCII digits such as \"1234.50\": {bound.rule}")
        return parse_decimal(value)
    if isinstance(value, Decimal | int):
        return bound.check(parse_decimal(value))
    raise ValueError("must be a decimal string such as \"1234.50\"")


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _period(value: str) -> str:
    if not _PERIOD_RE.match(value):
        raise ValueError("must be a billing period YYYY-MM")
    return value


_serialize = PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="always")


def _parse(bound: DecimalBound) -> BeforeValidator:
    return BeforeValidator(lambda value: _to_decimal(value, bound))


def _schema(bound: DecimalBound) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": bound.pattern})


# A decimal amount on the wire: a JSON string; may be negative (discount lines, adjustments).
DecimalStr = Annotated[Decimal, _parse(AMOUNT_BOUND), _serialize, _schema(AMOUNT_BOUND)]
# A non-negative decimal amount.
Amount = Annotated[Decimal, _parse(AMOUNT_BOUND), AfterValidator(_non_negative), _serialize, _schema(AMOUNT_BOUND)]
# A configured rate or price: a contract line's rate, a rate card's price, a tier's price.
Rate = Annotated[Decimal, _parse(RATE_BOUND), _serialize, _schema(RATE_BOUND)]
# A contract line's budget or flat fee.
BookedAmount = Annotated[Decimal, _parse(BOOKED_BOUND), _serialize, _schema(BOOKED_BOUND)]
# A percentage as a decimal string, 0..100 ("15" is 15%).
Pct = Annotated[Decimal, _parse(PCT_BOUND), _serialize, _schema(PCT_BOUND)]
Currency = Annotated[str, AfterValidator(check_currency),
                     WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$"})]
# Bounded strings: a hostile or broken producer must not get a 900 KB "name" stored and re-published.
ID_MAX, NAME_MAX, DESCRIPTION_MAX, NOTE_MAX = 200, 1000, 2000, 10_000
Id = Annotated[str, Field(max_length=ID_MAX)]  # ids, codes, numbers, people, short enumerations
Name = Annotated[str, Field(max_length=NAME_MAX)]  # names, descriptions, contacts
# a line description composed from a configured description and ids ("<product description> - <line item>")
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX)]
Note = Annotated[str, Field(max_length=NOTE_MAX)]  # free text a person wrote (reasons, notes)
Period = Annotated[str, AfterValidator(_period), WithJsonSchema({"type": "string", "pattern": _PERIOD_PATTERN})]


def period_of(day: date) -> str:
    """The billing period (calendar month) of a service date."""
    return f"{day.year:04d}-{day.month:02d}"
