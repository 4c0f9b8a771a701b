"""No secret in any process log of the running system: not the JWT signing secret, not a bearer token (valid or
forged), not the database password. Runs last in the e2e package (after the billing-to-cash flow has written its
logs) and first sends authenticated, forged and failing requests of its own to every service."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.engine import make_url

from mediabill_common.auth.principal import ROLES
from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.plugin import token

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
BEARER = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


async def _traffic(system) -> list[str]:
    """Requests that carry tokens through every code path that might log them; returns the tokens sent."""
    good = token(list(ROLES), sub="log-check")
    forged = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
    sent = [good, forged]
    async with httpx.AsyncClient(timeout=30) as client:
        for service in ("product-config-svc", "invoice-svc", "dispute-svc", "adjustment-svc"):
            base = system.url(service)
            for value in sent:
                headers = {"Authorization": f"Bearer {value}"}
                await client.get(f"{base}/v1/kpis" if service != "product-config-svc" else f"{base}/v1/products",
                                 headers=headers)
                await client.get(f"{base}/v1/no-such-route", headers=headers)
                await client.post(f"{base}/v1/no-such-route", headers=headers | {"Idempotency-Key": "k"},
                                  content=b"{not json")
    return sent


async def test_no_process_log_holds_the_jwt_secret_a_bearer_token_or_the_database_password(system):
    sent = await _traffic(system)
    logs = {path.name: path.read_text(errors="replace") for path in sorted(system.log_dir.glob("*.log"))}
    assert len(logs) >= 13 and sum(len(text) for text in logs.values()) > 0, list(logs)
    secrets = {"the JWT secret": ServiceSettings().jwt_hs256_secret or "", **{f"token {i}": t for i, t in
                                                                             enumerate(sent)}}
    password = make_url(system.database_url).password
    if password:
        secrets["the database password"] = password
    leaks = [f"{name}: {what}" for name, text in logs.items() for what, secret in secrets.items()
             if secret and secret in text]
    leaks += [f"{name}: a bearer token {match[:16]}..." for name, text in logs.items()
              for match in BEARER.findall(text)]
    assert not leaks, "\n".join(leaks)
