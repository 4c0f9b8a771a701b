"""JSON-ready values for figures built as plain dicts (KPIs, trends): api.md's money is a decimal string."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any


def wire(value: Any) -> Any:
    """Decimals as decimal strings, dates and times as ISO strings, all the way down."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire(v) for v in value]
    return value
