"""A product that names its billing sources (oversight.md O1) is billed from the source in effect on each service
date; the other source's records of those days are shadow: stored, never billed, raising no exception. A change of
billing sources takes effect for unbilled days without re-ingesting. Real PostgreSQL and Kafka."""

from __future__ import annotations

import pytest

from invoice_svc.testing.billing import (
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    exceptions_of,
    line,
    product,
)

pytestmark = pytest.mark.integration


async def _ledger(billing, **filters: str) -> dict[str, dict]:
    response = await billing.client.get("/v1/deliveries", params=filters | {"limit": 200}, headers=READER)
    assert response.status_code == 200, response.text
    return {d["delivery_id"]: d for d in response.json()["items"]}


def _sources(*entries: tuple[str, str]) -> dict:
    return {"billing_sources": [{"source_system": s, "effective_from": d} for s, d in entries]}


async def _contract(feed, u: str, *, sources: dict) -> dict:
    p, adv = f"P-{u}", f"ADV-{u}"
    await configure(feed, products=[product(p) | sources], accounts=[account(adv)],
                    contracts=[contract(f"C-{u}", advertiser=adv, bill_to=adv,
                                        lines=[{"line_item_id": f"L-{u}", "product_code": p, "rate": "5.00"}])])
    return {"account_id": adv, "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": p}


async def test_each_day_bills_once_from_the_source_in_effect_and_the_other_is_shadow(invoice_feed, billing, unique):
    base = await _contract(invoice_feed, unique, sources=_sources(("pio", "2025-01-01"), ("oms", "2025-11-10")))
    adv = base["account_id"]
    await deliver(invoice_feed, [
        delivery(f"PIO9-{unique}", day="2025-11-09", impressions=100_000, **base),
        delivery(f"OMS9-{unique}", day="2025-11-09", impressions=90_000, source_system="oms", **base),
        delivery(f"PIO10-{unique}", day="2025-11-10", impressions=100_000, **base),
        delivery(f"OMS10-{unique}", day="2025-11-10", impressions=80_000, source_system="oms", **base)])
    await billing.bill("2025-11", "issue", [adv])
    november = await billing.issued_invoice(adv, "2025-11")
    assert line(november, "usage")["quantity"] == 180_000  # PIO's 9th, OMS's 10th: each day once

    ledger = await _ledger(billing, account_id=adv)
    shown = {d: (v["billable"], v["shadow"], v["exception_kinds"]) for d, v in ledger.items()}
    assert shown == {f"PIO9-{unique}": (True, False, []), f"OMS9-{unique}": (False, True, []),
                     f"PIO10-{unique}": (False, True, []), f"OMS10-{unique}": (True, False, [])}
    assert await exceptions_of(billing.ctx, adv) == []  # a shadow source raises nothing


async def test_setting_billing_sources_takes_effect_for_unbilled_days_without_re_ingesting(
        invoice_feed, billing, unique):
    base = await _contract(invoice_feed, unique, sources={})
    adv = base["account_id"]
    await deliver(invoice_feed, [delivery(f"PIO-{unique}", day="2025-12-03", impressions=100_000, **base)])
    await deliver(invoice_feed, [delivery(f"OMS-{unique}", day="2025-12-03", impressions=70_000,
                                          source_system="oms", **base)])
    [conflict] = await exceptions_of(billing.ctx, adv, "source_conflict")
    assert (conflict["delivery_id"], conflict["status"]) == (f"OMS-{unique}", "open")

    await configure(invoice_feed, products=[product(base["product_code"]) | _sources(("oms", "2025-12-01"))],
                    version=2)
    [settled] = await exceptions_of(billing.ctx, adv, "source_conflict")
    assert (settled["status"], settled["resolved_by"]) == ("resolved", "system")
    ledger = await _ledger(billing, account_id=adv)
    assert (ledger[f"OMS-{unique}"]["billable"], ledger[f"PIO-{unique}"]["shadow"]) == (True, True)
    await billing.bill("2025-12", "issue", [adv])
    assert line(await billing.issued_invoice(adv, "2025-12"), "usage")["quantity"] == 70_000
