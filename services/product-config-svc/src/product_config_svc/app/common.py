"""Helpers the use cases share: loading aggregates for a change and checking the version the change expects."""

from __future__ import annotations

from typing import TypeVar

from product_config_svc.app.ports import StateStore, Stored
from product_config_svc.domain.errors import StaleVersion, UnknownEntity

S = TypeVar("S")


async def load(store: StateStore[S], kind: str, key: str, *, for_update: bool = False,
               if_match: str | None = None) -> Stored[S]:
    """The stored aggregate (locked when changing it); UnknownEntity if there is none, StaleVersion if `if_match`
    (the caller's If-Match) names another version."""
    stored = await store.get(key, for_update=for_update)
    if stored is None:
        raise UnknownEntity(kind, key)
    if not names_version(if_match, stored.version):
        raise StaleVersion(stored.version, if_match or "")
    return stored


def names_version(if_match: str | None, version: int) -> bool:
    """Whether If-Match allows a change of `version`: absent, "*", or one of its ETags (weak or strong) is it."""
    if if_match is None or if_match.strip() == "*":
        return True
    return f'"{version}"' in {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
