"""One real bill run per billing rule (billing-rules.md 1-16), checked on the invoices it leaves."""

from __future__ import annotations

import pytest

from invoice_svc.adapters.bill_run_repository import BillRunRepository
from invoice_svc.testing.billing import (
    MANAGER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    exceptions_of,
    line,
    numbering_is_gapless,
    product,
)
from mediabill_common.events.catalog import PAYMENTS_TOPIC
from mediabill_common.testing.kafka import envelope_for

pytestmark = pytest.mark.integration


async def test_rules_2_to_5_and_11_groups_rates_tiers_basis_and_tax(invoice_feed, billing, unique):
    u = unique
    agency, adv, shopper = f"AGY-{u}", f"ADV-{u}", f"SELF-{u}"
    cpm, tiered, auction = f"CPM-{u}", f"TIER-{u}", f"AUC-{u}"
    tiers = product(tiered, price=None) | {"rate_cards": [{"effective_from": "2024-01-01", "currency": "USD",
                                                           "tiers": [{"up_to": 100_000, "price": "10.00"},
                                                                     {"up_to": None, "price": "8.00"}]}]}
    await configure(invoice_feed, products=[product(cpm, tax_code="VAT"), tiers, product(auction, model="auction_cpc",
                                                                                          price=None)],
                    accounts=[account(agency, type="agency", tax_rates={"VAT": "20"}), account(adv), account(shopper)],
                    contracts=[
                        contract(f"CA-{u}", advertiser=adv, bill_to=agency, billing_basis="discrepancy_tolerance",
                                 lines=[{"line_item_id": f"LA-{u}", "product_code": cpm, "rate": "4.00"}]),
                        contract(f"CB-{u}", advertiser=adv, bill_to=agency,
                                 lines=[{"line_item_id": f"LB-{u}", "product_code": tiered}])])
    await deliver(invoice_feed, [
        delivery(f"DA-{u}", account_id=adv, contract_id=f"CA-{u}", line_item_id=f"LA-{u}", product_code=cpm,
                 day="2025-04-02", impressions=1_000_000, third_party_impressions=800_000),
        *[delivery(f"DB{i}-{u}", account_id=adv, contract_id=f"CB-{u}", line_item_id=f"LB-{u}", product_code=tiered,
                   day=f"2025-04-0{i}", impressions=n) for i, n in ((3, 100_000), (4, 50_000))],
        *[delivery(f"DS{i}-{u}", account_id=shopper, contract_id=None, line_item_id=f"LS-{u}", product_code=auction,
                   day=f"2025-04-1{i}", clicks=5, media_cost=cost, currency="USD")
          for i, cost in ((1, "12.34"), (2, "7.66"))]])
    run = await billing.bill("2025-04", "issue", [agency, shopper])
    assert run["counts"]["invoices"] == 3 and run["totals"] == {"USD": "5444.00"}

    a = await billing.invoice((await billing.invoices(contract_id=f"CA-{u}"))[0]["invoice_id"])
    # rule 5: first-party 1,000,000 > third-party 800,000 x 1.1 -> bills 880,000; rule 11: 20% VAT on it
    assert (line(a, "usage")["quantity"], line(a, "usage")["amount"]) == (880_000, "3520.00")
    assert (line(a, "tax")["amount"], a["total"], a["bill_to_account_id"]) == ("704.00", "4224.00", agency)
    b = await billing.invoice((await billing.invoices(contract_id=f"CB-{u}"))[0]["invoice_id"])
    # rule 4: all-units tiers on the period's 150,000 -> every unit at the second tier's 8.00 CPM
    assert (line(b, "usage")["quantity"], line(b, "usage")["unit_price"], b["total"]) == (150_000, "8.00", "1200.00")
    [s] = await billing.invoices(bill_to_account_id=shopper, period="2025-04")
    # rule 2: self-serve deliveries make one invoice per (advertiser, period) on the account's terms
    assert (s["contract_id"], s["total"], s["account_id"]) == (None, "20.00", shopper)


async def test_rule_6_flat_fee_months_add_up_to_the_fee_without_any_delivery(invoice_feed, billing, unique):
    u, fee_product, adv = unique, f"FEE-{unique}", f"ADV-{unique}"
    await configure(invoice_feed, products=[product(fee_product, model="flat_fee", price=None)],
                    accounts=[account(adv)],
                    contracts=[contract(f"CF-{u}", advertiser=adv, bill_to=adv, start="2025-01-15", end="2025-03-14",
                                        lines=[{"line_item_id": f"LF-{u}", "product_code": fee_product,
                                                "fee": "1000.00"}])])
    totals = []
    for period in ("2025-01", "2025-02", "2025-03"):
        await billing.bill(period, "issue", [adv])
        invoice = await billing.issued_invoice(adv, period)
        totals.append(line(invoice, "flat_fee")["amount"])
    assert totals == ["288.14", "474.57", "237.29"]  # 17, 28 and 14 of 59 flight days; sum 1000.00


async def _one_line_contract(feed, u: str, *, end: str = "2025-12-31") -> dict:
    p, adv = f"P-{u}", f"ADV-{u}"
    await configure(feed, products=[product(p)], accounts=[account(adv)],
                    contracts=[contract(f"C-{u}", advertiser=adv, bill_to=adv, end=end,
                                        lines=[{"line_item_id": f"L-{u}", "product_code": p, "rate": "5.00"}])])
    return {"account_id": adv, "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": p}


async def test_rules_1_and_13_a_delivery_ingested_after_the_snapshot_is_billed_on_an_adjustment_only_invoice(
        invoice_feed, billing, unique):
    base = await _one_line_contract(invoice_feed, unique, end="2025-05-31")
    adv = base["account_id"]
    await deliver(invoice_feed, [delivery(f"D1-{unique}", day="2025-05-10", impressions=100_000, **base)])
    requested = await billing.request("2025-05", "issue", [adv])
    async with billing.ctx.sessions() as s, s.begin():  # the run starts: its snapshot is taken now
        await BillRunRepository(s).fix_snapshot(requested["run_id"])
    await deliver(invoice_feed, [delivery(f"D2-{unique}", day="2025-05-20", impressions=20_000, **base)])
    await billing.finish(requested["run_id"])
    may = await billing.issued_invoice(adv, "2025-05")
    assert may["total"] == "500.00"  # rule 1: only what was ingested when the run started

    await billing.bill("2025-06", "issue", [adv])  # the contract has no June: an adjustment-only invoice
    june = await billing.issued_invoice(adv, "2025-06")
    adjustment = line(june, "prior_period_adjustment")
    assert (adjustment["amount"], adjustment["original_invoice_number"]) == ("100.00", may["invoice_number"])
    # the late 20,000 impressions, not one unit of 100.00
    assert (adjustment["quantity"], adjustment["unit"], adjustment["unit_price"],
            adjustment["price_base_quantity"]) == (20_000, "impressions", "5.00", 1000)
    assert june["adjustment_only"] is True and june["total"] == "100.00"
    [raised] = await exceptions_of(billing.ctx, adv, "restatement_after_issue")
    assert raised["refs"]["original_invoice_number"] == may["invoice_number"]
    assert (raised["refs"]["period"], raised["refs"]["billed_in_period"]) == ("2025-05", "2025-06")
    await billing.bill("2025-07", "issue", [adv])  # billed once: nothing more to adjust
    assert await billing.invoices(bill_to_account_id=adv, period="2025-07") == []


async def test_rule_13_a_restatement_becomes_adjustment_lines_on_the_contracts_next_invoice(
        invoice_feed, billing, unique):
    base = await _one_line_contract(invoice_feed, unique)
    adv = base["account_id"]
    await deliver(invoice_feed, [delivery(f"D1-{unique}", day="2025-07-10", impressions=100_000, **base)])
    await billing.bill("2025-07", "issue", [adv])
    july = await billing.issued_invoice(adv, "2025-07")
    await deliver(invoice_feed, [delivery(f"D1-{unique}", revision=1, day="2025-07-10", impressions=140_000, **base),
                                 delivery(f"D2-{unique}", day="2025-08-03", impressions=10_000, **base)])
    await billing.bill("2025-08", "preview", [adv])
    # a preview of the invoice that will carry the adjustment already records it for the analysts
    [previewed] = await exceptions_of(billing.ctx, adv, "restatement_after_issue")
    assert previewed["refs"]["original_invoice_number"] == july["invoice_number"]
    await billing.bill("2025-08", "issue", [adv])
    august = await billing.issued_invoice(adv, "2025-08")
    assert line(august, "usage")["amount"] == "50.00"
    adjustment = line(august, "prior_period_adjustment")
    assert (adjustment["amount"], adjustment["original_invoice_number"]) == ("200.00", july["invoice_number"])
    assert (adjustment["quantity"], adjustment["unit"], adjustment["unit_price"]) == (40_000, "impressions", "5.00")
    assert august["total"] == "250.00" and july["total"] == "500.00"  # the issued invoice never changes
    [raised] = await exceptions_of(billing.ctx, adv, "restatement_after_issue")  # the preview's, not a second one
    assert (raised["exception_id"], raised["amount_at_risk"]) == (previewed["exception_id"], 200)

    # restated again while the first exception is still open: a second adjustment, a second exception
    await deliver(invoice_feed, [delivery(f"D1-{unique}", revision=2, day="2025-07-10", impressions=150_000, **base)])
    await billing.bill("2025-09", "issue", [adv])
    september = await billing.issued_invoice(adv, "2025-09")
    again = line(september, "prior_period_adjustment")
    assert (again["amount"], again["quantity"], again["unit"]) == ("50.00", 10_000, "impressions")
    first, second = await exceptions_of(billing.ctx, adv, "restatement_after_issue")
    assert first["status"] == "open" and second["refs"]["billed_in_period"] == "2025-09"
    assert second["refs"]["original_invoice_number"] == july["invoice_number"]


async def test_rule_14_a_negative_invoice_is_not_issued_and_raises_negative_invoice(invoice_feed, billing, unique):
    base = await _one_line_contract(invoice_feed, unique)
    adv = base["account_id"]
    await deliver(invoice_feed, [delivery(f"D1-{unique}", day="2025-09-10", impressions=1_000_000, **base)])
    await billing.bill("2025-09", "issue", [adv])
    await deliver(invoice_feed, [delivery(f"D1-{unique}", revision=1, day="2025-09-10", impressions=0, **base),
                                 delivery(f"D2-{unique}", day="2025-10-03", impressions=100_000, **base)])
    run = await billing.bill("2025-10", "issue", [adv])
    assert run["counts"]["blocked"] == 1 and run["totals"] == {}
    [draft] = await billing.invoices(bill_to_account_id=adv, period="2025-10")
    assert (draft["status"], draft["invoice_number"], draft["total"]) == ("draft", None, "-4500.00")
    [negative] = await exceptions_of(billing.ctx, adv, "negative_invoice")
    assert negative["exception_id"] in run["exception_ids"]


async def test_rule_12_void_only_while_nothing_moved_and_the_next_issue_run_bills_again(
        invoice_feed, billing, unique):
    base = await _one_line_contract(invoice_feed, unique)
    adv = base["account_id"]
    await deliver(invoice_feed, [delivery(f"D1-{unique}", day="2025-11-10", impressions=100_000, **base)])
    await billing.bill("2025-11", "issue", [adv])
    first = await billing.issued_invoice(adv, "2025-11")
    await invoice_feed.publish_and_apply(PAYMENTS_TOPIC, [(adv, envelope_for("PaymentApplied", {
        "payment_id": f"PAY-{unique}", "invoice_id": first["invoice_id"], "bill_to_account_id": adv,
        "amount": "10.00", "currency": "USD", "applied_at": "2025-12-01T10:00:00Z"}, subject=first["invoice_id"]))])
    blocked = await billing.client.post(f"/v1/invoices/{first['invoice_id']}/void", json={"reason": "wrong rate"},
                                        headers=MANAGER)
    assert blocked.status_code == 409 and "paid 10.00" in blocked.json()["detail"]

    await deliver(invoice_feed, [delivery(f"D2-{unique}", day="2025-12-10", impressions=100_000, **base)])
    await billing.bill("2025-12", "issue", [adv])
    december = await billing.issued_invoice(adv, "2025-12")
    voided = await billing.client.post(f"/v1/invoices/{december['invoice_id']}/void",
                                       json={"reason": "billed on the wrong PO"}, headers=MANAGER)
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["balance"]["status"]) == ("void", "void")
    again = await billing.client.post(f"/v1/invoices/{december['invoice_id']}/void", json={"reason": "twice"},
                                      headers=MANAGER)
    assert again.status_code == 409
    await billing.bill("2025-12", "issue", [adv])
    rebilled = await billing.issued_invoice(adv, "2025-12")
    assert rebilled["invoice_number"] != december["invoice_number"] and rebilled["total"] == december["total"]
    assert await numbering_is_gapless(billing.ctx) == (True, "ok")
