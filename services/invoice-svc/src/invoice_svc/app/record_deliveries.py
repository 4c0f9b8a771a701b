"""when CampaignDelivered: record the batch in the usage ledger, exactly once per (delivery_id, revision)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.audit import AuditTrail
from mediabill_common.consumer.decode import Received
from mediabill_common.events.catalog import CampaignDelivered
from mediabill_common.outbox.writer import OutboxWriter

from invoice_svc.adapters import ledger_repository as ledger
from invoice_svc.adapters.config_repository import (
    ConfigReader, account_key, contract_key, lock_config_shared, product_key,
)
from invoice_svc.adapters.ledger_repository import LedgerEntry
from invoice_svc.app.delivery_checks import sync_delivery_exceptions
from invoice_svc.domain.ledger.billability import check_billability
from invoice_svc.domain.ledger.records import DeliveryRecord

RESTATED = "a restatement of the delivery no longer raises it"


def _record(p: CampaignDelivered) -> DeliveryRecord:
    return DeliveryRecord(
        delivery_id=p.delivery_id, revision=p.revision, account_id=p.account_id, contract_id=p.contract_id,
        line_item_id=p.line_item_id, product_code=p.product_code, delivery_date=p.delivery_date,
        impressions=p.impressions, viewable_impressions=p.viewable_impressions, clicks=p.clicks,
        conversions=p.conversions, third_party_impressions=p.third_party_impressions, media_cost=p.media_cost,
        currency=p.currency)


def _entry(item: Received, record: DeliveryRecord, kinds: tuple[str, ...] = ()) -> LedgerEntry:
    p: CampaignDelivered = item.payload  # type: ignore[assignment]
    return LedgerEntry(record=record, source_system=p.source_system, campaign_id=p.campaign_id,
                       campaign_name=p.campaign_name, event_source=item.envelope.source,
                       event_id=item.envelope.id, kinds=kinds)


def latest_per_delivery(items: Sequence[tuple[Received, DeliveryRecord]]) \
        -> dict[str, tuple[Received, DeliveryRecord]]:
    """The highest revision of each delivery in the batch; of equal revisions the first to arrive wins."""
    latest: dict[str, tuple[Received, DeliveryRecord]] = {}
    for item, record in items:
        held = latest.get(record.delivery_id)
        if held is None or record.revision > held[1].revision:
            latest[record.delivery_id] = (item, record)
    return latest


class RecordDeliveries:
    """The batch handler for CampaignDelivered (runs inside the runner's transaction; never commits)."""

    def __init__(self, outbox: OutboxWriter, audit: AuditTrail, config: ConfigReader) -> None:
        self._outbox = outbox
        self._audit = audit
        self._config = config

    async def __call__(self, session: AsyncSession, items: list[Received]) -> None:
        records = [(item, _record(item.payload)) for item in items]  # type: ignore[arg-type]
        await ledger.record_revisions(session, _distinct_revisions(records))
        latest = latest_per_delivery(records)
        config = await self._read_config(session, [r for _, r in latest.values()])
        verdicts = {d: check_billability(r, config) for d, (_, r) in latest.items()}
        applied = await ledger.apply_current(
            session, [_entry(i, r, verdicts[d].kinds) for d, (i, r) in latest.items()])
        restated = [(d, verdicts[d].kinds) for d, inserted in applied.items() if not inserted]
        raised = [(latest[d][1], kind, verdicts[d]) for d in applied for kind in verdicts[d].kinds]
        await sync_delivery_exceptions(session, self._outbox, self._audit, raised=raised, rechecked=restated,
                                       resolution=RESTATED)

    async def _read_config(self, session: AsyncSession, records: Sequence[DeliveryRecord]):
        products = {r.product_code for r in records}
        accounts = {r.account_id for r in records}
        contracts = {r.contract_id for r in records if r.contract_id}
        await lock_config_shared(session, [product_key(k) for k in products] + [account_key(k) for k in accounts]
                                 + [contract_key(k) for k in contracts])
        return await self._config.load(session, products, accounts, contracts)


def _distinct_revisions(records: Sequence[tuple[Received, DeliveryRecord]]) -> list[LedgerEntry]:
    seen: dict[tuple[str, int], LedgerEntry] = {}
    for item, record in records:
        seen.setdefault((record.delivery_id, record.revision), _entry(item, record))
    return list(seen.values())
