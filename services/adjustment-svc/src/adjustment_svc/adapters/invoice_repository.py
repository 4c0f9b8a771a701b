"""The read model of issued invoices and of disputes, kept from billing.invoices.v1 and billing.disputes.v1."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.tables import SCHEMA, dispute_lines, disputes, invoice_lines, invoices
from adjustment_svc.app.ports import DisputeView
from adjustment_svc.domain.adjustment import PENDING, REJECTED, InvoiceView
from adjustment_svc.domain.approval_basis import AccountWindow, RequestedBefore
from adjustment_svc.domain.dispute_credit import DisputedAmount
from adjustment_svc.domain.headroom import LineExposure
from adjustment_svc.domain.memo_lines import InvoiceLineView, MemoLineDraft
from mediabill_common.db.reads import fetch_all, fetch_first
from mediabill_common.events.catalog import DisputeOpened, InvoiceIssued
from mediabill_common.money import Money


class InvoiceReadModel:
    """app.ports.Invoices over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def record_issued(self, inv: InvoiceIssued) -> bool:
        """Store an issued invoice; False when it was already known (a redelivery)."""
        row = await self._s.execute(insert(invoices).values(
            invoice_id=inv.invoice_id, invoice_number=inv.invoice_number, account_id=inv.account_id,
            bill_to_account_id=inv.bill_to_account_id, contract_id=inv.contract_id, po_number=inv.po_number,
            period=inv.period,
            issue_date=inv.issue_date, currency=inv.currency, subtotal=inv.subtotal,
            discount_total=inv.discount_total, commission_total=inv.commission_total, tax_total=inv.tax_total,
            total=inv.total, status="issued",
        ).on_conflict_do_nothing().returning(invoices.c.invoice_id))
        if row.first() is None:
            return False
        if not inv.lines:
            return True
        await self._s.execute(insert(invoice_lines), [
            {"invoice_id": inv.invoice_id, "invoice_line_id": line.invoice_line_id, "position": i,
             "kind": line.kind, "description": line.description, "amount": line.amount,
             "tax_code": line.tax_code, "product_code": line.product_code}
            for i, line in enumerate(inv.lines)])
        return True

    async def exists(self, invoice_id: str) -> bool:
        found = await self._s.execute(select(invoices.c.invoice_id).where(invoices.c.invoice_id == invoice_id))
        return found.first() is not None

    async def get(self, invoice_id: str, *, for_update: bool = False) -> InvoiceView | None:
        """The invoice with its lines; `for_update` serialises headroom checks and memos on one invoice."""
        lock = " FOR UPDATE" if for_update else ""
        head = await fetch_first(self._s, f"SELECT * FROM {SCHEMA}.invoices WHERE invoice_id = :id{lock}",
                                 {"id": invoice_id})
        if head is None:
            return None
        rows = await fetch_all(self._s, f"SELECT * FROM {SCHEMA}.invoice_lines WHERE invoice_id = :id "
                                        "ORDER BY position", {"id": invoice_id})
        return InvoiceView(
            invoice_id=head["invoice_id"], invoice_number=head["invoice_number"],
            bill_to_account_id=head["bill_to_account_id"], account_id=head["account_id"], currency=head["currency"],
            issue_date=head["issue_date"], status=head["status"], total=head["total"], period=head["period"],
            contract_id=head["contract_id"], po_number=head["po_number"],
            lines=[InvoiceLineView(r["invoice_line_id"], r["kind"], r["amount"], r["description"], r["tax_code"],
                                   r["product_code"]) for r in rows],
            credited={r["invoice_line_id"]: r["credited"] for r in rows},
            debited={r["invoice_line_id"]: r["debited"] for r in rows})

    async def mark_void(self, invoice_id: str, voided_at: datetime) -> None:
        await self._s.execute(update(invoices).where(invoices.c.invoice_id == invoice_id)
                              .values(status="void", voided_at=voided_at, updated_at=func.now()))

    async def apply_memo(self, invoice_id: str, kind: str, lines: tuple[MemoLineDraft, ...]) -> None:
        """Add an issued memo's lines to what each invoice line has been credited or debited."""
        column = invoice_lines.c.credited if kind == "credit" else invoice_lines.c.debited
        for line in lines:
            if line.invoice_line_id is None:
                continue
            await self._s.execute(update(invoice_lines).where(
                invoice_lines.c.invoice_id == invoice_id, invoice_lines.c.invoice_line_id == line.invoice_line_id,
            ).values({column.key: column + line.amount}))

    async def exposures(self, invoice: InvoiceView, *, excluding_dispute: str | None,
                        excluding_adjustment: str | None = None) -> dict[str, LineExposure]:
        """Per line: amount, credited, pending credit requests and amounts under open disputes (rule 18), leaving
        out the dispute the checked request settles and, when re-checking a pending request, that request."""
        pending = {r["invoice_line_id"]: r["amount"] for r in await fetch_all(self._s, f"""
            SELECT l.invoice_line_id, sum(l.amount) AS amount
              FROM {SCHEMA}.adjustment_lines l JOIN {SCHEMA}.adjustments a ON a.adjustment_id = l.adjustment_id
             WHERE a.invoice_id = :invoice AND a.status = :pending AND a.kind = 'credit' AND l.derived = 0
               AND a.adjustment_id IS DISTINCT FROM :checked
             GROUP BY l.invoice_line_id""",
            {"invoice": invoice.invoice_id, "pending": PENDING, "checked": excluding_adjustment})}
        other = " AND d.dispute_id <> :excluding" if excluding_dispute is not None else ""
        disputed = {r["invoice_line_id"]: r["amount"] for r in await fetch_all(self._s, f"""
            SELECT dl.invoice_line_id, sum(dl.amount) AS amount
              FROM {SCHEMA}.dispute_lines dl JOIN {SCHEMA}.disputes d ON d.dispute_id = dl.dispute_id
             WHERE d.invoice_id = :invoice AND d.status = 'open'{other}
             GROUP BY dl.invoice_line_id""",
            {"invoice": invoice.invoice_id, **({"excluding": excluding_dispute} if other else {})})}
        zero = Decimal(0)

        def money(amount: Decimal) -> Money:
            return Money(amount, invoice.currency)

        return {line.invoice_line_id: LineExposure(
            line.invoice_line_id, money(line.amount), money(invoice.credited.get(line.invoice_line_id, zero)),
            money(pending.get(line.invoice_line_id) or zero), money(disputed.get(line.invoice_line_id) or zero))
            for line in invoice.lines}

    async def requested_before(self, invoice: InvoiceView, *, kind: str, window: AccountWindow,
                               period: str) -> RequestedBefore:
        """Rule 22's cumulative figures, under a transaction-scoped advisory lock on the bill-to account (every
        request takes it after its invoice's row lock, so the order is always invoice, then account)."""
        await self._s.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                              {"key": f"{SCHEMA}.bill-to-requests:{invoice.bill_to_account_id}"})
        in_window: tuple[str, dict[str, Any]]
        if window is AccountWindow.REQUEST_MONTH:
            start = date.fromisoformat(f"{period}-01")
            end = (start + timedelta(days=32)).replace(day=1)
            in_window = ("a.requested_at >= :start AND a.requested_at < :end",
                         {"start": datetime.combine(start, time(), UTC), "end": datetime.combine(end, time(), UTC)})
        else:
            in_window = ("i.period = :period", {"period": period})
        row = await fetch_first(self._s, f"""
            SELECT coalesce(sum(a.total) FILTER (WHERE a.invoice_id = :invoice), 0) AS on_invoice,
                   coalesce(sum(a.total) FILTER (WHERE {in_window[0]}), 0) AS for_account
              FROM {SCHEMA}.adjustments a JOIN {SCHEMA}.invoices i ON i.invoice_id = a.invoice_id
             WHERE i.bill_to_account_id = :bill_to AND a.kind = :kind AND a.currency = :currency
               AND a.status <> :rejected""",
            {"invoice": invoice.invoice_id, "bill_to": invoice.bill_to_account_id, "kind": kind,
             "currency": invoice.currency, "rejected": REJECTED, **in_window[1]})
        assert row is not None  # an aggregate without GROUP BY always answers one row
        return RequestedBefore(row["on_invoice"], row["for_account"], invoice.bill_to_account_id, window, period)

    # ---- disputes ------------------------------------------------------------------------------
    async def record_dispute_opened(self, d: DisputeOpened) -> bool:
        row = await self._s.execute(insert(disputes).values(
            dispute_id=d.dispute_id, invoice_id=d.invoice_id, status="open", reason_code=d.reason_code,
            currency=d.currency, opened_by=d.opened_by,
        ).on_conflict_do_nothing().returning(disputes.c.dispute_id))
        if row.first() is None:
            return False
        if not d.lines:
            return True
        await self._s.execute(insert(dispute_lines), [
            {"dispute_id": d.dispute_id, "invoice_line_id": line.invoice_line_id, "position": i,
             "amount": line.amount} for i, line in enumerate(d.lines)])
        return True

    async def get_dispute(self, dispute_id: str) -> DisputeView | None:
        head = (await self._s.execute(select(disputes).where(disputes.c.dispute_id == dispute_id))).first()
        if head is None:
            return None
        rows = (await self._s.execute(select(dispute_lines).where(dispute_lines.c.dispute_id == dispute_id)
                                      .order_by(dispute_lines.c.position))).all()
        return DisputeView(head.dispute_id, head.invoice_id, head.status, head.reason_code,
                           [DisputedAmount(r.invoice_line_id, r.amount) for r in rows])

    async def set_dispute_status(self, dispute_id: str, status: str, outcome: str | None = None) -> None:
        values = {"status": status, "updated_at": func.now()}
        if outcome is not None:
            values["outcome"] = outcome
        await self._s.execute(update(disputes).where(disputes.c.dispute_id == dispute_id).values(**values))
