"""Small helpers the routers share: the clock, If-Match versions, JSON-ready values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dispute_svc.app.commands import Actor
from mediabill_common.auth.principal import Principal
from mediabill_common.web.problems import PreconditionFailed


def expected_version(if_match: str | None) -> int | None:
    """The dispute version an If-Match names (`W/"3"` or `"3"`); None when absent or `*`."""
    if if_match is None or if_match.strip() == "*":
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise PreconditionFailed(f"If-Match {if_match!r} does not name a version; send the ETag you received")
    return int(raw)


def actor_of(principal: Principal) -> Actor:
    return Actor(sub=principal.sub, is_manager=principal.has_any("billing-manager"))


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
