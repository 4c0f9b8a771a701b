"""Payments from collections that cannot be applied as sent raise a billing exception: never silence, never rounding.

- an amount that is not a whole number of its currency's minor units -> `payment_amount_precision`;
- a `payment_id` already recorded with another invoice, bill-to account, amount or currency -> `payment_conflict`
  (the recorded payment stands; an exact resend changes nothing and raises nothing);
- a bill-to account other than the invoice's -> `payment_account_mismatch`.
The first two are found before the invoice is looked up, so neither waits for an invoice that is not there.
None of them is recorded, so collections can send the corrected payment under the same `payment_id`. While such an
exception is open, the same payment sent again raises nothing new (one open exception per payment and variant).
"""

from __future__ import annotations

import hashlib

from invoice_svc.app.exceptions import raise_exception
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.app.stored import Receivable
from invoice_svc.domain.billing.balance import BalanceEntry
from invoice_svc.domain.billing.history import EntryCause
from invoice_svc.domain.billing.payments import Payment, differences, fingerprint, shown_amount
from mediabill_common.events.catalog import PaymentApplied
from mediabill_common.money import in_minor_units, round_money


def payment_sent(data: PaymentApplied) -> Payment:
    return Payment(data.payment_id, data.invoice_id, data.bill_to_account_id, data.amount, data.currency)


async def may_apply(unit: InvoiceUnit, sent: Payment) -> bool:
    """Whether the payment may go on to its invoice (or wait for it): its amount is exact and its `payment_id` new.

    Checked before the invoice is looked up, so that neither kind of payment is parked for the unknown-invoice wait.
    False for an amount with value below the currency's minor unit (`payment_amount_precision`: storing or applying
    it would round money collections says it received), a `payment_id` recorded with other facts
    (`payment_conflict`), and an exact resend (silently)."""
    if not in_minor_units(sent.amount, sent.currency):
        # amount_at_risk is the exposure to the minor unit (what the queue sorts by); refs keep the amount as sent
        await raise_exception(unit, "payment_amount_precision", sent.bill_to_account_id,
                              {"payment_id": sent.payment_id, "invoice_id": sent.invoice_id,
                               "amount": shown_amount(sent.amount)},
                              round_money(sent.amount, sent.currency), sent.currency,
                              dedupe_key=_dedupe_key("payment_amount_precision", sent))
        return False
    recorded = await unit.receivables.recorded_payment(sent.payment_id)
    if recorded is None:
        return True
    await _raise_conflict_if_different(unit, recorded, sent)
    return False


async def record_payment(unit: InvoiceUnit, invoice: Receivable, sent: Payment, entry: BalanceEntry, *,
                         applied: bool, event_id: str, cause: EntryCause | None = None) -> bool:
    """Record a payment that `may_apply` let through; True when the balance is to be recomputed.

    False for a payment naming another bill-to account than the invoice's (`payment_account_mismatch`), and for
    one recorded meanwhile by a concurrent transaction (another partition): silent or `payment_conflict`."""
    if sent.bill_to_account_id != invoice.bill_to_account_id:
        await _raise_account_mismatch(unit, invoice, sent)
        return False
    if await unit.receivables.record_entry(invoice.invoice_id, entry, applied=applied, event_id=event_id,
                                           cause=cause):
        return True
    recorded = await unit.receivables.recorded_payment(sent.payment_id)
    if recorded is not None:
        await _raise_conflict_if_different(unit, recorded, sent)
    return False


async def _raise_account_mismatch(unit: InvoiceUnit, invoice: Receivable, sent: Payment) -> None:
    await raise_exception(unit, "payment_account_mismatch", invoice.bill_to_account_id,
                          {"payment_id": sent.payment_id, "invoice_id": sent.invoice_id,
                           "payment_bill_to_account_id": sent.bill_to_account_id},
                          sent.amount, sent.currency, dedupe_key=_dedupe_key("payment_account_mismatch", sent))


async def _raise_conflict_if_different(unit: InvoiceUnit, recorded: Payment, sent: Payment) -> None:
    """`payment_conflict` on the recorded payment's account, unless `sent` is an exact resend of it."""
    differs = differences(recorded, sent)
    if not differs:
        return
    refs = {"payment_id": sent.payment_id, "differs": ",".join(differs),
            "invoice_id": sent.invoice_id, "bill_to_account_id": sent.bill_to_account_id,
            "amount": shown_amount(sent.amount), "currency": sent.currency,
            "recorded_invoice_id": recorded.invoice_id, "recorded_bill_to_account_id": recorded.bill_to_account_id,
            "recorded_amount": format(round_money(recorded.amount, recorded.currency), "f"),
            "recorded_currency": recorded.currency}
    await raise_exception(unit, "payment_conflict", recorded.bill_to_account_id, refs, sent.amount,
                          sent.currency, dedupe_key=_dedupe_key("payment_conflict", sent))


def _dedupe_key(kind: str, sent: Payment) -> str:
    """kind + payment_id + a digest of the payment's facts: within the 400 characters of the key whatever the ids'
    lengths, and the same for an exact resend."""
    digest = hashlib.sha256(fingerprint(sent).encode()).hexdigest()[:16]
    return f"{kind}:payment_id={sent.payment_id}:{digest}"
