"""The Idempotency-Key scope names the caller by the `sub` of a token that verified, never of one that did not."""

import time
from types import SimpleNamespace

import jwt
import pytest

from mediabill_common.auth.verify import JwtVerifier
from mediabill_common.web.idempotency import _caller
from mediabill_common.web.problems import Unauthorized

SECRET = "the-services-secret-0123456789-abcdef"


def _scope(authorization: bytes | None) -> dict:
    app = SimpleNamespace(state=SimpleNamespace(verifier=JwtVerifier(hs256_secret=SECRET)))
    return {"headers": [] if authorization is None else [(b"authorization", authorization)], "app": app}


def _token(secret: str | None, algorithm: str = "HS256", ttl_s: int = 600) -> str:
    claims = {"sub": "ana@retailer.example", "roles": ["billing-analyst"], "exp": int(time.time()) + ttl_s}
    return jwt.encode(claims, secret, algorithm=algorithm)


def test_the_caller_is_the_sub_of_a_token_that_verifies():
    token = _token(SECRET)
    assert _caller(_scope(f"Bearer {token}".encode())) == "ana@retailer.example"
    assert _caller(_scope(f"bearer {token}".encode())) == "ana@retailer.example"


def test_a_token_that_does_not_verify_names_no_caller():
    refused = [None, b"Basic dXNlcjpwYXNz", b"Bearer ", b"Bearer not-a-jwt", b"Bearer a.%%%.c",
               f"Bearer {_token('another-secret-0123456789-abcdef-01')}".encode(),  # signed by someone else
               f"Bearer {_token(None, algorithm='none')}".encode(),
               f"Bearer {_token(SECRET, ttl_s=-60)}".encode()]  # expired
    for value in refused:
        with pytest.raises(Unauthorized):
            _caller(_scope(value))
