"""Replays and races against the real apps on the real database:
- Idempotency-Key on every service: the same key and body replay the first response without a second write; the
  same key with another body is refused with 422; the same key and body with a token that does not verify (alg=none,
  wrong signature, expired, garbage) naming the same `sub` is refused with 401 and never sees the stored response.
- Maker-checker (adjustment-svc) cannot be bypassed by replaying an approval, by approving after the final
  approval, by reusing an Idempotency-Key, by the requester presenting a second token with the same `sub`, or by
  one person presenting another spelling of their `sub` (case, Unicode compatibility forms, spaces, invisible
  characters) as the checker or as the second checker.
- Parallel disputes on one invoice line never hold more than the line's headroom (dispute-svc).
Parallel approvals racing for the last slot: services/adjustment-svc/tests/integration/test_approval_paths.py
(test_two_approvals_racing_for_the_last_slot_issue_one_memo). Parallel bill runs of one period:
services/invoice-svc/tests/integration/test_bill_runs_concurrency.py
(test_two_issue_runs_of_one_period_at_once_issue_each_group_once_without_gaps)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import jwt
import pytest
from sqlalchemy import text

from accounting_svc.adapters.calendar_repository import PeriodRepository
from accounting_svc.app.ports import PeriodRecord
from adjustment_svc.testing import apply_events, big_invoice, credit_body
from dispute_svc.entrypoints.consumer import make_runner as dispute_runner
from invoice_svc.testing.events import account_state
from mediabill_common.events.catalog import INVOICES_TOPIC
from mediabill_common.events.config_state import AccountState
from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.plugin import bearer, run_migrations
from tests.contracts.conftest import BUILDERS
from tests.hostile.support import HostileFeed

pytestmark = pytest.mark.integration
EVERY_ROLE = ["billing-director", "config-admin", "service", "auditor"]
# A month no other test closes: only the latest closed period can be reopened.
_FAR_PERIOD = "2999-12"


@pytest.fixture(scope="session")
async def replay_apps(database_url, kafka_bootstrap, topics_ready):
    """{service: (ctx, client)} on the real database."""
    built = {}
    for name, (settings_cls, build, build_app) in BUILDERS.items():
        run_migrations(name, database_url)
        ctx = build(settings_cls(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(ctx)), base_url="http://replay")
        built[name] = (ctx, client)
    yield built
    for ctx, client in built.values():
        await client.aclose()
        await ctx.close()


async def _count(ctx, sql: str, **params) -> int:
    async with ctx.sessions() as s:
        return (await s.execute(text(sql), params)).scalar_one()


def _dispute_invoice(invoice_id: str, account_id: str, line_amount: str) -> dict:
    today = datetime.now(UTC).date().isoformat()
    return {"invoice_id": invoice_id, "invoice_number": f"INV-{invoice_id[-10:]}", "account_id": account_id,
            "bill_to_account_id": account_id, "contract_id": None, "po_number": None, "period": today[:7],
            "period_start": today[:8] + "01", "period_end": today, "issue_date": today, "due_date": today,
            "currency": "USD", "lines": [{
                "invoice_line_id": f"{invoice_id}-L1", "kind": "usage", "product_code": "P", "description": "Display",
                "quantity": 1000, "unit": "impressions", "unit_price": line_amount, "price_base_quantity": 1000,
                "amount": line_amount}],
            "subtotal": line_amount, "discount_total": "0.00", "commission_total": "0.00", "tax_total": "0.00",
            "total": line_amount}


async def _dispute_knows_invoice(ctx, kafka_bootstrap: str, invoice: dict) -> None:
    envelope = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/mediabill/invoice-svc",
                "type": "InvoiceIssued", "time": datetime.now(UTC).isoformat(), "subject": invoice["invoice_id"],
                "datacontenttype": "application/json", "schemaversion": 1, "data": invoice}
    async with HostileFeed(ctx, kafka_bootstrap, dispute_runner) as feed:
        await feed.send(INVOICES_TOPIC, [(invoice["bill_to_account_id"], json.dumps(envelope).encode())])


async def _writes(service: str, apps, kafka_bootstrap: str, u: str):
    """(path, body, changed body, SQL counting the rows the write creates) for one POST per service."""
    ctx, _ = apps[service]
    if service == "product-config-svc":
        body = {"code": f"P-{u}", "name": "Sponsored display", "channel": "onsite", "pricing_model": "cpm"}
        return ("/v1/products", body, body | {"name": "Another name"},
                f"SELECT count(*) FROM product_config_svc.products WHERE code = 'P-{u}'")
    if service == "invoice-svc":
        async with ctx.sessions() as s, s.begin():  # a bill run names a known bill-to account
            await ctx.deps.units.over(s).config.save_account(AccountState.model_validate(account_state(f"A-{u}")), 1)
        body = {"period": "2025-03", "mode": "preview", "bill_to_account_ids": [f"A-{u}"]}
        return ("/v1/bill-runs", body, body | {"period": "2025-04"},
                f"SELECT count(*) FROM invoice_svc.audit_log WHERE after::text LIKE '%A-{u}%'")
    if service == "dispute-svc":
        invoice = _dispute_invoice(f"INV-{u}", f"A-{u}", "100.00")
        await _dispute_knows_invoice(ctx, kafka_bootstrap, invoice)
        body = {"invoice_id": invoice["invoice_id"], "reason_code": "rate_mismatch", "description": "rate",
                "lines": [{"invoice_line_id": f"INV-{u}-L1", "amount": "10.00"}]}
        return ("/v1/disputes", body, body | {"reason_code": "other"},
                f"SELECT count(*) FROM dispute_svc.disputes WHERE invoice_id = 'INV-{u}'")
    if service == "accounting-svc":  # reopening the latest closed period, seeded closed
        async with ctx.sessions() as s, s.begin():
            await PeriodRepository(s).save(PeriodRecord(_FAR_PERIOD, "closed", close_count=1))
        body = {"reason": f"replay {u}"}
        return (f"/v1/periods/{_FAR_PERIOD}/reopen", body, {"reason": "another reason"},
                "SELECT count(*) FROM accounting_svc.audit_log WHERE action = 'period.reopened' "
                f"AND reason = 'replay {u}'")
    if service != "adjustment-svc":
        raise AssertionError(f"no idempotent write is known for {service}: add one here")
    await apply_events(ctx, [("InvoiceIssued", big_invoice(f"inv-{u}"), f"inv-{u}")])
    body = credit_body(f"inv-{u}", [("L1", "50.00")])
    return ("/v1/adjustments", body, body | {"note": "another note"},
            f"SELECT count(*) FROM adjustment_svc.adjustments WHERE invoice_id = 'inv-{u}'")


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_an_idempotency_key_replays_the_first_response_and_refuses_another_body(
        service, replay_apps, kafka_bootstrap, unique):
    ctx, client = replay_apps[service]
    path, body, changed, count_sql = await _writes(service, replay_apps, kafka_bootstrap, unique)
    headers = bearer(EVERY_ROLE, f"caller-{unique}") | {"Idempotency-Key": f"key-{unique}"}

    first = await client.post(path, json=body, headers=headers)
    assert 200 <= first.status_code < 300, first.text
    written = await _count(ctx, count_sql)
    assert written >= 1
    again = await client.post(path, json=body, headers=headers)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert await _count(ctx, count_sql) == written  # no second write
    other = await client.post(path, json=changed, headers=headers)
    assert other.status_code == 422, other.text
    assert "Idempotency-Key" in other.json()["detail"]
    assert await _count(ctx, count_sql) == written


def _forged_tokens(sub: str) -> dict[str, str]:
    """Tokens naming `sub` that must not verify: each would read as `sub` to anything that skips the check."""
    now = int(time.time())
    claims = {"sub": sub, "roles": EVERY_ROLE}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return {
        "alg none": jwt.encode({**claims, "exp": now + 600}, None, algorithm="none"),
        "wrong signature": jwt.encode({**claims, "exp": now + 600}, "not-the-secret-" * 3, algorithm="HS256"),
        "expired": jwt.encode({**claims, "exp": now - 60}, ServiceSettings().jwt_hs256_secret, algorithm="HS256"),
        "garbage": f"garbage.{payload}.garbage",
    }


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_an_idempotent_replay_needs_a_token_that_verifies(service, replay_apps, kafka_bootstrap, unique):
    ctx, client = replay_apps[service]
    path, body, _, count_sql = await _writes(service, replay_apps, kafka_bootstrap, unique)
    sub, key = f"caller-{unique}", {"Idempotency-Key": f"key-{unique}"}
    first = await client.post(path, json=body, headers=bearer(EVERY_ROLE, sub) | key)
    assert 200 <= first.status_code < 300, first.text
    written = await _count(ctx, count_sql)

    for case, forged in _forged_tokens(sub).items():
        replay = await client.post(path, json=body, headers={"Authorization": f"Bearer {forged}"} | key)
        assert (replay.status_code, replay.headers["content-type"]) == (401, "application/problem+json"), case
        assert "idempotent-replayed" not in replay.headers, case
        assert first.content not in replay.content, case
    assert await _count(ctx, count_sql) == written
    genuine = await client.post(path, json=body, headers=bearer(EVERY_ROLE, sub) | key)
    assert (genuine.status_code, genuine.json()) == (first.status_code, first.json())
    assert genuine.headers["idempotent-replayed"] == "true"


async def _approvals(ctx, adjustment_id: str) -> int:
    return await _count(ctx, "SELECT count(*) FROM adjustment_svc.approvals WHERE adjustment_id = :a",
                        a=adjustment_id)


async def test_maker_checker_cannot_be_bypassed_by_replays_late_approvals_or_a_second_token(replay_apps, unique):
    ctx, api = replay_apps["adjustment-svc"]
    await apply_events(ctx, [("InvoiceIssued", big_invoice(f"inv-{unique}"), f"inv-{unique}")])
    maker = f"ana-{unique}"
    created = await api.post("/v1/adjustments", json=credit_body(f"inv-{unique}", [("L1", "30000.00")]),
                             headers=bearer(["billing-analyst"], maker))
    assert created.status_code == 201, created.text
    adj = created.json()
    assert adj["approvals_still_needed"] == ["billing-manager", "billing-director"]
    url = f"/v1/adjustments/{adj['adjustment_id']}/approve"

    # the requester with a second token carrying the same sub and a checker's roles is still the requester
    as_maker = await api.post(url, json={}, headers=bearer(["billing-director"], maker))
    assert as_maker.status_code == 403, as_maker.text
    assert await _approvals(ctx, adj["adjustment_id"]) == 0

    manager = bearer(["billing-manager"], f"mgr-{unique}")
    assert (await api.post(url, json={}, headers=manager)).status_code == 200
    replayed = await api.post(url, json={}, headers=manager)  # the same approval again, same token
    assert replayed.status_code == 409, replayed.text
    assert await _approvals(ctx, adj["adjustment_id"]) == 1

    director = bearer(["billing-director"], f"dir-{unique}") | {"Idempotency-Key": f"final-{unique}"}
    final = await api.post(url, json={}, headers=director)
    assert final.status_code == 200 and final.json()["status"] == "approved", final.text
    assert await _approvals(ctx, adj["adjustment_id"]) == 2

    same_key = await api.post(url, json={}, headers=director)  # a client retry: the first answer, nothing new
    assert (same_key.status_code, same_key.json()) == (200, final.json())
    late = await api.post(url, json={}, headers=bearer(["billing-director"], f"dir2-{unique}"))
    assert late.status_code == 409, late.text
    assert await _approvals(ctx, adj["adjustment_id"]) == 2
    memos = await _count(ctx, "SELECT count(*) FROM adjustment_svc.memos WHERE adjustment_id = :a",
                         a=adj["adjustment_id"])
    assert memos == 1


def _full_width(name: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)


SPELLINGS = {"upper case": str.upper, "title case": str.title, "full-width forms": _full_width,
             "spaces around": lambda name: f"  {name} ",
             "a zero-width space": lambda name: f"{name[:4]}\u200b{name[4:]}"}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
async def test_maker_checker_compares_the_person_not_the_spelling_of_their_sub(replay_apps, unique, spelling):
    ctx, api = replay_apps["adjustment-svc"]
    await apply_events(ctx, [("InvoiceIssued", big_invoice(f"inv-{unique}"), f"inv-{unique}")])
    alice, dora, respell = f"rt-alice-{unique}", f"rt-dora-{unique}", SPELLINGS[spelling]
    created = await api.post("/v1/adjustments", json=credit_body(f"inv-{unique}", [("L1", "30000.00")]),
                             headers=bearer(["billing-analyst"], alice))
    assert created.status_code == 201, created.text
    adjustment = f"/v1/adjustments/{created.json()['adjustment_id']}"

    as_checker = await api.post(f"{adjustment}/approve", json={}, headers=bearer(["billing-director"], respell(alice)))
    assert as_checker.status_code == 403 and "cannot approve" in as_checker.json()["detail"], as_checker.text
    rejecting = await api.post(f"{adjustment}/reject", json={"reason": "mine"},
                               headers=bearer(["billing-director"], respell(alice)))
    assert rejecting.status_code == 403, rejecting.text

    # one checker under two spellings is one person: the second approval must come from someone else
    first = await api.post(f"{adjustment}/approve", json={}, headers=bearer(["billing-director"], dora))
    assert first.status_code == 200, first.text
    second = await api.post(f"{adjustment}/approve", json={}, headers=bearer(["billing-manager"], respell(dora)))
    assert second.status_code == 409 and "different person" in second.json()["detail"], second.text
    assert await _approvals(ctx, created.json()["adjustment_id"]) == 1
    state = (await api.get(adjustment, headers=bearer(["auditor"], "aud"))).json()
    assert state["status"] == "pending_approval" and state["approvals_still_needed"] == ["billing-manager"]


async def test_parallel_disputes_on_one_line_never_hold_more_than_its_headroom(replay_apps, kafka_bootstrap,
                                                                                unique):
    ctx, api = replay_apps["dispute-svc"]
    invoice = _dispute_invoice(f"INV-{unique}", f"A-{unique}", "100.00")
    await _dispute_knows_invoice(ctx, kafka_bootstrap, invoice)
    line = f"INV-{unique}-L1"

    def open_one(i: int):
        body = {"invoice_id": invoice["invoice_id"], "reason_code": "rate_mismatch", "description": f"race {i}",
                "lines": [{"invoice_line_id": line, "amount": "30.00"}]}
        return api.post("/v1/disputes", json=body, headers=bearer(["billing-analyst"], f"adv-{unique}-{i}"))

    responses = await asyncio.gather(*(open_one(i) for i in range(6)))  # 6 x 30.00 against 100.00
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, [r.text for r in responses]
    assert statuses.count(201) == 3, [r.text for r in responses]
    held = await _count(ctx, "SELECT coalesce(sum(l.amount), 0) FROM dispute_svc.dispute_lines l "
                             "JOIN dispute_svc.disputes d USING (dispute_id) WHERE d.invoice_id = :i",
                        i=invoice["invoice_id"])
    assert Decimal(held) == Decimal("90.00") <= Decimal("100.00")
