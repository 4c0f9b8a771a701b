"""SQL for the invoice read model (billing.invoices.v1 + credits from billing.adjustments.v1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispute_svc.adapters.numeric import from_numeric
from dispute_svc.adapters.tables import credit_memos, invoice_lines, invoices
from dispute_svc.domain.model import InvoiceLineView, InvoiceView
from mediabill_common.events.catalog import InvoiceBalanceChanged, InvoiceIssued, MemoIssued

# Lines whose amounts count towards what a contract line has already billed (budget caps, flat-fee spread).
BILLED_KINDS = ("usage", "flat_fee", "prior_period_adjustment")


_HEAD = [c for c in invoices.c if c.name != "issued"]


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record_issued(self, issued: InvoiceIssued) -> bool:
        """Keep an issued invoice and its lines; False when it was already known (a replay)."""
        data = issued.model_dump(mode="json")
        row = await self._session.execute(insert(invoices).values(
            invoice_id=issued.invoice_id, invoice_number=issued.invoice_number, account_id=issued.account_id,
            bill_to_account_id=issued.bill_to_account_id, contract_id=issued.contract_id,
            po_number=issued.po_number, period=issued.period, period_start=issued.period_start,
            period_end=issued.period_end, issue_date=issued.issue_date, due_date=issued.due_date,
            currency=issued.currency, total=issued.total, status="issued", balance_due=issued.total,
            issued=data,
        ).on_conflict_do_nothing().returning(invoices.c.invoice_id))
        if row.first() is None:
            return False
        if issued.lines:
            await self._session.execute(insert(invoice_lines).values([
                {"invoice_id": issued.invoice_id, "invoice_line_id": ln.invoice_line_id, "position": i,
                 "kind": ln.kind, "product_code": ln.product_code, "line_item_id": ln.line_item_id,
                 "description": ln.description, "amount": ln.amount}
                for i, ln in enumerate(issued.lines)]))
        return True

    async def exists(self, invoice_id: str) -> bool:
        found = await self._session.execute(select(invoices.c.invoice_id).where(invoices.c.invoice_id == invoice_id))
        return found.first() is not None

    async def get(self, invoice_id: str, *, for_update: bool = False) -> InvoiceView | None:
        """The invoice with its lines; `for_update` locks it so concurrent disputes see each other's holds."""
        # Not the issued document: a JSON copy of the whole invoice that opening a dispute has no use for (its
        # decoding cost more than the rest of the read); `issued_document` reads it when wanted.
        query = select(*_HEAD).where(invoices.c.invoice_id == invoice_id)
        if for_update:
            query = query.with_for_update()
        head = (await self._session.execute(query)).first()
        if head is None:
            return None
        lines = (await self._session.execute(
            select(invoice_lines).where(invoice_lines.c.invoice_id == invoice_id)
            .order_by(invoice_lines.c.position))).all()
        return InvoiceView(
            invoice_id=head.invoice_id, invoice_number=head.invoice_number, account_id=head.account_id,
            bill_to_account_id=head.bill_to_account_id, contract_id=head.contract_id, currency=head.currency,
            period=head.period, period_start=head.period_start, period_end=head.period_end,
            issue_date=head.issue_date, status=head.status,
            lines=tuple(InvoiceLineView(ln.invoice_line_id, ln.kind, from_numeric(ln.amount),
                                        from_numeric(ln.credited),
                                        ln.product_code, ln.line_item_id, ln.description) for ln in lines))

    async def issued_document(self, invoice_id: str) -> dict[str, Any] | None:
        found = (await self._session.execute(
            select(invoices.c.issued).where(invoices.c.invoice_id == invoice_id))).first()
        return None if found is None else found.issued

    async def mark_void(self, invoice_id: str) -> None:
        await self._session.execute(update(invoices).where(invoices.c.invoice_id == invoice_id)
                                    .values(status="void", updated_at=func.now()))

    async def apply_balance(self, change: InvoiceBalanceChanged) -> None:
        """invoice-svc's balance is the authority on status, credited and paid amounts."""
        await self._session.execute(update(invoices).where(invoices.c.invoice_id == change.invoice_id).values(
            status=change.status, credited=change.credited, paid=change.paid, balance_due=change.balance_due,
            disputed_amount=change.disputed_amount, updated_at=func.now()))

    async def record_credit_memo(self, memo: MemoIssued) -> bool:
        """Add a memo's line credits once; False when this memo was already applied."""
        row = await self._session.execute(insert(credit_memos).values(
            memo_id=memo.memo_id, invoice_id=memo.invoice_id, dispute_id=memo.dispute_id, total=memo.total,
            issued_at=memo.issued_at).on_conflict_do_nothing().returning(credit_memos.c.memo_id))
        if row.first() is None:
            return False
        for line in memo.lines:
            if line.invoice_line_id is None:
                continue
            # Memo lines may carry the credit as a positive or a negative figure; the credit is its size.
            await self._session.execute(update(invoice_lines).where(and_(
                invoice_lines.c.invoice_id == memo.invoice_id,
                invoice_lines.c.invoice_line_id == line.invoice_line_id,
            )).values(credited=invoice_lines.c.credited + abs(line.amount)))
        return True

    async def already_billed(self, contract_id: str, line_item_ids: list[str], before_period: str) \
            -> dict[str, Decimal]:
        """What earlier, non-void invoices of the contract billed per line item (for the re-price)."""
        if not line_item_ids:
            return {}
        rows = (await self._session.execute(
            select(invoice_lines.c.line_item_id, func.sum(invoice_lines.c.amount).label("billed"))
            .join(invoices, invoices.c.invoice_id == invoice_lines.c.invoice_id)
            .where(invoices.c.contract_id == contract_id, invoices.c.period < before_period,
                   invoices.c.status != "void", invoice_lines.c.line_item_id.in_(line_item_ids),
                   invoice_lines.c.kind.in_(BILLED_KINDS))
            .group_by(invoice_lines.c.line_item_id))).all()
        return {r.line_item_id: from_numeric(r.billed) for r in rows}
