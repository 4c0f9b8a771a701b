"""CampaignDelivered, a whole batch at a time: refuse a delivery of an unregistered source system, or of a registered
one published from an event source not registered for it (dead-lettered), put each record under our line item id
where its source's crosswalk maps it, record the rest in the usage ledger exactly once per (source_system,
delivery_id, revision) (a delivery_id is unique within its source; rule-13 revisions apply within it), check
each delivery's billability (its configuration, and whether its source bills its day) and raise or resolve its
exceptions.

Ingestion throughput is what this handler is measured by (bench/ingest): one record per distinct revision is all
it builds per event, and the ledger takes the batch in one write.
"""

from __future__ import annotations

from collections.abc import Sequence

from invoice_svc.app.delivery_checks import sync_delivery_exceptions
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.domain.ledger.billability import check_billability
from invoice_svc.domain.ledger.crosswalks import crosswalked
from invoice_svc.domain.ledger.records import BillingConfig, DeliveryKey, DeliveryRecord
from invoice_svc.domain.ledger.sources import billing_sources, service_day, source_refusal
from mediabill_common.consumer import Event, PermanentError
from mediabill_common.events.catalog import CampaignDelivered

RESTATED = "a restatement of the delivery no longer raises it"


def distinct_revisions(events: Sequence[Event[CampaignDelivered]]) \
        -> tuple[list[DeliveryRecord], dict[DeliveryKey, int]]:
    """The batch's distinct (source_system, delivery_id, revision) records, first arrival of each, and for each
    delivery (source_system, delivery_id) the index of its highest revision among them (of equal revisions the
    first to arrive wins)."""
    records: list[DeliveryRecord] = []
    seen: set[tuple[str, str, int]] = set()
    latest: dict[DeliveryKey, int] = {}
    for event in events:
        p = event.payload
        key = (p.source_system, p.delivery_id, p.revision)
        if key in seen:
            continue
        seen.add(key)
        delivery = (p.source_system, p.delivery_id)
        held = latest.get(delivery)
        if held is None or p.revision > records[held].revision:
            latest[delivery] = len(records)
        records.append(DeliveryRecord(
            p.delivery_id, p.revision, p.source_system, p.account_id, p.contract_id, p.campaign_id, p.line_item_id,
            p.campaign_name, p.product_code, p.delivery_date, p.impressions, p.viewable_impressions, p.clicks,
            p.conversions, p.third_party_impressions, p.media_cost, p.currency, event.envelope.source,
            event.envelope.id))
    return records, latest


async def when_campaign_delivered_record_in_ledger(events: list[Event[CampaignDelivered]],
                                                   unit: InvoiceUnit) -> None:
    await _refuse_unregistered_sources(unit, events)
    revisions, latest = distinct_revisions(events)
    revisions = await _under_our_line_items(unit, revisions)
    current = {d: revisions[i] for d, i in latest.items()}
    config = await _config_for(unit, list(current.values()))
    held = await unit.ledger.billing_sources({service_day(r) for r in revisions})
    sources = billing_sources(held, revisions)
    verdicts = {d: check_billability(r, config, sources[service_day(r)]) for d, r in current.items()}
    applied = await unit.ledger.record_batch(revisions, {d: (i, verdicts[d]) for d, i in latest.items()})
    restated = [(d, verdicts[d].kinds) for d, inserted in applied.items() if not inserted]
    raised = [(current[d], kind, verdicts[d]) for d in applied for kind in verdicts[d].kinds]
    await sync_delivery_exceptions(unit, raised=raised, rechecked=restated, resolution=RESTATED)


async def _refuse_unregistered_sources(unit: InvoiceUnit, events: Sequence[Event[CampaignDelivered]]) -> None:
    """Raise PermanentError for the first refused delivery: the runner then applies the batch event by event and
    dead-letters only the refused ones, with the reason."""
    systems = {e.payload.source_system for e in events}
    registered = await unit.config.event_sources_of(systems)
    any_registered = bool(registered) or await unit.config.any_delivery_source()
    if not any_registered:
        return
    # Each distinct (source_system, event source) once, in arrival order: the first refused is the first event's.
    for source_system, event_source in dict.fromkeys((e.payload.source_system, e.envelope.source) for e in events):
        refusal = source_refusal(source_system, event_source, registered, any_registered=any_registered)
        if refusal is not None:
            raise PermanentError(refusal)


async def _under_our_line_items(unit: InvoiceUnit, revisions: list[DeliveryRecord]) -> list[DeliveryRecord]:
    """The records under our line item ids where their source's crosswalk maps theirs (domain.ledger.crosswalks),
    those of a line item another source's crosswalk maps to locked for the first-seen rule (they may come on several
    partitions, read by several consumers at once)."""
    ours = await unit.crosswalks.mapped({(r.source_system, r.line_item_id) for r in revisions})
    mapped = [crosswalked(r, ours) for r in revisions] if ours else revisions
    await unit.crosswalks.lock_shared_line_items({r.line_item_id for r in mapped})
    return mapped


async def _config_for(unit: InvoiceUnit, records: Sequence[DeliveryRecord]) -> BillingConfig:
    """The configuration the records name, under shared locks held until commit (a change to it waits)."""
    products = {r.product_code for r in records}
    accounts = {r.account_id for r in records}
    contracts = {r.contract_id for r in records if r.contract_id}
    await unit.config.lock_shared(products, accounts, contracts)
    return await unit.config.load(products, accounts, contracts)
