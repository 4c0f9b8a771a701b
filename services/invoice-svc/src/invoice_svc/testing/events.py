"""Builders of the events invoice-svc consumes (deliveries, configuration states), broker helpers, and a feed that
publishes them to the real topics and applies them through the real runner."""

from __future__ import annotations

from datetime import date
from typing import Any

from invoice_svc.context import InvoiceContext
from invoice_svc.entrypoints.consumer import make_runner
from mediabill_common.events.envelope import Envelope
from mediabill_common.kafka import make_producer
from mediabill_common.testing.kafka import end_offsets, envelope_for, publish, read_from


def delivery(delivery_id: str, *, revision: int = 0, account_id: str, product_code: str,
             contract_id: str | None = None, line_item_id: str = "L1", delivery_date: str = "2025-03-10",
             impressions: int = 100_000, **extra: Any) -> dict[str, Any]:
    data = {
        "delivery_id": delivery_id, "revision": revision, "source_system": "pio", "account_id": account_id,
        "contract_id": contract_id, "campaign_id": "CMP-1", "line_item_id": line_item_id,
        "campaign_name": "Spring", "product_code": product_code, "delivery_date": delivery_date,
        "impressions": impressions, "viewable_impressions": impressions // 2, "clicks": impressions // 100,
        "conversions": impressions // 1000, "third_party_impressions": None, "media_cost": None, "currency": None,
    }
    data.update(extra)
    return data


def product_state(code: str, *, pricing_model: str = "cpm", status: str = "live", price: str | None = "5.00",
                  contract_priced: bool = False) -> dict[str, Any]:
    cards = [] if price is None else [{"effective_from": "2025-01-01", "currency": "USD", "price": price}]
    return {"code": code, "name": f"Product {code}", "channel": "onsite", "pricing_model": pricing_model,
            "contract_priced": contract_priced, "status": status, "rate_cards": cards}


def account_state(account_id: str, *, currency: str = "USD", type: str = "advertiser") -> dict[str, Any]:
    return {"account_id": account_id, "type": type, "legal_name": f"Advertiser {account_id}",
            "currency": currency}


def contract_state(contract_id: str, *, account_id: str, product_code: str, line_item_id: str = "L1",
                   rate: str | None = "6.00", currency: str = "USD", flight_start: str = "2025-03-01",
                   flight_end: str = "2025-03-31", billing_basis: str = "first_party") -> dict[str, Any]:
    return {"contract_id": contract_id, "status": "active", "advertiser_account_id": account_id,
            "bill_to_account_id": account_id, "currency": currency, "flight_start": flight_start,
            "flight_end": flight_end, "billing_basis": billing_basis,
            "lines": [{"line_item_id": line_item_id, "product_code": product_code, "rate": rate}],
            "versions": [{"amendment_no": 0, "effective_from": flight_start, "terms": {"rate": rate}}]}


def config_event(event_type: str, state: dict[str, Any], version: int = 1) -> tuple[str, Envelope]:
    aggregate = {"Product": "product", "Billing": "account", "Contract": "contract", "RateCard": "product"}
    name = next(v for k, v in aggregate.items() if event_type.startswith(k))
    key: str = state["contract_id"] if name == "contract" else state.get("code") or state["account_id"]
    return key, envelope_for(event_type, {"state_version": version, name: state}, subject=key,
                             source="/mediabill/product-config-svc")


def delivered(data: dict[str, Any], *, id: str | None = None, source: str = "/ad-platforms/test"):
    return data["line_item_id"], envelope_for("CampaignDelivered", data, subject=data["delivery_id"], id=id,
                                              source=source)


def day(d: str) -> date:
    return date.fromisoformat(d)


class Feed:
    """Publishes events to the real topics and applies what the broker returns through the real runner."""

    def __init__(self, ctx: InvoiceContext, bootstrap: str, name: str) -> None:
        self.ctx, self.bootstrap, self.name = ctx, bootstrap, name
        self.producer = make_producer(bootstrap, client_id=name)  # for the runner's dead letters
        self.runner = make_runner(ctx, self.producer, name=name)

    async def start(self) -> None:
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()

    async def publish_and_apply(self, topic: str, items: list, batch_sizes: list[int] | None = None) -> list:
        """Publish (key, envelope|bytes) items, read them back from the broker, apply them in batches."""
        start = await end_offsets(self.bootstrap, topic)
        await publish(self.bootstrap, topic, items)
        records = await read_from(self.bootstrap, start, len(items))
        await self.apply(records, batch_sizes)
        return records

    async def apply(self, records: list, batch_sizes: list[int] | None = None) -> None:
        sizes = list(batch_sizes or [len(records)])
        i = 0
        while i < len(records):
            size = max(1, sizes.pop(0) if sizes else len(records))
            await self.runner.process(records[i:i + size])
            i += size
