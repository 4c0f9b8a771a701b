"""CampaignDelivered records as the ad platforms send them, for the contracts and sellers that really exist.

The same shape as tools/demo/world.py (first-party counts, third-party counts on non-first-party contracts, an
auction-cleared media cost on self-serve auction products); each record is one line item on one service date.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

FLAT_OR_AUCTION = ("flat_fee",)


def month_days(period: str, *, until: date | None = None) -> list[date]:
    """The service dates of a period (YYYY-MM), stopping before `until` (the ad server has not reported it yet)."""
    first = date.fromisoformat(f"{period}-01")
    days, day = [], first
    while day.month == first.month and (until is None or day < until):
        days.append(day)
        day += timedelta(days=1)
    return days


def delivery_slots(contracts: list[dict], products: dict[str, dict], days: list[date],
                   seller_ids: list[str]) -> list[tuple[dict | None, str, str, date]]:
    """Every (contract, line item, product, service date) an ad server would report on: contract lines of usage
    products inside their flight, and the self-serve sellers' auction campaigns."""
    slots: list[tuple[dict | None, str, str, date]] = []
    for contract in contracts:
        if contract.get("status") != "active":
            continue
        start, end = date.fromisoformat(contract["flight_start"]), date.fromisoformat(contract["flight_end"])
        for line in contract.get("lines", []):
            product = products.get(line["product_code"])
            if product is None or product["pricing_model"] in FLAT_OR_AUCTION or product.get("status") != "live":
                continue
            slots += [(contract, line["line_item_id"], line["product_code"], d) for d in days if start <= d <= end]
    auction = [code for code, p in products.items()
               if p["pricing_model"] == "auction_cpc" and p.get("status") == "live"]
    for i, seller in enumerate(seller_ids):
        if auction:
            code = auction[i % len(auction)]
            slots += [(None, f"SS-{seller}", code, d) for d in days]
    return slots


def delivery_record(rng: random.Random, slot: tuple[dict | None, str, str, date], pricing_model: str,
                    revision: int) -> dict:
    """One CampaignDelivered data payload for a slot, at the given revision."""
    contract, line_item, product, day = slot
    impressions = rng.randint(5_000, 250_000)
    clicks = max(1, int(impressions * rng.uniform(0.001, 0.006)))
    third_party = contract is not None and contract.get("billing_basis", "first_party") != "first_party"
    campaign = line_item.split("-")[1] if "-" in line_item else line_item
    record = {
        "delivery_id": f"{line_item}:{day.isoformat()}", "revision": revision, "source_system": "pio",
        "account_id": contract["advertiser_account_id"] if contract else line_item.removeprefix("SS-"),
        "contract_id": contract["contract_id"] if contract else None, "campaign_id": f"CMP-{campaign}",
        "line_item_id": line_item, "campaign_name": f"Campaign {campaign} holiday push",
        "product_code": product, "delivery_date": day.isoformat(), "impressions": impressions,
        "viewable_impressions": int(impressions * rng.uniform(0.55, 0.8)), "clicks": clicks,
        "conversions": int(clicks * rng.uniform(0.01, 0.05)),
        "third_party_impressions": int(impressions * rng.uniform(0.8, 1.0)) if third_party else None,
        "media_cost": None, "currency": None}
    if pricing_model == "auction_cpc":
        record["media_cost"] = str((Decimal(clicks) * Decimal(str(round(rng.uniform(0.4, 1.6), 2))))
                                   .quantize(Decimal("0.01")))
        record["currency"] = "USD"
    return record
