"""Revenue at risk means billable value held back (priced by the engine); over-delivery is reported apart."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoice_svc.testing.billing import READER, account, configure, contract, deliver, delivery, product

pytestmark = pytest.mark.integration


async def _kpis(billing) -> dict:
    response = await billing.client.get("/v1/kpis", params={"from": "2025-03", "to": "2025-03"}, headers=READER)
    assert response.status_code == 200, response.text
    return response.json()


def _usd(entries: list[dict]) -> Decimal:
    return sum((Decimal(e["value"]) for e in entries if e["currency"] == "USD"), Decimal(0))


async def test_unknown_product_is_valued_at_risk_and_over_delivery_is_not(invoice_feed, billing, unique):
    u = unique
    p, adv = f"P-{u}", f"ADV-{u}"
    await configure(invoice_feed, products=[product(p)], accounts=[account(adv)], contracts=[contract(
        f"C-{u}", advertiser=adv, bill_to=adv, lines=[
            {"line_item_id": f"L1-{u}", "product_code": p, "rate": "6.00", "budget": "100.00"},
            {"line_item_id": f"L2-{u}", "product_code": p, "rate": "6.00"}])])
    before = await _kpis(billing)
    base = {"account_id": adv, "contract_id": f"C-{u}"}
    await deliver(invoice_feed, [
        delivery(f"D1-{u}", line_item_id=f"L1-{u}", product_code=p, day="2025-03-05", impressions=100_000, **base),
        # the platform reports a product code nobody configured on a line the contract books as `p`
        delivery(f"D2-{u}", line_item_id=f"L2-{u}", product_code=f"P-TYPO-{u}", day="2025-03-06",
                 impressions=250_000, **base)])
    await billing.bill("2025-03", "issue", [adv])  # L1 bills its 100.00 budget; 500.00 is over-delivery

    response = await billing.client.get("/v1/exceptions", params={"account_id": adv, "sort": "-value_at_risk"},
                                        headers=READER)
    assert response.status_code == 200, response.text
    unknown, exhausted = response.json()["items"]
    # priced by the engine as the product the contract line books, at the line's negotiated 6.00 CPM
    assert (unknown["kind"], unknown["exposure"], unknown["value_at_risk"], unknown["unpriced"]) == (
        "unknown_product", "revenue_at_risk", "1500.00", False)
    assert (unknown["quantity"], unknown["unit"], unknown["currency"]) == (250_000, "impressions", "USD")
    assert (exhausted["kind"], exhausted["exposure"], exhausted["value_at_risk"], exhausted["amount_at_risk"],
            exhausted["over_delivery_value"]) == ("budget_exhausted", "over_delivery", None, None, "500.00")

    after = await _kpis(billing)
    assert _usd(after["revenue_at_risk"]) - _usd(before["revenue_at_risk"]) == Decimal("1500.00")
    assert _usd(after["over_delivery_value"]) - _usd(before["over_delivery_value"]) == Decimal("500.00")
    [kind] = [k for k in after["open_exceptions"]["by_kind"] if k["kind"] == "budget_exhausted"
              and k["currency"] == "USD"]
    assert (kind["exposure"], kind["value_at_risk"]) == ("over_delivery", None)


async def test_exceptions_sort_by_value_at_risk_and_page_with_the_cursor(invoice_feed, billing, unique):
    u = unique
    p, adv = f"P-{u}", f"ADV-{u}"
    await configure(invoice_feed, products=[product(p)], accounts=[account(adv)], contracts=[])
    # unknown contract: each record is held back and priced on the rate card (5.00 CPM)
    await deliver(invoice_feed, [
        delivery(f"D{n}-{u}", account_id=adv, contract_id=f"C-missing-{u}", line_item_id=f"L{n}-{u}",
                 product_code=p, day=f"2025-03-0{n}", impressions=n * 10_000) for n in (2, 9, 5)])
    values = []
    cursor = None
    for _ in range(4):
        params = {"account_id": adv, "sort": "-value_at_risk", "limit": 1} | ({"cursor": cursor} if cursor else {})
        page = (await billing.client.get("/v1/exceptions", params=params, headers=READER)).json()
        values += [x["value_at_risk"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert values == ["450.00", "250.00", "100.00"]
    ascending = (await billing.client.get("/v1/exceptions", params={"account_id": adv, "sort": "value_at_risk"},
                                          headers=READER)).json()
    assert [x["value_at_risk"] for x in ascending["items"]] == ["100.00", "250.00", "450.00"]
    refused = await billing.client.get("/v1/exceptions", params={"sort": "amount"}, headers=READER)
    assert refused.status_code == 422
