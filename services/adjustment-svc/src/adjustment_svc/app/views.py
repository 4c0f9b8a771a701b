"""Plain JSON views of the aggregates, for the audit trail's before/after."""

from __future__ import annotations

from adjustment_svc.domain.adjustment import AdjustmentRequest
from mediabill_common.money import round_money


def adjustment_view(adj: AdjustmentRequest) -> dict:
    money = lambda value: format(round_money(value, adj.currency), "f")  # noqa: E731
    return {
        "adjustment_id": adj.adjustment_id, "invoice_id": adj.invoice_id, "kind": adj.kind, "status": adj.status,
        "reason_code": adj.reason_code, "dispute_id": adj.dispute_id, "total": adj.total.as_str(),
        "currency": adj.currency, "approval_level": adj.approval_level.value,
        "approval_basis": dict(adj.approval_basis) if adj.approval_basis else None, "requested_by": adj.requested_by,
        "approvals": [a.approver for a in adj.approvals], "memo_id": adj.memo_id, "root_cause": adj.root_cause,
        "source_exception_id": adj.source_exception_id,
        "lines": [{"invoice_line_id": x.invoice_line_id, "kind": x.kind, "amount": money(x.amount),
                   "derived": x.derived} for x in adj.lines],
    }
