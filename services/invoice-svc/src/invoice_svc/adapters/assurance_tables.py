"""Assurance runs (oversight.md O3) and the claims of the worker's daily schedule (one per job and day)."""

from sqlalchemy import Column, Date, DateTime, Index, Integer, PrimaryKeyConstraint, String, Table, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from invoice_svc.adapters.tables import metadata

# A worker claims (job, day) before running a daily job: the primary key lets one replica win the day.
scheduled_job_runs = Table(
    "scheduled_job_runs", metadata,
    Column("job", String(100), nullable=False),
    Column("day", Date, nullable=False),
    Column("claimed_by", String(200), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("job", "day"),
)

assurance_runs = Table(
    "assurance_runs", metadata,
    Column("run_id", String(64), primary_key=True),
    Column("periods", ARRAY(String(7)), nullable=False),
    Column("status", String(12), nullable=False),               # queued | running | completed | failed
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("claimed_by", String(200), nullable=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("invoices_total", Integer, nullable=True),
    # Invoices are checked in invoice_id order; a run taken over resumes after the last one it recorded.
    Column("after_invoice_id", String(64), nullable=True),
    Column("counts", JSONB, nullable=False, server_default=text("'{}'")),
    Column("totals", JSONB, nullable=False, server_default=text("'{}'")),
    Column("exception_ids", JSONB, nullable=False, server_default=text("'[]'")),
    Column("error", Text, nullable=True),
    Index("ix_assurance_runs_claimable", "requested_at", postgresql_where=text("status IN ('queued', 'running')")),
    Index("ix_assurance_runs_requested", "requested_at"),
)
