"""Token verification: HS256 with a configured secret (development) or RS256 against a JWKS (production)."""

from __future__ import annotations

import time
from collections import OrderedDict

import jwt

from mediabill_common.auth.principal import Principal, expand_roles


class InvalidToken(Exception):
    pass


class JwtVerifier:
    """Verifies bearer tokens. A token that verified is remembered (up to `cache_size` of them) for at most
    `cache_ttl_s` seconds and never past its `exp`: clients send the same token with every request, and checking
    its signature each time cost as much as a simple read. Refusals are not remembered."""

    def __init__(self, *, hs256_secret: str | None, jwks_url: str | None = None, issuer: str | None = None,
                 audience: str | None = None, roles_claim: str = "roles", cache_size: int = 4096,
                 cache_ttl_s: float = 60.0) -> None:
        if not hs256_secret and not jwks_url:
            raise ValueError("configure JWT_HS256_SECRET or JWT_JWKS_URL")
        self._secret = hs256_secret
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self._issuer = issuer
        self._audience = audience
        self._roles_claim = roles_claim
        self._cache: OrderedDict[str, tuple[Principal, int | float]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_ttl_s = cache_ttl_s

    def verify(self, token: str) -> Principal:
        """Decode and check `token`; raise InvalidToken with a reason a caller can act on."""
        now = time.time()
        hit = self._cache.get(token)
        if hit is not None:
            if now < hit[1]:
                self._cache.move_to_end(token)
                return hit[0]
            del self._cache[token]
        principal, exp = self._verify(token)
        self._cache[token] = (principal, min(exp, now + self._cache_ttl_s))
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal

    def _verify(self, token: str) -> tuple[Principal, int | float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from exc
        alg = header.get("alg")
        try:
            if alg == "RS256" and self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
            elif alg == "HS256" and self._secret:
                key = self._secret
            else:
                raise InvalidToken(f"signing algorithm {alg!r} is not accepted")
            claims = jwt.decode(
                token, key, algorithms=[alg], issuer=self._issuer, audience=self._audience,
                options={"require": ["exp", "sub"], "verify_aud": self._audience is not None},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token has expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"invalid token: {exc}") from exc
        roles = claims.get(self._roles_claim, [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken(f"claim {self._roles_claim!r} must be a list of strings")
        return Principal(sub=str(claims["sub"]), roles=expand_roles(roles)), claims["exp"]
