"""Adjustment requests, their lines and approvals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.tables import SCHEMA, adjustment_lines, adjustments, approvals
from adjustment_svc.domain.adjustment import APPROVED, REJECTED, AdjustmentRequest, GivenApproval
from adjustment_svc.domain.approval import ApprovalLevel
from adjustment_svc.domain.memo_lines import MemoLineDraft
from mediabill_common.db.reads import fetch_all, fetch_first
from mediabill_common.money import Money


class AdjustmentRepository:
    """app.ports.Adjustments over one session, and the reads of the adjustments API."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, adj: AdjustmentRequest) -> None:
        await self._s.execute(adjustments.insert().values(
            adjustment_id=adj.adjustment_id, invoice_id=adj.invoice_id, kind=adj.kind, status=adj.status,
            reason_code=adj.reason_code, dispute_id=adj.dispute_id, note=adj.note,
            attachments=list(adj.attachments), currency=adj.currency, total=adj.total.amount,
            approval_level=adj.approval_level.value,
            approval_basis=dict(adj.approval_basis) if adj.approval_basis else None,
            requested_by=adj.requested_by, requested_at=adj.requested_at, root_cause=adj.root_cause,
            source_exception_id=adj.source_exception_id, version=1))
        if not adj.lines:  # a refused dispute credit may name none (a dispute whose lines all credit nothing)
            return
        await self._s.execute(adjustment_lines.insert(), [
            {"adjustment_id": adj.adjustment_id, "position": i, "invoice_line_id": line.invoice_line_id,
             "kind": line.kind, "amount": line.amount, "description": line.description,
             "derived": int(line.derived)} for i, line in enumerate(adj.lines)])

    async def get(self, adjustment_id: str, *, for_update: bool = False) -> AdjustmentRequest | None:
        """The request; `for_update` locks its row so that two approvals racing for one slot serialise."""
        lock = " FOR UPDATE" if for_update else ""
        head = await fetch_first(self._s, f"SELECT * FROM {SCHEMA}.adjustments WHERE adjustment_id = :id{lock}",
                                 {"id": adjustment_id})
        if head is None:
            return None
        lines, given = await self._lines_and_approvals([adjustment_id])
        return _request(head, lines[adjustment_id], given[adjustment_id])

    async def _lines_and_approvals(self, ids: list[str]) -> tuple[dict[str, list], dict[str, list]]:
        """Per request: its lines in order and the approvals given, oldest first."""
        lines: dict[str, list] = {i: [] for i in ids}
        given: dict[str, list] = {i: [] for i in ids}
        if ids:
            for x in await fetch_all(self._s, f"SELECT * FROM {SCHEMA}.adjustment_lines "
                                              "WHERE adjustment_id = ANY(:ids) ORDER BY position", {"ids": ids}):
                lines[x["adjustment_id"]].append(x)
            for g in await fetch_all(self._s, f"SELECT * FROM {SCHEMA}.approvals WHERE adjustment_id = ANY(:ids) "
                                              "ORDER BY approved_at", {"ids": ids}):
                given[g["adjustment_id"]].append(g)
        return lines, given

    async def live_for_dispute(self, dispute_id: str) -> str | None:
        found = await self._s.execute(select(adjustments.c.adjustment_id).where(
            adjustments.c.dispute_id == dispute_id, adjustments.c.status != REJECTED))
        return found.scalar_one_or_none()

    async def add_approval(self, adjustment_id: str, approval: GivenApproval) -> None:
        await self._s.execute(approvals.insert().values(
            adjustment_id=adjustment_id, approver=approval.approver, roles=sorted(approval.roles),
            comment=approval.comment, approved_at=approval.approved_at))
        await self._bump(adjustment_id, {})

    async def mark_approved(self, adjustment_id: str, *, decided_at: datetime, memo_id: str) -> None:
        await self._bump(adjustment_id, {"status": APPROVED, "decided_at": decided_at, "memo_id": memo_id})

    async def mark_rejected(self, adjustment_id: str, *, decided_at: datetime, by: str, reason: str,
                            root_cause: str | None = None) -> None:
        await self._bump(adjustment_id, {"status": REJECTED, "decided_at": decided_at, "rejected_by": by,
                                         "rejection_reason": reason} | _cause(root_cause))

    async def record_root_cause(self, adjustment_id: str, root_cause: str) -> None:
        await self._s.execute(update(adjustments).where(adjustments.c.adjustment_id == adjustment_id)
                              .values(root_cause=root_cause))

    async def _bump(self, adjustment_id: str, values: dict) -> None:
        await self._s.execute(update(adjustments).where(adjustments.c.adjustment_id == adjustment_id)
                              .values(version=adjustments.c.version + 1, **values))

    async def list(self, *, status: str | None, invoice_id: str | None, dispute_id: str | None, limit: int,
                   after: tuple[datetime, str] | None) -> list[AdjustmentRequest]:
        """Newest first; `after` is the (requested_at, adjustment_id) of the previous page's last item."""
        query = select(adjustments).order_by(adjustments.c.requested_at.desc(),
                                             adjustments.c.adjustment_id.desc()).limit(limit + 1)
        for column, value in ((adjustments.c.status, status), (adjustments.c.invoice_id, invoice_id),
                              (adjustments.c.dispute_id, dispute_id)):
            if value is not None:
                query = query.where(column == value)
        if after is not None:
            at, last_id = after
            query = query.where(or_(adjustments.c.requested_at < at,
                                    and_(adjustments.c.requested_at == at, adjustments.c.adjustment_id < last_id)))
        heads = [h._mapping for h in (await self._s.execute(query)).all()]
        lines, given = await self._lines_and_approvals([h["adjustment_id"] for h in heads])
        return [_request(h, lines[h["adjustment_id"]], given[h["adjustment_id"]]) for h in heads]


def _cause(root_cause: str | None) -> dict[str, str]:
    """A checker's root cause replaces the requester's; none given keeps it."""
    return {} if root_cause is None else {"root_cause": root_cause}


def _request(head, lines, given) -> AdjustmentRequest:
    """A request from its row, its lines' rows and its approvals' rows (mappings)."""
    return AdjustmentRequest(
        adjustment_id=head["adjustment_id"], invoice_id=head["invoice_id"], kind=head["kind"],
        status=head["status"], reason_code=head["reason_code"], dispute_id=head["dispute_id"], note=head["note"],
        attachments=tuple(head["attachments"] or ()), total=Money(head["total"], head["currency"]),
        approval_level=ApprovalLevel(head["approval_level"]), requested_by=head["requested_by"],
        requested_at=head["requested_at"], decided_at=head["decided_at"], rejected_by=head["rejected_by"],
        rejection_reason=head["rejection_reason"], memo_id=head["memo_id"], version=head["version"],
        approval_basis=head["approval_basis"], root_cause=head["root_cause"],
        source_exception_id=head["source_exception_id"],
        lines=tuple(MemoLineDraft(x["invoice_line_id"], x["kind"], x["amount"], x["description"], bool(x["derived"]))
                    for x in lines),
        approvals=tuple(GivenApproval(g["approver"], frozenset(g["roles"]), g["approved_at"], g["comment"])
                        for g in given))
