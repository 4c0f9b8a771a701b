"""Payments from collections that cannot be applied as sent raise a billing exception: never silence, never rounding.

- an amount that is not a whole number of its currency's minor units -> `payment_amount_precision` (checked before
  the invoice is looked up, so such a payment is not parked for the unknown-invoice wait either);
- a `payment_id` already recorded with another invoice, bill-to account, amount or currency -> `payment_conflict`
  (the recorded payment stands; an exact resend changes nothing and raises nothing);
- a bill-to account other than the invoice's -> `payment_account_mismatch`.
None of them is recorded, so collections can send the corrected payment under the same `payment_id`. While such an
exception is open, the same payment sent again raises nothing new (one open exception per payment and variant).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.money import in_minor_units, round_money
from mediabill_common.outbox.writer import OutboxWriter

from invoice_svc.adapters import invoice_balance_repository as entries_repo
from invoice_svc.app.exceptions import raise_exception
from invoice_svc.domain.billing.balance import BalanceEntry
from invoice_svc.domain.billing.payments import Payment, differences, fingerprint, shown_amount


def payment_sent(data: Any) -> Payment:
    return Payment(data.payment_id, data.invoice_id, data.bill_to_account_id, data.amount, data.currency)


async def amount_is_exact(session: AsyncSession, outbox: OutboxWriter, data: Any) -> bool:
    """False (and `payment_amount_precision` raised) when the amount has value below the currency's minor unit:
    storing or applying it would round money that collections says it received."""
    if in_minor_units(data.amount, data.currency):
        return True
    sent = payment_sent(data)
    # amount_at_risk is the exposure to the minor unit (what the queue sorts by); refs keep the amount as sent
    await raise_exception(session, outbox, "payment_amount_precision", sent.bill_to_account_id,
                          {"payment_id": sent.payment_id, "invoice_id": sent.invoice_id,
                           "amount": shown_amount(sent.amount)},
                          round_money(sent.amount, sent.currency), sent.currency,
                          dedupe_key=_dedupe_key("payment_amount_precision", sent))
    return False


async def record_payment(session: AsyncSession, outbox: OutboxWriter, invoice: Any, data: Any,
                         entry: BalanceEntry, *, applied: bool, event_id: str) -> bool:
    """Record the payment once by `payment_id`; True when it is new and the balance is to be recomputed.

    False for an exact resend (silently), a `payment_id` recorded with other facts (`payment_conflict`) and a
    payment naming another bill-to account than the invoice's (`payment_account_mismatch`)."""
    sent = payment_sent(data)
    recorded = await entries_repo.recorded_payment(session, sent.payment_id)
    if recorded is None:
        if sent.bill_to_account_id != invoice["bill_to_account_id"]:
            await _raise_account_mismatch(session, outbox, invoice, sent)
            return False
        if await entries_repo.record_entry(session, invoice["invoice_id"], entry, applied=applied,
                                           event_id=event_id):
            return True
        # recorded by a concurrent transaction (another partition) since we looked: compare with that one
        recorded = await entries_repo.recorded_payment(session, sent.payment_id)
    if recorded is not None and (differs := differences(recorded, sent)):
        await _raise_conflict(session, outbox, invoice, recorded, sent, differs)
    return False


async def _raise_account_mismatch(session: AsyncSession, outbox: OutboxWriter, invoice: Any, sent: Payment) -> None:
    await raise_exception(session, outbox, "payment_account_mismatch", invoice["bill_to_account_id"],
                          {"payment_id": sent.payment_id, "invoice_id": sent.invoice_id,
                           "payment_bill_to_account_id": sent.bill_to_account_id},
                          sent.amount, sent.currency, dedupe_key=_dedupe_key("payment_account_mismatch", sent))


async def _raise_conflict(session: AsyncSession, outbox: OutboxWriter, invoice: Any, recorded: Payment,
                          sent: Payment, differs: list[str]) -> None:
    refs = {"payment_id": sent.payment_id, "differs": ",".join(differs),
            "invoice_id": sent.invoice_id, "bill_to_account_id": sent.bill_to_account_id,
            "amount": shown_amount(sent.amount), "currency": sent.currency,
            "recorded_invoice_id": recorded.invoice_id, "recorded_bill_to_account_id": recorded.bill_to_account_id,
            "recorded_amount": format(round_money(recorded.amount, recorded.currency), "f"),
            "recorded_currency": recorded.currency}
    await raise_exception(session, outbox, "payment_conflict", invoice["bill_to_account_id"], refs, sent.amount,
                          sent.currency, dedupe_key=_dedupe_key("payment_conflict", sent))


def _dedupe_key(kind: str, sent: Payment) -> str:
    """kind + payment_id + a digest of the payment's facts: within the 400 characters of the key whatever the ids'
    lengths, and the same for an exact resend."""
    digest = hashlib.sha256(fingerprint(sent).encode()).hexdigest()[:16]
    return f"{kind}:payment_id={sent.payment_id}:{digest}"
