"""Helpers the use cases share: loading aggregates for a change and checking If-Match."""

from __future__ import annotations

from typing import TypeVar

from mediabill_common.web.etag import check_if_match
from product_config_svc.app.ports import StateStore, Stored
from product_config_svc.domain.errors import UnknownEntity

S = TypeVar("S")


async def load(store: StateStore[S], kind: str, key: str, *, for_update: bool = False,
               if_match: str | None = None) -> Stored[S]:
    """The stored aggregate (locked when changing it), 404 if unknown, 412 if `if_match` names another version."""
    stored = await store.get(key, for_update=for_update)
    if stored is None:
        raise UnknownEntity(kind, key)
    check_if_match(if_match, stored.version)
    return stored
