"""Read models kept from events: products (billing.config.v1), posted invoices with their receivable state
(billing.invoices.v1) and payments awaiting invoice-svc (collections.payments.v1)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from accounting_svc.adapters.tables import applied_payment_events, invoices, payments, products
from accounting_svc.app.ports import InvoiceRecord, PendingPayment
from accounting_svc.domain.documents import DocumentLine, InvoiceDocument
from accounting_svc.domain.receivable import Receivable
from mediabill_common.money import Money


class ProductReadModel:
    """app.ports.Products over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def keep_newer(self, code: str, state_version: int, *, channel: str | None,
                         gl_revenue_account: str | None) -> bool:
        row = insert(products).values(code=code, state_version=state_version, channel=channel,
                                      gl_revenue_account=gl_revenue_account)
        upsert = row.on_conflict_do_update(
            index_elements=[products.c.code],
            set_={"state_version": row.excluded.state_version, "channel": row.excluded.channel,
                  "gl_revenue_account": row.excluded.gl_revenue_account},
            where=products.c.state_version < row.excluded.state_version,
        ).returning(products.c.code)
        return (await self._s.execute(upsert)).first() is not None

    async def channels(self, codes: Collection[str]) -> dict[str, str | None]:
        if not codes:
            return {}
        rows = await self._s.execute(select(products.c.code, products.c.channel)
                                     .where(products.c.code.in_(list(codes))))
        return {r.code: r.channel for r in rows}


def _line_json(line: DocumentLine) -> dict[str, Any]:
    return {**dataclasses.asdict(line), "amount": str(line.amount)}


def _line_of(data: dict[str, Any]) -> DocumentLine:
    return DocumentLine(**{**data, "amount": Decimal(data["amount"])})


def _invoice_row(record: InvoiceRecord) -> dict[str, Any]:
    doc, r = record.document, record.receivable
    return {"invoice_id": doc.invoice_id, "invoice_number": doc.invoice_number, "account_id": doc.account_id,
            "bill_to_account_id": doc.bill_to_account_id, "contract_id": doc.contract_id, "period": doc.period,
            "issue_date": doc.issue_date, "currency": doc.currency,
            "lines": [_line_json(line) for line in doc.lines], "entry_id": record.entry_id, "total": r.total,
            "credited": r.credited, "debited": r.debited, "paid": r.paid, "voided": r.voided}


class InvoiceRepository:
    """app.ports.Invoices over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, record: InvoiceRecord) -> None:
        await self.add_many([record])

    async def add_many(self, records: list[InvoiceRecord]) -> None:
        if records:
            await self._s.execute(insert(invoices), [_invoice_row(record) for record in records])

    async def known(self, invoice_ids: Collection[str]) -> set[str]:
        if not invoice_ids:
            return set()
        rows = await self._s.execute(select(invoices.c.invoice_id).where(invoices.c.invoice_id.in_(list(invoice_ids))))
        return {r.invoice_id for r in rows}

    async def get(self, invoice_id: str, *, for_update: bool = False) -> InvoiceRecord | None:
        query = select(invoices).where(invoices.c.invoice_id == invoice_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        if row is None:
            return None
        document = InvoiceDocument(
            invoice_id=row.invoice_id, invoice_number=row.invoice_number, account_id=row.account_id,
            bill_to_account_id=row.bill_to_account_id, contract_id=row.contract_id, period=row.period,
            issue_date=row.issue_date, currency=row.currency, total=row.total,
            lines=tuple(_line_of(line) for line in row.lines))
        receivable = Receivable(row.currency, total=row.total, credited=row.credited, debited=row.debited,
                                paid=row.paid, voided=row.voided)
        return InvoiceRecord(document, row.entry_id, receivable)

    async def save_receivable(self, invoice_id: str, receivable: Receivable) -> None:
        await self._s.execute(update(invoices).where(invoices.c.invoice_id == invoice_id).values(
            total=receivable.total, credited=receivable.credited, debited=receivable.debited, paid=receivable.paid,
            voided=receivable.voided, updated_at=func.now()))

    async def record_reported_balance(self, invoice_id: str, *, balance_due: Decimal, overpaid: Decimal) -> None:
        await self._s.execute(update(invoices).where(invoices.c.invoice_id == invoice_id).values(
            reported_balance_due=balance_due, reported_overpaid=overpaid, updated_at=func.now()))


def _payment_of(row: Any) -> PendingPayment:
    return PendingPayment(payment_id=row.payment_id, event_id=row.event_id, invoice_id=row.invoice_id,
                          bill_to_account_id=row.bill_to_account_id, amount=Money(row.amount, row.currency),
                          applied_at=row.applied_at, status=row.status)


class PaymentRepository:
    """app.ports.Payments over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, payment: PendingPayment) -> bool:
        row = insert(payments).values(
            payment_id=payment.payment_id, event_id=payment.event_id, invoice_id=payment.invoice_id,
            bill_to_account_id=payment.bill_to_account_id, amount=payment.amount.amount,
            currency=payment.amount.currency, applied_at=payment.applied_at, status=payment.status)
        return (await self._s.execute(row.on_conflict_do_nothing().returning(payments.c.payment_id))).first() \
            is not None

    async def by_event(self, event_id: str, *, for_update: bool = False) -> PendingPayment | None:
        query = select(payments).where(payments.c.event_id == event_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        return None if row is None else _payment_of(row)

    async def set_status(self, payment_id: str, status: str) -> None:
        await self._s.execute(update(payments).where(payments.c.payment_id == payment_id).values(status=status))

    async def record_applied_event(self, event_id: str) -> None:
        await self._s.execute(insert(applied_payment_events).values(event_id=event_id).on_conflict_do_nothing())

    async def was_applied(self, event_id: str) -> bool:
        query = select(applied_payment_events.c.event_id).where(applied_payment_events.c.event_id == event_id)
        return (await self._s.execute(query)).first() is not None

    async def past_wait(self, received_before: datetime, limit: int) -> list[PendingPayment]:
        query = (select(payments).where(payments.c.status == "pending", payments.c.received_at < received_before)
                 .order_by(payments.c.received_at).limit(limit).with_for_update(skip_locked=True))
        return [_payment_of(row) for row in await self._s.execute(query)]
