"""Kafka topics dispute-svc consumes and the handler for each event type."""

from __future__ import annotations

from functools import partial

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncSession

from dispute_svc.app import reactions as r
from mediabill_common.consumer import ConsumerRunner
from mediabill_common.consumer.decode import Received
from mediabill_common.events.catalog import ADJUSTMENTS_TOPIC, CONFIG_TOPIC, INVOICES_TOPIC
from mediabill_common.service import ServiceContext

TOPICS: list[str] = [INVOICES_TOPIC, ADJUSTMENTS_TOPIC, CONFIG_TOPIC]

HANDLERS = {
    "InvoiceIssued": r.when_invoice_issued_record_invoice,
    "InvoiceVoided": r.when_invoice_voided_mark_void,
    "InvoiceBalanceChanged": r.when_invoice_balance_changed_keep_balance,
    "CreditMemoIssued": r.when_credit_memo_issued_reduce_headroom,
    "AdjustmentRejected": r.when_adjustment_rejected_reopen_dispute,
    "ProductCreated": r.when_product_changed_keep_product,
    "ProductUpdated": r.when_product_changed_keep_product,
    "RateCardAdded": r.when_product_changed_keep_product,
    "ProductActivated": r.when_product_changed_keep_product,
    "ProductRetired": r.when_product_changed_keep_product,
    "BillingAccountUpserted": r.when_account_upserted_keep_account,
    "ContractCreated": r.when_contract_changed_keep_contract,
    "ContractActivated": r.when_contract_changed_keep_contract,
    "ContractAmended": r.when_contract_changed_keep_contract,
    "ContractEnded": r.when_contract_changed_keep_contract,
}


async def _adapt(handler, ctx: ServiceContext, session: AsyncSession, received: Received) -> None:
    await handler(session, ctx, received.envelope, received.payload)


def make_runner(ctx: ServiceContext, producer: AIOKafkaProducer) -> ConsumerRunner:
    return ConsumerRunner(name=ctx.settings.service_name, session_factory=ctx.sessions,
                          inbox=ctx.tables.inbox, producer=producer,
                          handlers={t: partial(_adapt, h, ctx) for t, h in HANDLERS.items()},
                          max_attempts=ctx.settings.consumer_max_attempts,
                          sources=ctx.trusted_sources)
