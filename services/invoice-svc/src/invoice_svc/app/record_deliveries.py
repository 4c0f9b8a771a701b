"""when CampaignDelivered: record the batch in the usage ledger, exactly once per (delivery_id, revision)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.config_repository import (
    ConfigReader,
    account_key,
    contract_key,
    lock_config_shared,
    product_key,
)
from invoice_svc.adapters.ledger_repository import LedgerRepository
from invoice_svc.app.delivery_checks import sync_delivery_exceptions
from invoice_svc.domain.ledger.billability import check_billability
from invoice_svc.domain.ledger.records import DeliveryRecord
from mediabill_common.audit import AuditTrail
from mediabill_common.consumer.decode import Received
from mediabill_common.events.catalog import CampaignDelivered
from mediabill_common.outbox.writer import OutboxWriter

RESTATED = "a restatement of the delivery no longer raises it"


def _row(item: Received) -> DeliveryRecord:
    p: CampaignDelivered = item.payload  # type: ignore[assignment]
    return DeliveryRecord(p.delivery_id, p.revision, p.source_system, p.account_id, p.contract_id, p.campaign_id,
                          p.line_item_id, p.campaign_name, p.product_code, p.delivery_date, p.impressions,
                          p.viewable_impressions, p.clicks, p.conversions, p.third_party_impressions, p.media_cost,
                          p.currency, item.envelope.source, item.envelope.id)


def distinct_revisions(items: Sequence[Received]) -> tuple[list[DeliveryRecord], dict[str, int]]:
    """The batch's distinct (delivery_id, revision) rows, first arrival of each, and for each delivery the index
    of its highest revision among them (of equal revisions the first to arrive wins)."""
    rows: list[DeliveryRecord] = []
    seen: set[tuple[str, int]] = set()
    latest: dict[str, int] = {}
    for item in items:
        p: CampaignDelivered = item.payload  # type: ignore[assignment]
        key = (p.delivery_id, p.revision)
        if key in seen:
            continue
        seen.add(key)
        held = latest.get(p.delivery_id)
        if held is None or p.revision > rows[held].revision:
            latest[p.delivery_id] = len(rows)
        rows.append(_row(item))
    return rows, latest


class RecordDeliveries:
    """The batch handler for CampaignDelivered (runs inside the runner's transaction; never commits)."""

    def __init__(self, outbox: OutboxWriter, audit: AuditTrail, config: ConfigReader) -> None:
        self._outbox = outbox
        self._audit = audit
        self._config = config

    async def __call__(self, session: AsyncSession, items: list[Received]) -> None:
        rows, latest = distinct_revisions(items)
        records = {d: rows[i] for d, i in latest.items()}
        config = await self._read_config(session, list(records.values()))
        verdicts = {d: check_billability(r, config) for d, r in records.items()}
        applied = await LedgerRepository(session).record_batch(
            rows, {d: (i, verdicts[d].kinds) for d, i in latest.items()})
        restated = [(d, verdicts[d].kinds) for d, inserted in applied.items() if not inserted]
        raised = [(records[d], kind, verdicts[d]) for d in applied for kind in verdicts[d].kinds]
        await sync_delivery_exceptions(session, self._outbox, self._audit, raised=raised, rechecked=restated,
                                       resolution=RESTATED)

    async def _read_config(self, session: AsyncSession, records: Sequence[DeliveryRecord]):
        products = {r.product_code for r in records}
        accounts = {r.account_id for r in records}
        contracts = {r.contract_id for r in records if r.contract_id}
        await lock_config_shared(session, [product_key(k) for k in products] + [account_key(k) for k in accounts]
                                 + [contract_key(k) for k in contracts])
        return await self._config.load(session, products, accounts, contracts)
