"""GET/PUT /v1/approval-policy and GET /v1/kpis."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import update

from adjustment_svc.adapters.tables import adjustments, memos
from adjustment_svc.testing import ANALYST, DIRECTOR, MANAGER, apply_events, as_, big_invoice, credit_body


async def test_director_sets_limits_per_currency_with_if_match(adjustment_ctx, adjustment_api, unique):
    current = await adjustment_api.get("/v1/approval-policy", headers=as_(ANALYST, "x"))
    assert current.json()["USD"] == {"auto_approve_max": "250.00", "single_approval_max": "25000.00"}
    original, etag = current.json(), current.headers["ETag"]
    changed = {**original, "CHF": {"auto_approve_max": "100.00", "single_approval_max": "5000.00"}}
    assert (await adjustment_api.put("/v1/approval-policy", json=changed,
                                     headers=as_(MANAGER, f"mgr-{unique}"))).status_code == 403
    bad = {"CHF": {"auto_approve_max": "9000.00", "single_approval_max": "5000.00"}}
    assert (await adjustment_api.put("/v1/approval-policy", json=bad,
                                     headers=as_(DIRECTOR, f"dir-{unique}"))).status_code == 422
    try:
        put = await adjustment_api.put("/v1/approval-policy", json=changed,
                                       headers={**as_(DIRECTOR, f"dir-{unique}"), "If-Match": etag})
        assert put.status_code == 200 and put.json()["CHF"]["auto_approve_max"] == "100.00"
        stale = await adjustment_api.put("/v1/approval-policy", json=changed,
                                         headers={**as_(DIRECTOR, f"dir-{unique}"), "If-Match": etag})
        assert stale.status_code == 412
        inv = big_invoice(f"inv-{unique}", currency="CHF")
        await apply_events(adjustment_ctx, [("InvoiceIssued", inv, inv["invoice_id"])])
        adj = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "150.00")]),
                                        headers=as_(ANALYST, f"ana-{unique}"))
        assert adj.json()["approval_level"] == "manager"  # 150 CHF is above CHF's 100.00 auto-approval limit
    finally:
        restored = await adjustment_api.put("/v1/approval-policy", json=original,
                                            headers=as_(DIRECTOR, f"dir-{unique}"))
        assert restored.status_code == 200
    audit = await adjustment_api.get("/v1/audit?entity_type=approval_policy", headers=as_("auditor", "a"))
    assert audit.json()["items"][0]["action"] == "approval_policy.replaced"


async def _backdate(ctx, adjustment_id: str, requested_at: datetime, decided_at: datetime | None) -> None:
    async with ctx.sessions.begin() as session:
        await session.execute(update(adjustments).where(adjustments.c.adjustment_id == adjustment_id)
                              .values(requested_at=requested_at, decided_at=decided_at))
        if decided_at is not None:
            await session.execute(update(memos).where(memos.c.adjustment_id == adjustment_id)
                                  .values(issued_at=decided_at))


async def test_kpis_report_value_by_reason_turnaround_auto_share_and_pending_age(adjustment_ctx, adjustment_api,
                                                                                 unique):
    inv = big_invoice(f"inv-{unique}")
    await apply_events(adjustment_ctx, [("InvoiceIssued", inv, inv["invoice_id"])])
    headers = as_(ANALYST, f"ana-{unique}")
    post = lambda amount, reason: adjustment_api.post(  # noqa: E731
        "/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", amount)], reason_code=reason), headers=headers)
    auto = (await post("100.00", "tax")).json()
    managed = [(await post(a, "duplicate_charge")).json() for a in ("1000.00", "2000.00")]
    for adj in managed:
        await adjustment_api.post(f"/v1/adjustments/{adj['adjustment_id']}/approve", json={},
                                  headers=as_(MANAGER, f"mgr-{unique}"))
    pending = (await post("3000.00", "other")).json()
    # Move this test's decisions onto a day of their own, so the figures of that day are exactly ours.
    day = date(1950, 1, 1) + timedelta(days=random.randrange(30_000))
    at = lambda h: datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=h)  # noqa: E731
    await _backdate(adjustment_ctx, auto["adjustment_id"], at(1), at(1))
    await _backdate(adjustment_ctx, managed[0]["adjustment_id"], at(1), at(3))
    await _backdate(adjustment_ctx, managed[1]["adjustment_id"], at(1), at(11))
    before = (await adjustment_api.get("/v1/kpis", headers=headers)).json()["pending_by_age"]
    await _backdate(adjustment_ctx, pending["adjustment_id"], datetime.now(UTC) - timedelta(days=5), None)
    kpis = (await adjustment_api.get(f"/v1/kpis?from={day}&to={day}", headers=headers)).json()
    assert kpis["value_by_reason"] == {"USD": {"tax": {"credited": "100.00", "debited": "0.00"},
                                               "duplicate_charge": {"credited": "3000.00", "debited": "0.00"}}}
    assert kpis["memos_by_reason"] == {"tax": {"credit": 1, "debit": 0}, "duplicate_charge": {"credit": 2, "debit": 0}}
    assert kpis["approval_turnaround_hours"] == {"decisions": 3, "median": "2.00", "p90": "10.00"}
    assert kpis["auto_approved_share"] == "0.3333"
    now_pending = (await adjustment_api.get("/v1/kpis", headers=headers)).json()["pending_by_age"]
    assert now_pending["3-7d"] == before["3-7d"] + 1 and now_pending["<1d"] == before["<1d"] - 1
    backwards = await adjustment_api.get(f"/v1/kpis?from={day}&to={day - timedelta(days=1)}", headers=headers)
    assert backwards.status_code == 422
    # `from` and `to` are both included: the day itself, and a window ending or starting on it, count its memos;
    # the days either side do not.
    for first, last, counted in ((day - timedelta(days=1), day, True), (day, day + timedelta(days=1), True),
                                 (day - timedelta(days=1), day - timedelta(days=1), False),
                                 (day + timedelta(days=1), day + timedelta(days=1), False)):
        window = (await adjustment_api.get("/v1/kpis", params={"from": str(first), "to": str(last)},
                                           headers=headers)).json()
        assert (window["from"], window["to"]) == (str(first), str(last))
        assert ("tax" in window["memos_by_reason"]) is counted, (first, last)


async def test_trends_give_requests_by_root_cause_and_month_against_the_value_billed(adjustment_ctx, adjustment_api,
                                                                                     unique):
    bill_to = f"AG-trend-{unique}"
    today = datetime.now(UTC).date()
    # 101,000.00 billed this month: the month the requests are raised in (their rate's denominator)
    inv = big_invoice(f"inv-{unique}", bill_to=bill_to) | {"issue_date": today.isoformat(),
                                                            "due_date": (today + timedelta(days=30)).isoformat()}
    await apply_events(adjustment_ctx, [("InvoiceIssued", inv, inv["invoice_id"])])
    month = f"{today:%Y-%m}"
    headers = as_(ANALYST, f"ana-{unique}")
    for amount, cause in (("100.00", "invalid_traffic"), ("50.00", "invalid_traffic"), ("202.00", "late_booking"),
                          ("7.00", None)):
        extra = {"root_cause": cause} if cause else {}
        body = credit_body(inv["invoice_id"], [("L2", amount)], **extra)
        assert (await adjustment_api.post("/v1/adjustments", json=body, headers=headers)).status_code == 201
    rejected = (await adjustment_api.post("/v1/adjustments", json=credit_body(
        inv["invoice_id"], [("L2", "500.00")], root_cause="policy"), headers=headers)).json()
    assert (await adjustment_api.post(f"/v1/adjustments/{rejected['adjustment_id']}/reject", json={
        "reason": "not owed"}, headers=as_(MANAGER, f"mgr-{unique}"))).status_code == 200

    resp = await adjustment_api.get("/v1/trends", params={"from": month, "to": month, "bill_to_account_id": bill_to},
                                    headers=headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["denominator"] == "billed_value"
    assert [(s["group"], s["count"], s["value"]) for s in body["series"]] == [
        ("late_booking", 1, "202.00"), ("invalid_traffic", 2, "150.00"), ("not_recorded", 1, "7.00")]
    assert body["series"][0]["months"] == [{"month": month, "count": 1, "value": "202.00",
                                            "denominator": "101000.00", "rate": "0.0020"}]
    by_kind = (await adjustment_api.get("/v1/trends", params={
        "from": month, "to": month, "bill_to_account_id": bill_to, "by": "kind"}, headers=headers)).json()
    assert [(s["group"], s["count"], s["value"]) for s in by_kind["series"]] == [("credit", 4, "359.00")]
    refused = await adjustment_api.get("/v1/trends", params={"by": "mood"}, headers=headers)
    assert refused.status_code == 422
