"""Token verification: HS256 with a configured secret (development) or RS256 against a JWKS (production)."""

from __future__ import annotations

import jwt

from mediabill_common.auth.principal import Principal, expand_roles


class InvalidToken(Exception):
    pass


class JwtVerifier:
    def __init__(self, *, hs256_secret: str | None, jwks_url: str | None = None, issuer: str | None = None,
                 audience: str | None = None) -> None:
        if not hs256_secret and not jwks_url:
            raise ValueError("configure JWT_HS256_SECRET or JWT_JWKS_URL")
        self._secret = hs256_secret
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Principal:
        """Decode and check `token`; raise InvalidToken with a reason a caller can act on."""
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
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("claim 'roles' must be a list of strings")
        return Principal(sub=str(claims["sub"]), roles=expand_roles(roles))
