"""Wire types shared by event payloads and REST bodies: decimal strings, ISO currencies, periods."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from mediabill_common.money import check_currency, parse_decimal

_DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
# YYYY-MM in ASCII digits (`\d` would take any script's digits) from year 0001: there is no year 0000 to bill.
_PERIOD_PATTERN = r"^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])$"
_PERIOD_RE = re.compile(_PERIOD_PATTERN)


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("must be a decimal string such as \"1234.50\", not a JSON number")
    if isinstance(value, Decimal | int):
        return parse_decimal(value)
    if isinstance(value, str) and re.match(_DECIMAL_PATTERN, value.strip()):
        return parse_decimal(value.strip())
    raise ValueError("must be a decimal string such as \"1234.50\"")


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _pct(value: Decimal) -> Decimal:
    if not (0 <= value <= 100):
        raise ValueError("must be a percentage between 0 and 100")
    return value


def _period(value: str) -> str:
    if not _PERIOD_RE.match(value):
        raise ValueError("must be a billing period YYYY-MM")
    return value


_decimal_schema = WithJsonSchema({"type": "string", "pattern": _DECIMAL_PATTERN})
_serialize = PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="always")

# A decimal amount on the wire: a JSON string; may be negative (discount lines, adjustments).
DecimalStr = Annotated[Decimal, BeforeValidator(_to_decimal), _serialize, _decimal_schema]
# A non-negative decimal amount.
Amount = Annotated[Decimal, BeforeValidator(_to_decimal), AfterValidator(_non_negative), _serialize,
                   _decimal_schema]
# A percentage as a decimal string, 0..100 ("15" is 15%).
Pct = Annotated[Decimal, BeforeValidator(_to_decimal), AfterValidator(_pct), _serialize, _decimal_schema]
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
