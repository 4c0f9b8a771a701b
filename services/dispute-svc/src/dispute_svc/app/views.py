"""How a dispute is shown: its facts, the SLA clock and flags, its history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dispute_svc.domain.model import Dispute, HistoryEntry
from dispute_svc.domain.sla import age, age_bucket, assignment_overdue, is_overdue, resolution_overdue


def _money(value) -> str | None:
    return None if value is None else format(value, "f")


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def snapshot(d: Dispute) -> dict[str, Any]:
    """The dispute's state as JSON-ready values (for the audit trail's before/after)."""
    return {
        "dispute_id": d.dispute_id, "invoice_id": d.invoice_id, "status": d.status, "assignee": d.assignee,
        "reason_code": d.reason_code, "amount": _money(d.disputed.amount), "currency": d.currency, "outcome": d.outcome,
        "credit_amount": _money(d.credit_amount), "resolution_note": d.resolution_note,
        "credit_settled": d.credit_settled, "version": d.version,
        "lines": [{"invoice_line_id": ln.invoice_line_id, "amount": _money(ln.amount)} for ln in d.lines],
    }


def sla_view(d: Dispute, now: datetime) -> dict[str, Any]:
    open_for = age(d.opened_at, d.closed_at, now)
    return {
        "assignment_due_at": d.assignment_due_at, "resolution_due_at": d.resolution_due_at,
        "age_days": open_for.days, "age_hours": round(open_for.total_seconds() / 3600, 1),
        "age_bucket": age_bucket(open_for),
        "assignment_overdue": assignment_overdue(d.assignment_due_at, d.assigned_at, d.status, now),
        "resolution_overdue": resolution_overdue(d.resolution_due_at, d.resolved_at, d.status, now),
        "overdue": is_overdue(d.status, d.assignment_due_at, d.resolution_due_at, now),
    }


def dispute_view(d: Dispute, now: datetime, *, history: list[HistoryEntry] | None = None,
                 attachments: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The dispute as the API returns it; `history` and `attachments` only on the single-dispute read."""
    view: dict[str, Any] = {
        "dispute_id": d.dispute_id, "invoice_id": d.invoice_id, "invoice_number": d.invoice_number,
        "bill_to_account_id": d.bill_to_account_id, "status": d.status, "reason_code": d.reason_code,
        "description": d.description, "amount": d.disputed.amount, "currency": d.currency,
        "lines": [{"invoice_line_id": ln.invoice_line_id, "amount": ln.amount, "kind": ln.kind,
                   "product_code": ln.product_code, "line_item_id": ln.line_item_id} for ln in d.lines],
        "opened_by": d.opened_by, "opened_at": d.opened_at, "assignee": d.assignee, "assigned_at": d.assigned_at,
        "outcome": d.outcome, "credit_amount": d.credit_amount, "resolution_note": d.resolution_note,
        "resolved_by": d.resolved_by, "resolved_at": d.resolved_at, "closed_at": d.closed_at,
        "credit_settled": d.credit_settled, "version": d.version, "sla": sla_view(d, now),
        "root_cause": d.root_cause,
    }
    if attachments is not None:
        view["attachments"] = attachments
    if history is not None:
        view["history"] = [{"at": h.at, "actor": h.actor, "action": h.action, "note": h.note,
                            "details": h.details} for h in history]
    return view
