"""Recording a payment and publishing it as PaymentApplied (a small outbox: recorded first, then sent).

Who may record one: `billing-analyst` (so managers and directors too), the people who apply cash received to
invoices, and `service`, a bank feed or cash-application system. `auditor` never writes and `config-admin` keeps
products and contracts, not cash (the same split as opening a dispute, docs/architecture.md "Controls").
A payment is checked with the event catalog's wire types: an amount that is a decimal string above zero with no
more decimals than its currency has (0.001 USD cannot be paid), and an ISO 4217 currency."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel, Field

from mediabill_common.events.envelope import CONTENT_TYPE
from mediabill_common.events.types import Amount, Currency, Id
from mediabill_common.money import minor_units, round_money
from mediabill_common.web.problems import Unprocessable
from tools.collections.ledger import ArLedger

log = logging.getLogger("collections")
PAYMENTS_TOPIC = "collections.payments.v1"
SOURCE = "/collections/simulated"
PAYMENT_ROLES = ("billing-analyst", "service")


class PaymentRequest(BaseModel):
    invoice_id: Id
    amount: Amount = Field(description="decimal string above zero, in the currency's minor unit at most",
                           examples=["1000.00"])
    currency: Currency | None = Field(default=None, description="ISO 4217; defaults to the invoice's currency")


def checked_amount(amount: Decimal, currency: str) -> Decimal:
    """`amount` if it can be paid in `currency`; Unprocessable (422) naming the field otherwise."""
    if amount <= 0:
        problem = "must be more than zero"
    elif amount != round_money(amount, currency):
        problem = f"has more decimals than {currency} has ({minor_units(currency)})"
    else:
        return amount
    raise Unprocessable(f"The payment amount {format(amount, 'f')} {problem}.",
                        errors=[{"field": "amount", "in": "body", "message": problem}])


def new_payment(body: PaymentRequest, invoice: Any) -> dict:
    """The payment `body` makes against `invoice` (the ledger's row for it), checked."""
    currency = body.currency or invoice["currency"]
    return {"payment_id": str(uuid.uuid4()), "invoice_id": body.invoice_id,
            "bill_to_account_id": invoice["bill_to_account_id"], "amount": checked_amount(body.amount, currency),
            "currency": currency, "applied_at": datetime.now(UTC)}


def payment_json(payment: dict) -> dict:
    return {**payment, "amount": format(payment["amount"], "f"), "applied_at": payment["applied_at"].isoformat()}


async def publish_payment(producer: AIOKafkaProducer, ledger: ArLedger, payment: dict) -> None:
    """Publish a recorded payment as PaymentApplied (idempotent downstream on payment_id) and mark it sent."""
    data = payment_json(payment)
    envelope = {"specversion": "1.0", "id": data["payment_id"], "source": SOURCE, "type": "PaymentApplied",
                "time": data["applied_at"], "subject": data["invoice_id"], "datacontenttype": "application/json",
                "schemaversion": 1, "data": data}
    await producer.send_and_wait(PAYMENTS_TOPIC, json.dumps(envelope).encode(),
                                 key=data["bill_to_account_id"].encode(),
                                 headers=[("content-type", CONTENT_TYPE.encode())])
    await ledger.mark_published(data["payment_id"])


async def republish(producer: AIOKafkaProducer, ledger: ArLedger, stop: asyncio.Event) -> None:
    """Publish payments recorded but not sent (the process died in between, or Kafka was away)."""
    while not stop.is_set():
        try:
            for payment in await ledger.unpublished_payments(older_than_s=5):
                await publish_payment(producer, ledger, payment)
        except Exception as exc:  # noqa: BLE001 - retried on the next pass
            log.warning("republishing payments failed: %r", exc)
        with contextlib.suppress(TimeoutError):  # the next pass
            await asyncio.wait_for(stop.wait(), timeout=2)
