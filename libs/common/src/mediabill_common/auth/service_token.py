"""Headers for one service's calls to another: a `service` bearer token and the caller's correlation id."""

from __future__ import annotations

import time
from collections.abc import Callable

from mediabill_common.auth.mint import mint_token
from mediabill_common.logging import CORRELATION_HEADER, correlation_id_var


class ServiceToken:
    """A `service` token minted once and renewed `renew_before_s` before it expires, not one per call: signing
    costs the caller, and the callee verifies a token it has seen from its cache (mediabill_common.auth.verify)
    instead of checking a new signature each time."""

    def __init__(self, *, sub: str, secret: str, ttl_s: int = 300, renew_before_s: int = 60,
                 clock: Callable[[], float] = time.time) -> None:
        if not 0 <= renew_before_s < ttl_s:
            raise ValueError("renew_before_s must be at least 0 and less than ttl_s")
        self._sub, self._secret, self._ttl_s, self._renew_before_s = sub, secret, ttl_s, renew_before_s
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0

    def bearer(self) -> str:
        now = self._clock()
        if self._token is None or now >= self._renew_at:
            self._token = mint_token(self._sub, ["service"], secret=self._secret, ttl_s=self._ttl_s, now=now)
            self._renew_at = now + self._ttl_s - self._renew_before_s
        return self._token

    def headers(self) -> dict[str, str]:
        """Authorization, and the correlation id of the request being served (so one id follows a request
        across services in the logs)."""
        out = {"Authorization": f"Bearer {self.bearer()}"}
        correlation_id = correlation_id_var.get()
        if correlation_id:
            out[CORRELATION_HEADER] = correlation_id
        return out
