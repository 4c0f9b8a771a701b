"""The inbox's data digest is SHA-256 of json.dumps(data, sort_keys=True, separators=(",", ":"),
ensure_ascii=False): the digests already stored in every inbox were made that way, so any faster way of computing
it must give the same bytes for any data a producer can send, or a redelivery would look like a reused id."""

import hashlib
import json
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediabill_common.consumer.digest import data_digest

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                                              max_size=6),
                     max_leaves=30)


def _item(data: object) -> SimpleNamespace:
    return SimpleNamespace(envelope=SimpleNamespace(data=data), record=SimpleNamespace(value=b"raw"))


def _as_stored(data: object) -> bytes:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).digest()


def _digest_is_json_s(data: dict) -> None:
    try:
        expected = _as_stored(data)
    except UnicodeEncodeError:  # a lone surrogate: as before, the digest cannot be made either
        with pytest.raises(UnicodeEncodeError):
            data_digest(_item(data))  # type: ignore[arg-type]
        return
    assert data_digest(_item(data)) == expected  # type: ignore[arg-type]


@given(st.dictionaries(st.text(), _json, max_size=12))
def test_the_digest_is_that_of_the_sorted_compact_json_of_the_data(data: dict) -> None:
    _digest_is_json_s(data)


# Flat data of the values orjson writes (any text, integers beyond 64 bits too): the same digest as json's.
@given(st.dictionaries(st.text(), st.none() | st.booleans() | st.integers() | st.text(), max_size=20))
def test_the_digest_of_flat_data_is_that_of_the_sorted_compact_json_too(data: dict) -> None:
    _digest_is_json_s(data)


def test_the_digest_of_a_delivery_is_pinned() -> None:
    data = {"revision": 0, "delivery_id": "D-1", "impressions": 1000, "media_cost": "12.50", "currency": None,
            "campaign_name": "Été \u2028 \"quoted\"\n"}
    assert data_digest(_item(data)).hex() == hashlib.sha256(
        '{"campaign_name":"Été \u2028 \\"quoted\\"\\n","currency":null,"delivery_id":"D-1","impressions":1000,'
        '"media_cost":"12.50","revision":0}'.encode()).hexdigest()  # type: ignore[arg-type]
