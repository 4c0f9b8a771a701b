"""Crosswalks (oversight.md O1): a source's line item ids mapped to ours at ingestion; plain values and the batch
handler over in-memory ports."""

from __future__ import annotations

from datetime import date

import pytest

from invoice_svc.app.crosswalks import load_crosswalk
from invoice_svc.app.handlers import HANDLERS
from invoice_svc.domain.errors import InvalidRequest
from invoice_svc.domain.ledger.crosswalks import crosswalk_problems, crosswalked
from invoice_svc.domain.ledger.records import DeliveryRecord
from invoice_svc.testing.fakes import FakeUnit
from mediabill_common.consumer import Event
from mediabill_common.testing.kafka import envelope_for


def record(**over) -> DeliveryRecord:
    values = dict(delivery_id="D", revision=0, source_system="oms", account_id="A", contract_id=None,
                  campaign_id="CMP-1", line_item_id="OMS-LI-7", campaign_name=None, product_code="P",
                  delivery_date=date(2025, 3, 20), impressions=1, viewable_impressions=0, clicks=0, conversions=0,
                  third_party_impressions=None, media_cost=None, currency=None, event_source="/ad-platforms/oms",
                  event_id="E-1")
    return DeliveryRecord(**(values | over))


def test_a_mapped_id_of_the_records_source_becomes_ours_and_others_stay_as_they_arrived():
    ours = {("oms", "OMS-LI-7"): "L1"}
    assert crosswalked(record(), ours).line_item_id == "L1"
    assert crosswalked(record(source_system="pio"), ours).line_item_id == "OMS-LI-7"  # another source's crosswalk
    assert crosswalked(record(line_item_id="OMS-LI-8"), ours).line_item_id == "OMS-LI-8"  # not in the crosswalk
    assert crosswalked(record(), ours)._replace(line_item_id="OMS-LI-7") == record()  # nothing else changes


def test_blank_ids_are_refused():
    assert crosswalk_problems({"OMS-LI-7": "L1"}) == []
    assert [f for f, _ in crosswalk_problems({" ": "L1", "OMS-LI-8": ""})] == ["line_items", "line_items.OMS-LI-8"]


def delivered(delivery_id: str, source_system: str, line_item_id: str) -> Event:
    data = {"delivery_id": delivery_id, "revision": 0, "source_system": source_system, "account_id": "A",
            "contract_id": None, "campaign_id": "C", "line_item_id": line_item_id, "campaign_name": None,
            "product_code": "P", "delivery_date": "2025-03-10", "impressions": 1000, "viewable_impressions": 0,
            "clicks": 0, "conversions": 0, "third_party_impressions": None, "media_cost": None, "currency": None}
    return Event.of(envelope_for("CampaignDelivered", data, subject=delivery_id))


async def test_a_loaded_crosswalk_matches_the_sources_records_to_our_line_items_and_is_audited():
    unit = FakeUnit()
    await load_crosswalk(unit, "oms", {"OMS-LI-7": "L1"}, actor="cara", reason="parallel run")
    assert unit.audited[-1]["action"] == "load_crosswalk" and unit.audited[-1]["after"]["counts"]["added"] == 1
    await HANDLERS.batch_handlers["CampaignDelivered"](
        [delivered("PIO-1", "pio", "L1"), delivered("OMS-1", "oms", "OMS-LI-7")], unit)
    assert {d: r.line_item_id for (_, d), (r, _) in unit.ledger.current.items()} == {"PIO-1": "L1", "OMS-1": "L1"}
    # matched on (line item, day): OMS's record is the same day as PIO's, so it does not bill it twice
    assert "source_conflict" in unit.ledger.of("OMS-1", "oms")[1]


async def test_a_crosswalk_with_a_blank_id_is_refused_and_nothing_is_loaded():
    unit = FakeUnit()
    with pytest.raises(InvalidRequest):
        await load_crosswalk(unit, "oms", {"OMS-LI-7": " "}, actor="cara", reason=None)
    assert unit.crosswalks.by_source == {} and unit.audited == []
