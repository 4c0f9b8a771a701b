"""The digest the inbox keeps of each event's data: SHA-256 of the data with its keys sorted, so that the same data
however a producer ordered it has one digest (consumer/inbox.py)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:  # decode.py imports this module; the annotation is all that is needed here
    from mediabill_common.consumer.decode import Received


# What json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds per call, built once: the
# same bytes (the digests of rows already in an inbox must not change), without a new encoder per event, which was
# half the cost of a digest.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# Values orjson writes exactly as json does (strings with every code point escaped alike, keys sorted by code point
# as UTF-8 sorts them, integers, true/false/null). Floats are not among them (orjson writes 1e16 where json writes
# 1e+16), nor containers, whose contents would need the same check: data holding any of those takes json.
_AS_JSON_WRITES = frozenset({str, int, bool, type(None)})


def data_digest(item: Received) -> bytes:
    """SHA-256 of the event's data with its keys sorted (the same data however a producer ordered it)."""
    data = item.envelope.data
    if _AS_JSON_WRITES.issuperset(map(type, data.values())):  # a flat event, as most are
        try:
            return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).digest()
        except orjson.JSONEncodeError:  # an integer beyond 64 bits, a lone surrogate: json's way decides
            pass
    try:
        canonical = _CANONICAL.encode(data)
    except (ValueError, RecursionError):  # data json.dumps cannot write back: the bytes as received then
        return hashlib.sha256(item.record.value or b"").digest()
    return hashlib.sha256(canonical.encode()).digest()
