"""Cursor pagination: `?limit=` (default 50, max 500) and an opaque `?cursor=`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from mediabill_common.web.problems import Unprocessable

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="page size (default 50, max 500)")]
Cursor = Annotated[str | None, Query(description="opaque cursor from the previous page's next_cursor")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":"), default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise Unprocessable("cursor is not valid; pass next_cursor from a previous page",
                            errors=[{"field": "cursor", "in": "query", "message": "invalid cursor"}]) from exc
    if not isinstance(value, dict):
        raise Unprocessable("cursor is not valid; pass next_cursor from a previous page")
    return value


def page_of(rows: list[T], limit: int, position_of: Callable[[T], dict[str, Any]]) -> Page[T]:
    """Build a page from `limit + 1` fetched rows; `position_of(last_row)` gives the next cursor position."""
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items=items, next_cursor=encode_cursor(position_of(items[-1])) if more and items else None)
