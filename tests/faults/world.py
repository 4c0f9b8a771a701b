"""The fault suite's world: a month of retail-media delivery large enough to stress ingest (>= 100,000 distinct
deliveries), shaped so that every invoice can be computed here with plain Decimal arithmetic: cpm/vcpm/cpc/cpa
contract lines at negotiated rates (no budgets, no tiers, no tax, one period, flights covering the month), a
discount and agency commission on some contracts, and self-serve auction sellers billed at the sum of media cost.

The stream is dirty as platforms send it: resent records (same event id), restatements (a higher revision with
new figures) and late records, all published in a seeded order."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

PERIOD = "2026-09"
FIRST, LAST = date(2026, 9, 1), date(2026, 9, 30)
CENT = Decimal("0.01")
METRIC = {"cpm": "impressions", "vcpm": "viewable_impressions", "cpc": "clicks", "cpa": "conversions"}
PER = {"cpm": Decimal(1000), "vcpm": Decimal(1000), "cpc": Decimal(1), "cpa": Decimal(1)}
# code, pricing model, rate-card price (contract lines always carry a negotiated rate, so this never prices)
PRODUCTS = [("F-DISPLAY-CPM", "cpm", "6.00"), ("F-VIDEO-VCPM", "vcpm", "14.00"), ("F-SEARCH-CPC", "cpc", "0.95"),
            ("F-SHOP-CPA", "cpa", "9.00"), ("F-SP-AUCTION", "auction_cpc", None),
            ("F-SB-AUCTION", "auction_cpc", None)]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class FaultWorld:
    products: list[dict] = field(default_factory=list)
    rate_cards: dict[str, dict] = field(default_factory=dict)
    accounts: list[dict] = field(default_factory=list)
    contracts: list[dict] = field(default_factory=list)
    stream: list[tuple[str, str, dict]] = field(default_factory=list)  # (event id, key, data), publish order
    final: dict[str, dict] = field(default_factory=dict)  # delivery_id -> the highest revision's data

    @property
    def event_ids(self) -> set[str]:
        return {event_id for event_id, _, _ in self.stream}

    def expected_invoices(self) -> dict[tuple[str, str], dict]:
        """(bill-to, contract id or '' for self-serve) -> {"total", "lines": {line_item_id: (quantity, amount)},
        "discount", "commission"}, computed from the terms and the final revision of every delivery."""
        quantities: dict[str, int] = defaultdict(int)
        media: dict[str, Decimal] = defaultdict(Decimal)
        for d in self.final.values():
            if d["contract_id"] is None:
                media[d["account_id"]] += Decimal(d["media_cost"])
            else:
                model = _model(d["product_code"])
                quantities[d["line_item_id"]] += d[METRIC[model]]
        expected: dict[tuple[str, str], dict] = {}
        for contract in self.contracts:
            lines = {}
            for line in contract["lines"]:
                model = _model(line["product_code"])
                qty = quantities[line["line_item_id"]]
                lines[line["line_item_id"]] = (qty, cents(Decimal(qty) / PER[model] * Decimal(line["rate"])))
            gross = sum((amount for _, amount in lines.values()), Decimal(0))
            discount = -cents(gross * Decimal(contract["discount_pct"] or 0) / 100)
            commission = -cents((gross + discount) * Decimal(contract["agency_commission_pct"] or 0) / 100)
            expected[(contract["bill_to_account_id"], contract["contract_id"])] = {
                "total": gross + discount + commission, "lines": lines, "discount": discount,
                "commission": commission}
        for account, cost in media.items():
            expected[(account, "")] = {"total": cost, "lines": None, "discount": Decimal(0),
                                       "commission": Decimal(0)}
        return expected


def _model(code: str) -> str:
    return next(model for c, model, _ in PRODUCTS if c == code)


def build_fault_world(*, seed: int = 20260901, contracts: int = 240, sellers: int = 40,
                      segments: int = 7) -> FaultWorld:
    """Deterministic for a seed; `segments` deliveries per contract line and day (placements reported apart)."""
    rng = random.Random(seed)
    world = FaultWorld()
    for code, model, price in PRODUCTS:
        world.products.append({
            "code": code, "name": f"Fault suite {model} {code}", "channel": "onsite", "pricing_model": model,
            "gl_revenue_account": "401000", "tax_code": "ADV", "invoice_description": f"{code} ({model})",
            "reason": "fault suite catalogue"})
        if price:
            world.rate_cards[code] = {"effective_from": "2026-01-01", "currency": "USD", "price": price}
    advertisers = [_account(f"FADV-{i:04d}", "advertiser") for i in range(contracts // 2)]
    agencies = []
    for i in range(12):
        agency = _account(f"FAGY-{i:02d}", "agency")
        agency["represented_advertisers"] = [a["account_id"] for a in advertisers[i * 5:(i + 1) * 5]]
        agencies.append(agency)
    seller_accounts = [_account(f"FSEL-{i:03d}", "seller") for i in range(sellers)]
    world.accounts = advertisers + seller_accounts + agencies
    represented_by = {a: g["account_id"] for g in agencies for a in g["represented_advertisers"]}
    usage_products = [p for p in PRODUCTS if p[1] != "auction_cpc"]
    for n in range(contracts):
        advertiser = advertisers[n % len(advertisers)]["account_id"]
        agency = represented_by.get(advertiser) if n % 3 else None
        lines = []
        for k in range(rng.choice([1, 2, 2, 3])):
            code, model, price = rng.choice(usage_products)
            rate = cents(Decimal(price) * Decimal(rng.choice(["0.8", "0.85", "0.9", "1.0", "1.1"])))
            lines.append({"line_item_id": f"FLI-{n:04d}-{k}", "product_code": code, "rate": str(rate)})
        world.contracts.append({
            "contract_id": f"FIO-{n:05d}", "name": f"Fault suite plan {n}", "advertiser_account_id": advertiser,
            "bill_to_account_id": agency or advertiser, "currency": "USD", "flight_start": FIRST.isoformat(),
            "flight_end": LAST.isoformat(), "reporting_timezone": "UTC", "billing_basis": "first_party",
            "discount_pct": rng.choice([None, None, "5", "7.5", "10"]),
            "agency_commission_pct": rng.choice(["10", "15"]) if agency else None,
            "lines": lines, "reason": "signed IO"})
    _deliveries(world, rng, seller_accounts, segments)
    return world


def _account(account_id: str, kind: str) -> dict:
    return {"account_id": account_id, "type": kind, "legal_name": f"{account_id} Ltd", "currency": "USD",
            "payment_terms_days": 30, "tax_rates": {}, "po_required": False,
            "invoice_contact": f"ap+{account_id.lower()}@example.com", "represented_advertisers": [],
            "reason": "fault suite onboarding"}


def _deliveries(world: FaultWorld, rng: random.Random, sellers: list[dict], segments: int) -> None:
    records = []
    days = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
    for contract in world.contracts:
        for line in contract["lines"]:
            for day in days:
                for s in range(segments):
                    records.append(_delivery(rng, contract["advertiser_account_id"], contract["contract_id"],
                                             line["line_item_id"], line["product_code"], day, s, auction=False))
    for i, seller in enumerate(sellers):
        code = "F-SP-AUCTION" if i % 3 else "F-SB-AUCTION"
        for day in days:
            for s in range(segments):
                records.append(_delivery(rng, seller["account_id"], None, f"FSS-{seller['account_id']}", code, day,
                                         s, auction=True))
    late: list[tuple[str, str, dict]] = []
    for record in records:
        event = (_uuid(rng), record["line_item_id"], record)
        (late if rng.random() < 0.01 else world.stream).append(event)
        if rng.random() < 0.02:
            (late if rng.random() < 0.5 else world.stream).append(event)  # resent with the same event id
        world.final[record["delivery_id"]] = record
        if rng.random() < 0.015:
            restated = _restate(record, 1)
            late.append((_uuid(rng), record["line_item_id"], restated))
            world.final[record["delivery_id"]] = restated
            if rng.random() < 0.2:  # restated twice, and the older restatement arrives last
                newer = _restate(record, 2)
                late.insert(len(late) - 1, (_uuid(rng), record["line_item_id"], newer))
                world.final[record["delivery_id"]] = newer
    world.stream.extend(late)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _delivery(rng: random.Random, account: str, contract: str | None, line_item: str, product: str, day: date,
              segment: int, *, auction: bool) -> dict:
    impressions = rng.randint(2_000, 60_000)
    clicks = max(1, int(impressions * rng.uniform(0.001, 0.006)))
    record = {
        "delivery_id": f"{line_item}:{day.isoformat()}:P{segment}", "revision": 0, "source_system": "pio",
        "account_id": account, "contract_id": contract, "campaign_id": f"FCMP-{line_item}",
        "line_item_id": line_item, "campaign_name": f"Campaign {line_item}", "product_code": product,
        "delivery_date": day.isoformat(), "impressions": impressions,
        "viewable_impressions": int(impressions * rng.uniform(0.55, 0.8)), "clicks": clicks,
        "conversions": int(clicks * rng.uniform(0.01, 0.08)), "third_party_impressions": None,
        "media_cost": None, "currency": None}
    if auction:
        record["media_cost"] = str(cents(Decimal(clicks) * Decimal(str(round(rng.uniform(0.4, 1.6), 2)))))
        record["currency"] = "USD"
    return record


def _restate(record: dict, revision: int) -> dict:
    factor = Decimal("0.95") if revision == 1 else Decimal("0.9")
    restated = {**record, "revision": revision, "impressions": int(record["impressions"] * factor),
                "viewable_impressions": int(record["viewable_impressions"] * factor),
                "clicks": max(1, record["clicks"] - revision), "conversions": max(0, record["conversions"] - 1)}
    if record["media_cost"] is not None:
        restated["media_cost"] = str(cents(Decimal(record["media_cost"]) * factor))
    return restated
