"""Pricing past what an invoice can hold (issue 17 item 4), on the real database and broker: a group that cannot be
priced raises `pricing_out_of_range` and the bill run issues every other group; a delivery whose exposure is past
any amount is kept with its exception, never dead-lettered; a contract stored before the bounds existed fails only
what it prices."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from invoice_svc.testing.billing import (
    account,
    configure,
    contract,
    deliver,
    delivery,
    exceptions_of,
    product,
)

pytestmark = pytest.mark.integration

HUGE = "1" + "0" * 30
BIGINT_MAX = 2 ** 63 - 1


async def _two_advertisers(feed, u: str) -> dict:
    """A good and a bad advertiser, each with its own contract on the same CPM product, delivered in March."""
    p = f"DISPLAY-{u}"
    ids = {"product": p, "good": f"GOOD-{u}", "bad": f"BAD-{u}"}
    await configure(feed, products=[product(p, price="5.00")],
                    accounts=[account(ids["good"]), account(ids["bad"])],
                    contracts=[contract(f"IO-{who}-{u}", advertiser=ids[who], bill_to=ids[who],
                                        lines=[{"line_item_id": f"L-{who}-{u}", "product_code": p, "rate": "6.00"}])
                               for who in ("good", "bad")])
    return ids


def _delivery(ids: dict, who: str, u: str, impressions: int) -> dict:
    return delivery(f"D-{who}-{u}", account_id=ids[who], contract_id=f"IO-{who}-{u}", line_item_id=f"L-{who}-{u}",
                    product_code=ids["product"], day="2025-03-10", impressions=impressions)


async def _issue_both(billing, ids: dict) -> dict:
    run = await billing.finish((await billing.request("2025-03", "issue", [ids["good"], ids["bad"]]))["run_id"])
    assert run["status"] == "completed", run
    return run


async def test_a_group_priced_past_what_an_invoice_holds_raises_its_exception_and_the_run_issues_the_rest(
        invoice_feed, billing, unique):
    ids = await _two_advertisers(invoice_feed, unique)
    # 2^62 impressions at a $6.00 CPM: 27,670,116,110,564,327.42, past the 14 digits a money column holds.
    await deliver(invoice_feed, [_delivery(ids, "good", unique, 100_000), _delivery(ids, "bad", unique, 2 ** 62)])

    run = await _issue_both(billing, ids)

    assert (run["counts"]["invoices"], run["counts"]["unpriceable"]) == (1, 1)
    good = await billing.issued_invoice(ids["good"], "2025-03")
    assert good["total"] == "600.00"
    assert await billing.invoices(bill_to_account_id=ids["bad"], period="2025-03") == []
    [raised] = await exceptions_of(billing.ctx, ids["bad"], "pricing_out_of_range")
    assert raised["refs"]["contract_id"] == f"IO-bad-{unique}" and raised["refs"]["period"] == "2025-03"
    assert "not below 100,000,000,000,000" in raised["refs"]["reason"]
    assert raised["exception_id"] in run["exception_ids"]


async def test_a_contract_stored_with_an_out_of_range_rate_before_the_bounds_fails_only_its_own_group(
        invoice_feed, billing, unique):
    """The red team's case: a back-dated amendment to a rate of 10^30, taken in before rates were bounded."""
    ids = await _two_advertisers(invoice_feed, unique)
    await deliver(invoice_feed, [_delivery(ids, "good", unique, 100_000), _delivery(ids, "bad", unique, 100_000)])
    async with billing.ctx.sessions() as s, s.begin():
        await s.execute(text(
            "UPDATE invoice_svc.contracts SET state = jsonb_set(state, '{lines,0,rate}', CAST(:rate AS jsonb)), "
            "state_version = state_version + 1 WHERE contract_id = :id"),
            {"rate": json.dumps(HUGE), "id": f"IO-bad-{unique}"})

    run = await _issue_both(billing, ids)

    assert (run["counts"]["invoices"], run["counts"]["unpriceable"]) == (1, 1)
    assert (await billing.issued_invoice(ids["good"], "2025-03"))["total"] == "600.00"
    [raised] = await exceptions_of(billing.ctx, ids["bad"], "pricing_out_of_range")
    assert "pricing overflowed decimal arithmetic" in raised["refs"]["reason"]


async def test_a_delivery_whose_exposure_is_past_any_amount_is_kept_with_its_exception(invoice_feed, billing,
                                                                                         unique):
    ids = await _two_advertisers(invoice_feed, unique)
    # The highest rate a contract may carry, a count at the ledger's 64-bit limit, after the flight: the exposure
    # (about 9.2 x 10^24) is no amount, but the record is kept and raises outside_flight all the same.
    big = {**_delivery(ids, "bad", unique, BIGINT_MAX), "delivery_date": "2026-01-05"}
    async with billing.ctx.sessions() as s, s.begin():
        await s.execute(text(
            "UPDATE invoice_svc.contracts SET state = jsonb_set(state, '{lines,0,rate}', '\"999999999.999999\"') "
            "WHERE contract_id = :id"), {"id": f"IO-bad-{unique}"})
    await deliver(invoice_feed, [big])

    async with billing.ctx.sessions() as s:
        kept = (await s.execute(text("SELECT impressions, billable FROM invoice_svc.deliveries "
                                     "WHERE delivery_id = :d"), {"d": big["delivery_id"]})).one()
    assert tuple(kept) == (BIGINT_MAX, False)
    [raised] = await exceptions_of(billing.ctx, ids["bad"], "outside_flight")
    assert raised["delivery_id"] == big["delivery_id"] and raised["amount_at_risk"] is None


async def test_a_delivery_naming_a_contract_stored_before_the_bounds_is_kept_with_an_exception(
        invoice_feed, billing, unique):
    ids = await _two_advertisers(invoice_feed, unique)
    async with billing.ctx.sessions() as s, s.begin():
        await s.execute(text(
            "UPDATE invoice_svc.contracts SET state = jsonb_set(state, '{lines,0,rate}', CAST(:rate AS jsonb)), "
            "state_version = state_version + 1 WHERE contract_id = :id"),
            {"rate": json.dumps(HUGE), "id": f"IO-bad-{unique}"})
    await deliver(invoice_feed, [_delivery(ids, "bad", unique, 100_000)])

    async with billing.ctx.sessions() as s:
        billable = (await s.execute(text("SELECT billable FROM invoice_svc.deliveries WHERE delivery_id = :d"),
                                    {"d": f"D-bad-{unique}"})).scalar_one()
    assert billable is False
    [raised] = await exceptions_of(billing.ctx, ids["bad"], "unknown_contract")
    assert raised["delivery_id"] == f"D-bad-{unique}"
