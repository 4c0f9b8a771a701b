"""The balance handlers of invoice-svc's consumer: memo, payment and dispute events -> receivables."""

from __future__ import annotations

from invoice_svc.app.balances import BALANCES_CONSUMER, BalanceBook
from mediabill_common.consumer.parking import ParkingLot
from mediabill_common.consumer.runner import Handler
from mediabill_common.events.catalog import ADJUSTMENTS_TOPIC, DISPUTES_TOPIC, PAYMENTS_TOPIC
from mediabill_common.service import ServiceContext

BALANCE_TOPICS: list[str] = [DISPUTES_TOPIC, ADJUSTMENTS_TOPIC, PAYMENTS_TOPIC]
BALANCE_EVENT_TYPES = ("CreditMemoIssued", "DebitMemoIssued", "PaymentApplied", "DisputeOpened", "DisputeResolved",
                       "DisputeWithdrawn", "DisputeReopened")


def balance_handlers(ctx: ServiceContext) -> dict[str, Handler]:
    """Event type -> handler for every event that moves (or holds) an invoice's receivable."""
    book = BalanceBook(ctx.outbox, ParkingLot(ctx.tables.parked_events, BALANCES_CONSUMER),
                       unknown_after_s=getattr(ctx.settings, "unknown_invoice_after_s", 3600.0))
    return {event_type: book.when_receivable_event_update_balance for event_type in BALANCE_EVENT_TYPES}
