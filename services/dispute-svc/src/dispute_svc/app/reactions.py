"""Reactions to events from other services: one handler per message, named for what it does.

Each takes (session, ctx, envelope, payload); the consumer table adapts them to the runner. Handlers never commit.
Events about an invoice not seen yet are parked and replayed when its InvoiceIssued arrives.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from dispute_svc.adapters.config_repository import ConfigRepository
from dispute_svc.adapters.dispute_repository import DisputeRepository
from dispute_svc.adapters.invoice_repository import InvoiceRepository
from dispute_svc.app.views import snapshot
from mediabill_common.consumer.parking import ParkingLot
from mediabill_common.events.catalog import (
    AccountChanged,
    AdjustmentRejected,
    ContractChanged,
    DisputeReopened,
    InvoiceBalanceChanged,
    InvoiceIssued,
    InvoiceVoided,
    MemoIssued,
    ProductChanged,
    parse_payload,
)
from mediabill_common.events.envelope import Envelope
from mediabill_common.service import ServiceContext

log = logging.getLogger(__name__)


def parking_lot(ctx: ServiceContext) -> ParkingLot:
    return ParkingLot(ctx.tables.parked_events, ctx.settings.service_name)


async def when_invoice_issued_record_invoice(session: AsyncSession, ctx: ServiceContext, envelope: Envelope,
                                             payload: InvoiceIssued) -> None:
    """Keep the invoice and its lines, then apply whatever was waiting for it."""
    await InvoiceRepository(session).record_issued(payload)
    for parked in await parking_lot(ctx).release(session, payload.invoice_id):
        handler = WAITING_FOR_INVOICE[parked.type]
        await handler(session, ctx, parked, parse_payload(parked.type, parked.data))


async def _park_unless_known(session: AsyncSession, ctx: ServiceContext, envelope: Envelope,
                             invoice_id: str) -> bool:
    if await InvoiceRepository(session).exists(invoice_id):
        return False
    await parking_lot(ctx).park(session, envelope, waiting_for=invoice_id)
    return True


async def when_invoice_voided_mark_void(session: AsyncSession, ctx: ServiceContext, envelope: Envelope,
                                        payload: InvoiceVoided) -> None:
    if not await _park_unless_known(session, ctx, envelope, payload.invoice_id):
        await InvoiceRepository(session).mark_void(payload.invoice_id)


async def when_invoice_balance_changed_keep_balance(session: AsyncSession, ctx: ServiceContext,
                                                    envelope: Envelope, payload: InvoiceBalanceChanged) -> None:
    if not await _park_unless_known(session, ctx, envelope, payload.invoice_id):
        await InvoiceRepository(session).apply_balance(payload)


async def when_credit_memo_issued_reduce_headroom(session: AsyncSession, ctx: ServiceContext, envelope: Envelope,
                                                  payload: MemoIssued) -> None:
    """The memo's lines are credited; a memo settling a dispute turns that dispute's hold into the credit."""
    if await _park_unless_known(session, ctx, envelope, payload.invoice_id):
        return
    if not await InvoiceRepository(session).record_credit_memo(payload) or payload.dispute_id is None:
        return
    repo = DisputeRepository(session)
    dispute = await repo.get(payload.dispute_id, for_update=True)
    if dispute is None or dispute.status != "resolved":
        return
    before = snapshot(dispute)
    dispute.settle_credit(at=payload.issued_at, memo_number=payload.memo_number)
    await repo.save(dispute)
    await ctx.audit.record(session, actor="adjustment-svc", action="dispute.credit_issued", entity_type="dispute",
                           entity_id=dispute.dispute_id, reason=f"credit memo {payload.memo_number} issued",
                           before=before, after=snapshot(dispute))


async def when_adjustment_rejected_reopen_dispute(session: AsyncSession, ctx: ServiceContext, envelope: Envelope,
                                                  payload: AdjustmentRejected) -> None:
    """Rule 20: the credit request that settles an upheld dispute was rejected, so the dispute is back in review."""
    if payload.dispute_id is None:
        return
    repo = DisputeRepository(session)
    dispute = await repo.get(payload.dispute_id, for_update=True)
    if dispute is None or dispute.status != "resolved" or dispute.outcome not in ("upheld", "partially_upheld") \
            or dispute.credit_settled:
        log.info("adjustment rejection needs no reopening", extra={"dispute_id": payload.dispute_id})
        return
    before = snapshot(dispute)
    reason = (f"credit request {payload.adjustment_id} was rejected by {payload.rejected_by}: {payload.reason}")
    dispute.reopen(reason, by=payload.rejected_by, at=payload.rejected_at)
    await repo.save(dispute)
    await ctx.audit.record(session, actor=payload.rejected_by, action="dispute.reopened", entity_type="dispute",
                           entity_id=dispute.dispute_id, reason=reason, before=before, after=snapshot(dispute))
    await ctx.outbox.publish(session, "DisputeReopened", key=dispute.bill_to_account_id,
                             subject=dispute.dispute_id, causationid=envelope.id, data=DisputeReopened(
                                 dispute_id=dispute.dispute_id, invoice_id=dispute.invoice_id,
                                 bill_to_account_id=dispute.bill_to_account_id, reason=reason,
                                 reopened_at=payload.rejected_at))


async def when_product_changed_keep_product(session: AsyncSession, ctx: ServiceContext, envelope: Envelope,
                                            payload: ProductChanged) -> None:
    await ConfigRepository(session).keep_newer("product", payload.product.code, payload.state_version,
                                               payload.product.model_dump(mode="json"))


async def when_account_upserted_keep_account(session: AsyncSession, ctx: ServiceContext, envelope: Envelope,
                                             payload: AccountChanged) -> None:
    await ConfigRepository(session).keep_newer("account", payload.account.account_id, payload.state_version,
                                               payload.account.model_dump(mode="json"))


async def when_contract_changed_keep_contract(session: AsyncSession, ctx: ServiceContext, envelope: Envelope,
                                              payload: ContractChanged) -> None:
    await ConfigRepository(session).keep_newer("contract", payload.contract.contract_id, payload.state_version,
                                               payload.contract.model_dump(mode="json"))


# Events that may arrive before the invoice they are about; replayed by `when_invoice_issued_record_invoice`.
WAITING_FOR_INVOICE = {
    "InvoiceVoided": when_invoice_voided_mark_void,
    "InvoiceBalanceChanged": when_invoice_balance_changed_keep_balance,
    "CreditMemoIssued": when_credit_memo_issued_reduce_headroom,
}
