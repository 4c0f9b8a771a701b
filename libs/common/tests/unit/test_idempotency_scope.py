"""The Idempotency-Key scope names the caller by the token's `sub`, read without verification (the route verifies)."""

import jwt

from mediabill_common.web.idempotency import _caller


def _scope(authorization: bytes | None) -> dict:
    return {"headers": [] if authorization is None else [(b"authorization", authorization)]}


def test_the_caller_is_the_sub_of_the_bearer_token_whatever_signs_it():
    token = jwt.encode({"sub": "ana@retailer.example", "roles": ["billing-analyst"]},
                       "any-secret-0123456789-abcdef-0123456789", algorithm="HS256")
    assert _caller(_scope(f"Bearer {token}".encode())) == "ana@retailer.example"
    assert _caller(_scope(f"bearer {token}".encode())) == "ana@retailer.example"


def test_no_token_or_an_unreadable_one_is_the_anonymous_scope():
    unreadable = [None, b"Basic dXNlcjpwYXNz", b"Bearer ", b"Bearer not-a-jwt", b"Bearer a.%%%.c",
                  b"Bearer a.bm90LWpzb24.c", b"Bearer a.WzEsMl0.c"]  # "not-json", and a JSON list, not claims
    assert [_caller(_scope(value)) for value in unreadable] == ["-"] * len(unreadable)
