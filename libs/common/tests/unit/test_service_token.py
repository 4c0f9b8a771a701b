"""Tokens for calls between services: one per lifetime, renewed before expiry, with the correlation id."""

import time

import jwt
import pytest

from mediabill_common.auth.service_token import ServiceToken
from mediabill_common.auth.verify import JwtVerifier
from mediabill_common.logging import correlation_id_var

SECRET = "unit-test-secret-0123456789-0123456789"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_token_is_reused_until_a_minute_before_it_expires_then_renewed():
    clock = Clock(time.time() - 250)  # so that the renewed token, issued 240 s later, is already valid now
    tokens = ServiceToken(sub="dispute-svc", secret=SECRET, ttl_s=300, renew_before_s=60, clock=clock)
    first = tokens.bearer()
    clock.now += 239
    assert tokens.bearer() == first
    clock.now += 1
    renewed = tokens.bearer()
    assert renewed != first
    principal = JwtVerifier(hs256_secret=SECRET).verify(renewed)
    assert (principal.sub, sorted(principal.roles)) == ("dispute-svc", ["service"])
    claims = jwt.decode(renewed, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["exp"] - claims["iat"] == 300


def test_headers_carry_the_correlation_id_of_the_request_being_served():
    tokens = ServiceToken(sub="dispute-svc", secret=SECRET)
    assert set(tokens.headers()) == {"Authorization"}
    reset = correlation_id_var.set("corr-42")
    try:
        headers = tokens.headers()
    finally:
        correlation_id_var.reset(reset)
    assert headers["X-Correlation-Id"] == "corr-42"
    assert headers["Authorization"] == f"Bearer {tokens.bearer()}"


def test_a_renewal_window_not_shorter_than_the_lifetime_is_refused():
    with pytest.raises(ValueError, match="renew_before_s"):
        ServiceToken(sub="s", secret=SECRET, ttl_s=60, renew_before_s=60)
