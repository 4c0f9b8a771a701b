"""The benchmark's synthetic workload: configuration and a realistic stream of CampaignDelivered messages."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from mediabill_common.events.config_state import AccountState, ContractState, ProductState

# The benchmark's own delivery source, registered by the seed (oversight.md O1: once any source is registered,
# deliveries of an unregistered source_system are dead-lettered, e.g. on a database the demo has loaded).
SOURCE_SYSTEM, EVENT_SOURCE = "bench", "/ad-platforms/bench"
PRODUCTS = [("cpm", 6), ("vcpm", 2), ("cpc", 2), ("auction_cpc", 2)]  # (pricing model, how many products)


@dataclass
class Workload:
    runid: str
    n: int
    seed: int = 7
    accounts: int = 200
    contracts: int = 400
    lines_per_contract: int = 5
    duplicate_share: float = 0.02
    restatement_share: float = 0.01
    unbillable_share: float = 0.005

    def products(self) -> list[ProductState]:
        out = []
        for model, count in PRODUCTS:
            for i in range(count):
                out.append(ProductState.model_validate({
                    "code": f"B{self.runid}-{model}-{i}", "name": f"{model} {i}", "channel": "onsite",
                    "pricing_model": model, "status": "live",
                    "rate_cards": [] if model == "auction_cpc" else
                    [{"effective_from": "2025-01-01", "currency": "USD", "price": "4.50"}]}))
        return out

    def account_states(self) -> list[AccountState]:
        return [AccountState.model_validate({"account_id": self._account(i), "type": "advertiser",
                                             "legal_name": f"Advertiser {i}", "currency": "USD"})
                for i in range(self.accounts)]

    def contract_states(self) -> list[ContractState]:
        contracted = [p for p in self.products() if p.pricing_model != "auction_cpc"]
        out = []
        for c in range(self.contracts):
            lines = [{"line_item_id": self._line(c, j), "product_code": contracted[(c + j) % len(contracted)].code,
                      "rate": "6.00"} for j in range(self.lines_per_contract)]
            out.append(ContractState.model_validate({
                "contract_id": self._contract(c), "status": "active",
                "advertiser_account_id": self._account(c % self.accounts),
                "bill_to_account_id": self._account(c % self.accounts), "currency": "USD",
                "flight_start": "2025-01-01", "flight_end": "2025-12-31", "lines": lines,
                "versions": [{"amendment_no": 0, "effective_from": "2025-01-01", "terms": {}}]}))
        return out

    def _account(self, i: int) -> str:
        return f"B{self.runid}-A{i}"

    def _contract(self, i: int) -> str:
        return f"B{self.runid}-C{i}"

    def _line(self, c: int, j: int) -> str:
        return f"B{self.runid}-C{c}-L{j}"

    def messages(self) -> Iterator[tuple[bytes, bytes]]:
        """(key, CloudEvents JSON) pairs, N in all: ~2% resends of an earlier message, ~1% restatements
        (a higher revision of an earlier delivery), ~0.5% for a contract never configured, 10% self-serve."""
        rng = random.Random(self.seed)
        auction = [p.code for p in self.products() if p.pricing_model == "auction_cpc"]
        contracted = [p.code for p in self.products() if p.pricing_model != "auction_cpc"]
        recent: list[tuple[bytes, bytes, dict]] = []
        next_delivery = 0
        revisions: set[tuple[str, int]] = set()
        self.distinct_events = 0
        for _ in range(self.n):
            roll = rng.random()
            if recent and roll < self.duplicate_share:
                key, value, _ = rng.choice(recent)
                yield key, value
                continue
            self.distinct_events += 1
            if recent and roll < self.duplicate_share + self.restatement_share:
                _, _, data = rng.choice(recent)
                data = dict(data, revision=data["revision"] + 1, impressions=data["impressions"] + 17)
            else:
                data = self._delivery(rng, next_delivery, auction, contracted)
                next_delivery += 1
            revisions.add((data["delivery_id"], data["revision"]))
            self.deliveries, self.revisions = next_delivery, len(revisions)
            key, value = data["line_item_id"].encode(), self._envelope(data)
            recent.append((key, value, data))
            if len(recent) > 5000:
                recent.pop(rng.randrange(len(recent)))
            yield key, value

    def _delivery(self, rng: random.Random, i: int, auction: list[str], contracted: list[str]) -> dict:
        day = (date(2025, 3, 1) + timedelta(days=i % 28)).isoformat()
        impressions = rng.randint(1_000, 500_000)
        common = {"delivery_id": f"B{self.runid}-D{i}", "revision": 0, "source_system": SOURCE_SYSTEM,
                  "campaign_id": f"CMP-{i % 997}", "campaign_name": "Always on", "delivery_date": day,
                  "impressions": impressions, "viewable_impressions": impressions * 7 // 10,
                  "clicks": impressions // 200, "conversions": impressions // 5000,
                  "third_party_impressions": None}
        if rng.random() < 0.1:  # self-serve auction, billed on the account's terms
            a = rng.randrange(self.accounts)
            return common | {"account_id": self._account(a), "contract_id": None,
                             "line_item_id": f"B{self.runid}-SS{a}", "product_code": rng.choice(auction),
                             "media_cost": f"{impressions / 1000:.2f}", "currency": "USD"}
        c = rng.randrange(self.contracts)
        j = rng.randrange(self.lines_per_contract)
        contract = self._contract(c) if rng.random() >= self.unbillable_share else f"B{self.runid}-C-missing"
        return common | {"account_id": self._account(c % self.accounts), "contract_id": contract,
                         "line_item_id": self._line(c, j), "product_code": contracted[(c + j) % len(contracted)],
                         "media_cost": None, "currency": None}

    @staticmethod
    def _envelope(data: dict) -> bytes:
        return json.dumps({
            "specversion": "1.0", "id": str(uuid.uuid4()), "source": EVENT_SOURCE,
            "type": "CampaignDelivered", "time": datetime.now(UTC).isoformat(), "subject": data["delivery_id"],
            "datacontenttype": "application/json", "schemaversion": 1, "data": data,
        }, separators=(",", ":")).encode()
