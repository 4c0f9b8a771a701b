"""Month-end close (close.md C9-C12): the periods accounting-svc closed, and stored unbilled snapshots."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, PrimaryKeyConstraint, String, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB

from invoice_svc.adapters.tables import metadata

# One row per period accounting-svc ever closed; `closed` follows its latest PeriodClosed / PeriodReopened.
period_locks = Table(
    "period_locks", metadata,
    Column("period", String(7), nullable=False),
    Column("status", String(10), nullable=False),          # closed | reopened
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=True),
    Column("event_id", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("period"),
)

# What `GET /v1/unbilled` answered, stored under an id so that a close accrues exactly what it showed (C9).
unbilled_snapshots = Table(
    "unbilled_snapshots", metadata,
    Column("snapshot_id", String(64), nullable=False),
    Column("period", String(7), nullable=False),
    Column("taken_by", String(200), nullable=False),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("body", JSONB, nullable=False),
    PrimaryKeyConstraint("snapshot_id"),
)
