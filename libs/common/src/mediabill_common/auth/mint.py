"""Mint development tokens signed with the HS256 dev secret.

Usage: mediabill-token --sub alice --roles billing-manager[,auditor] [--ttl 3600]
"""

from __future__ import annotations

import argparse
import time

import jwt

from mediabill_common.auth.principal import ROLES
from mediabill_common.settings import ServiceSettings


def mint_token(sub: str, roles: list[str], *, secret: str, ttl_s: int = 3600, now: float | None = None) -> str:
    """An HS256 token for `sub` with `roles`, issued at `now` (default: the current time) for `ttl_s` seconds."""
    now = int(time.time() if now is None else now)
    return jwt.encode({"sub": sub, "roles": roles, "iat": now, "exp": now + ttl_s}, secret, algorithm="HS256")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mediabill-token", description=__doc__)
    parser.add_argument("--sub", default="dev-user")
    parser.add_argument("--roles", required=True, help=f"comma-separated, from: {', '.join(ROLES)}")
    parser.add_argument("--ttl", type=int, default=3600)
    args = parser.parse_args(argv)
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    unknown = set(roles) - set(ROLES)
    if unknown:
        parser.error(f"unknown roles: {', '.join(sorted(unknown))}")
    secret = ServiceSettings().jwt_hs256_secret
    if not secret:
        parser.error("JWT_HS256_SECRET is not set")
    print(mint_token(args.sub, roles, secret=secret, ttl_s=args.ttl))


if __name__ == "__main__":
    main()
