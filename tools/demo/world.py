"""A deterministic, realistic retail-media world: ad products, billing accounts, contracts and a month of
deliveries as the ad platforms would send them (with duplicates, late records, restatements, a product nobody
configured, a contract booked after its deliveries, and one product's order management moving from PIO to OMS in
the middle of the month, both systems reporting in parallel for a week before the cutover)."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

# code, name, channel, pricing model, rate-card price (None: contract-priced or auction/flat fee), tiers
PRODUCTS: list[tuple[str, str, str, str, str | None, list[tuple[int | None, str]]]] = [
    ("SP-AUCTION", "Sponsored Products", "onsite", "auction_cpc", None, []),
    ("SB-AUCTION", "Sponsored Brands", "onsite", "auction_cpc", None, []),
    ("SP-CPC-FIXED", "Sponsored Products, fixed CPC", "onsite", "cpc", "0.85", []),
    ("DISPLAY-ONSITE-CPM", "Onsite display", "onsite", "cpm", "6.00",
     [(2_000_000, "6.00"), (5_000_000, "5.50"), (None, "5.00")]),
    ("DISPLAY-ONSITE-VCPM", "Onsite display, viewable", "onsite", "vcpm", "9.00", []),
    ("VIDEO-ONSITE-CPM", "Onsite video", "onsite", "cpm", "14.00", []),
    ("SEARCH-BANNER-CPC", "Search banner", "onsite", "cpc", "1.10", []),
    ("ONSITE-CPA", "Onsite cost per acquisition", "onsite", "cpa", "12.00", []),
    ("HOMEPAGE-TAKEOVER", "Homepage takeover", "onsite", "flat_fee", None, []),
    ("BRAND-SHOP", "Brand shop", "onsite", "flat_fee", None, []),
    ("OFFSITE-DISPLAY-CPM", "Offsite display", "offsite", "cpm", "4.50", []),
    ("OFFSITE-SOCIAL-CPM", "Offsite social", "offsite", "cpm", None, []),
    ("OFFSITE-VIDEO-VCPM", "Offsite video, viewable", "offsite", "vcpm", "18.00", []),
    ("OFFSITE-CTV-CPM", "Connected TV", "offsite", "cpm", "28.00", [(1_000_000, "28.00"), (None, "25.00")]),
    ("OFFSITE-CPA", "Offsite cost per acquisition", "offsite", "cpa", "9.00", []),
    ("OFFSITE-SEARCH-CPC", "Offsite search", "offsite", "cpc", "0.95", []),
    ("INSTORE-SCREEN-FLAT", "In-store screens", "in_store", "flat_fee", None, []),
    ("INSTORE-AUDIO-FLAT", "In-store audio", "in_store", "flat_fee", None, []),
    ("INSTORE-SCREEN-CPM", "In-store screens, CPM", "in_store", "cpm", "3.00", []),
    ("INSTORE-ENDCAP-FLAT", "In-store endcaps", "in_store", "flat_fee", None, []),
]
UNCONFIGURED_PRODUCT = "POPUP-DOOH"
# The platforms the deliveries come from (source_system, registration): every record names "pio", published from
# /ad-platforms/pio (bench/load publishes the same way against the demo's stack), except the migrating product's
# records from OMS (below), published from /ad-platforms/oms.
DELIVERY_SOURCES: list[tuple[str, dict]] = [
    ("pio", {"name": "PIO ad server", "event_sources": ["/ad-platforms/pio"],
             "reason": "the ad platform every demo delivery comes from"}),
    ("oms", {"name": "OMS order management", "event_sources": ["/ad-platforms/oms"],
             "reason": "takes over billing one product mid-month (the PIO -> OMS migration)"}),
]
# The migration (oversight.md O1): OMS takes over billing one CPM product mid-month from PIO, after reporting the
# same line items in parallel for PARALLEL_DAYS days; on a few of those days its counts differ from PIO's.
CURRENT_SOURCE, NEW_SOURCE = "pio", "oms"
CUTOVER_DAY, PARALLEL_DAYS = 16, 7
# (days before the cutover, OMS impressions per PIO impression): beyond the 1% readiness tolerance, and within it
OMS_DIFFERENCES = ((5, Decimal("1.03")), (3, Decimal("0.96")), (1, Decimal("1.004")))


@dataclass
class Migration:
    """One product's billing source moving from PIO to OMS on `cutover` (OMS reports from `parallel_from` on)."""

    product_code: str
    cutover: date
    parallel_from: date
    billing_sources: list[dict] = field(default_factory=list)   # the product's billing_sources, as PATCHed
    stream: list[tuple[str, str, dict]] = field(default_factory=list)  # OMS's CampaignDelivered, in publish order


@dataclass
class World:
    period: str
    products: list[dict] = field(default_factory=list)
    rate_cards: dict[str, dict] = field(default_factory=dict)
    accounts: list[dict] = field(default_factory=list)
    contracts: list[dict] = field(default_factory=list)
    late_contract: dict | None = None
    deliveries: list[dict] = field(default_factory=list)  # CampaignDelivered data, final revision per record
    stream: list[tuple[str, str, dict]] = field(default_factory=list)  # (event id, key, data) in publish order
    late_stream: list[tuple[str, str, dict]] = field(default_factory=list)  # published after the late contract
    migration: Migration | None = None


def previous_month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    last_prev = first - timedelta(days=1)
    return last_prev.replace(day=1), last_prev


def build_world(today: date, *, contracts: int = 500, accounts: int = 200, seed: int = 7) -> World:
    rng = random.Random(seed)
    start, end = previous_month(today)
    world = World(period=f"{start:%Y-%m}")
    _products(world, start)
    advertisers, agencies, sellers = _accounts(world, rng, accounts)
    _contracts(world, rng, contracts, advertisers, agencies, start, end)
    _deliveries(world, rng, sellers, start, end)
    world.migration = _migration(world, rng, start)
    return world


def _products(world: World, start: date) -> None:
    for code, name, channel, model, price, tiers in PRODUCTS:
        world.products.append({
            "code": code, "name": name, "channel": channel, "pricing_model": model,
            "contract_priced": model in ("cpm", "vcpm", "cpc", "cpa") and price is None,
            "gl_revenue_account": "4010" + str(10 + PRODUCTS.index((code, name, channel, model, price, tiers))),
            "tax_code": "ADV", "invoice_description": f"{name} ({model.replace('_', ' ').upper()})",
            "reason": "demo catalogue"})
        if price is not None:
            world.rate_cards[code] = {
                "effective_from": (start - timedelta(days=90)).isoformat(), "currency": "USD", "price": price,
                "tiers": [{"up_to": up_to, "price": p} for up_to, p in tiers]}


def _accounts(world: World, rng: random.Random, total: int) -> tuple[list[dict], list[dict], list[dict]]:
    n_agencies, n_sellers = total // 10, total // 5
    n_suppliers = total // 4
    n_advertisers = total - n_agencies - n_sellers - n_suppliers
    advertisers: list[dict] = []
    for i in range(n_suppliers):
        advertisers.append(_account(f"SUP-{i:04d}", "supplier", f"Supplier Brands {i:04d} Inc.", rng))
    for i in range(n_advertisers):
        advertisers.append(_account(f"ADV-{i:04d}", "advertiser", f"Advertiser {i:04d} LLC", rng))
    sellers = [_account(f"SEL-{i:04d}", "seller", f"Marketplace Seller {i:04d}", rng) for i in range(n_sellers)]
    agencies = []
    pool = advertisers[:]
    rng.shuffle(pool)
    for i in range(n_agencies):
        represented = [pool.pop()["account_id"] for _ in range(rng.randint(3, 5)) if pool]
        agency = _account(f"AGY-{i:03d}", "agency", f"Media Agency {i:03d} Group", rng)
        agency["represented_advertisers"] = represented
        agency["po_required"] = i % 4 == 0
        agencies.append(agency)
    world.accounts = advertisers + sellers + agencies
    return advertisers, agencies, sellers


def _account(account_id: str, kind: str, name: str, rng: random.Random) -> dict:
    return {"account_id": account_id, "type": kind, "legal_name": name, "currency": "USD",
            "payment_terms_days": rng.choice([30, 30, 45, 60]),
            "tax_rates": {"ADV": "8.875"} if rng.random() < 0.15 else {},
            "po_required": False, "invoice_contact": f"ap+{account_id.lower()}@example.com",
            "represented_advertisers": [], "reason": "demo onboarding", **_postal(account_id)}


def _postal(account_id: str) -> dict:
    """What accounts-payable needs on invoices and memos: a postal address and a tax registration id (derived from
    the id, so the world's random choices stay as they were)."""
    n = sum(map(ord, account_id))
    return {"postal_address": f"{100 + n % 900} Commerce Street, Suite {n % 40 + 1}, New York NY 10001, USA",
            "tax_registration_id": f"US EIN {10 + n % 89}-{1000000 + n * 7919 % 9000000}"}


def _contracts(world: World, rng: random.Random, total: int, advertisers: list[dict], agencies: list[dict],
               start: date, end: date) -> None:
    represented_by = {a: agency for agency in agencies for a in agency["represented_advertisers"]}
    line_products = [p for p in PRODUCTS if p[3] != "auction_cpc"]
    for n in range(total):
        advertiser = advertisers[n % len(advertisers)]
        agency = represented_by.get(advertiser["account_id"])
        bill_to = agency if agency is not None and rng.random() < 0.8 else advertiser
        basis = rng.choices(["first_party", "third_party", "discrepancy_tolerance"], [8, 1, 1])[0]
        lines = []
        for k in range(rng.choice([1, 1, 2, 2, 3])):
            code, _, _, model, price, _ = rng.choice(line_products)
            line = {"line_item_id": f"LI-{n:04d}-{k}", "product_code": code}
            if model == "flat_fee":
                line["fee"] = str(rng.choice([15000, 24000, 36000, 50000])) + ".00"
            elif price is None or rng.random() < 0.5:
                base = Decimal(price or "5.00")
                line["rate"] = str((base * Decimal(rng.choice(["0.85", "0.9", "1.0"]))).quantize(Decimal("0.01")))
            if model != "flat_fee" and rng.random() < 0.4:
                line["budget"] = str(rng.choice([2500, 5000, 10000, 40000])) + ".00"
            lines.append(line)
        flight_start = start if rng.random() < 0.7 else start - timedelta(days=rng.randint(10, 40))
        flight_end = end + timedelta(days=rng.choice([0, 30, 61]))
        contract = {
            "contract_id": f"IO-{n:05d}", "name": f"{advertiser['legal_name']} Q4 plan",
            "advertiser_account_id": advertiser["account_id"], "bill_to_account_id": bill_to["account_id"],
            "currency": bill_to["currency"], "flight_start": flight_start.isoformat(),
            "flight_end": flight_end.isoformat(), "reporting_timezone": "America/Chicago",
            "po_number": f"PO-{40000 + n}" if bill_to.get("po_required") or rng.random() < 0.3 else None,
            "discount_pct": rng.choice([None, None, "5", "10"]),
            "agency_commission_pct": rng.choice(["10", "15"]) if bill_to["type"] == "agency" else None,
            "billing_basis": basis,
            "discrepancy_threshold_pct": "10" if basis == "discrepancy_tolerance" else None,
            "payment_terms_days": rng.choice([None, 30, 45]), "lines": lines, "reason": "signed IO"}
        world.contracts.append(contract)
    world.late_contract = world.contracts.pop()  # booked only after its deliveries were sent


def _deliveries(world: World, rng: random.Random, sellers: list[dict], start: date, end: date) -> None:
    pricing = {p[0]: p[3] for p in PRODUCTS}
    records: list[dict] = []
    for contract in [*world.contracts, world.late_contract]:
        third_party = contract["billing_basis"] != "first_party"
        for line in contract["lines"]:
            model = pricing[line["product_code"]]
            if model == "flat_fee":
                continue
            day = max(start, date.fromisoformat(contract["flight_start"]))
            while day <= end:
                records.append(_delivery(rng, contract["advertiser_account_id"], contract["contract_id"],
                                         line["line_item_id"], line["product_code"], day, model, third_party))
                day += timedelta(days=1)
    for i, seller in enumerate(sellers):
        code = "SP-AUCTION" if i % 3 else "SB-AUCTION"
        day = start
        while day <= end:
            records.append(_delivery(rng, seller["account_id"], None, f"SS-{seller['account_id']}", code, day,
                                     "auction_cpc", False))
            day += timedelta(days=1)
    unconfigured = world.contracts[0]
    for d in range(5):
        records.append(_delivery(rng, unconfigured["advertiser_account_id"], unconfigured["contract_id"],
                                 f"LI-POPUP-{d}", UNCONFIGURED_PRODUCT, start + timedelta(days=d), "cpm", False))
    world.deliveries = records
    _stream(world, rng, records)


def _delivery(rng: random.Random, account: str, contract: str | None, line_item: str, product: str, day: date,
              model: str, third_party: bool) -> dict:
    impressions = rng.randint(5_000, 250_000)
    clicks = max(1, int(impressions * rng.uniform(0.001, 0.006)))
    record = {
        "delivery_id": f"{line_item}:{day.isoformat()}", "revision": 0, "source_system": "pio",
        "account_id": account, "contract_id": contract, "campaign_id": f"CMP-{line_item.split('-')[1]}",
        "line_item_id": line_item, "campaign_name": f"Campaign {line_item.split('-')[1]} holiday push",
        "product_code": product, "delivery_date": day.isoformat(), "impressions": impressions,
        "viewable_impressions": int(impressions * rng.uniform(0.55, 0.8)), "clicks": clicks,
        "conversions": int(clicks * rng.uniform(0.01, 0.05)),
        "third_party_impressions": int(impressions * rng.uniform(0.8, 1.0)) if third_party else None,
        "media_cost": None, "currency": None}
    if model == "auction_cpc":
        record["media_cost"] = str((Decimal(clicks) * Decimal(str(round(rng.uniform(0.4, 1.6), 2))))
                                   .quantize(Decimal("0.01")))
        record["currency"] = "USD"
    return record


def _stream(world: World, rng: random.Random, records: list[dict]) -> None:
    """Publish order as a platform sends it: mostly in order, ~2% resent, ~1% restated, ~1% late."""
    late_contract = world.late_contract["contract_id"]
    final: list[dict] = []
    for record in records:
        event = (str(uuid.UUID(int=rng.getrandbits(128))), record["line_item_id"], record)
        target = world.late_stream if rng.random() < 0.01 else world.stream
        target.append(event)
        if rng.random() < 0.02:
            target.append(event)  # resent: same event id
        if rng.random() < 0.01:
            restated = {**record, "revision": 1,
                        "impressions": int(record["impressions"] * 0.95), "clicks": max(1, record["clicks"] - 1)}
            if restated["third_party_impressions"] is not None:
                restated["third_party_impressions"] = int(restated["third_party_impressions"] * 0.95)
            if restated["media_cost"] is not None:
                restated["media_cost"] = str((Decimal(restated["media_cost"]) * Decimal("0.95"))
                                             .quantize(Decimal("0.01")))
            world.late_stream.append((str(uuid.UUID(int=rng.getrandbits(128))), record["line_item_id"], restated))
            final.append(restated)
        else:
            final.append(record)
    world.deliveries = final
    assert any(e[2]["contract_id"] == late_contract for e in world.stream + world.late_stream)


def _migration(world: World, rng: random.Random, start: date) -> Migration | None:
    """The CPM product (with a rate card) on the most contract lines moves to OMS; OMS reports its deliveries
    (final figures, under its own delivery ids) from a week before the cutover, a few days differing."""
    cpm = {p[0] for p in PRODUCTS if p[3] == "cpm" and p[4] is not None}
    used = Counter(line["product_code"] for c in [*world.contracts, world.late_contract] if c is not None
                   for line in c["lines"] if line["product_code"] in cpm)
    if not used:
        return None
    code = sorted(used.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    cutover = start.replace(day=CUTOVER_DAY)
    migration = Migration(code, cutover, cutover - timedelta(days=PARALLEL_DAYS), billing_sources=[
        {"source_system": CURRENT_SOURCE, "effective_from": (start - timedelta(days=90)).isoformat()},
        {"source_system": NEW_SOURCE, "effective_from": cutover.isoformat()}])
    factors = {cutover - timedelta(days=before): factor for before, factor in OMS_DIFFERENCES}
    for record in world.deliveries:
        day = date.fromisoformat(record["delivery_date"])
        if record["product_code"] != code or day < migration.parallel_from:
            continue
        factor = factors.get(day, Decimal(1))
        oms = {**record, "delivery_id": f"OMS-{record['delivery_id']}", "revision": 0, "source_system": NEW_SOURCE,
               "impressions": int(record["impressions"] * factor)}
        migration.stream.append((str(uuid.UUID(int=rng.getrandbits(128))), record["line_item_id"], oms))
    return migration
