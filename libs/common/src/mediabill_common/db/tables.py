"""Tables every service has in its own schema: outbox, inbox, parked events, audit trail, idempotency keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB


@dataclass(frozen=True)
class CommonTables:
    outbox: Table
    inbox: Table
    parked_events: Table
    audit_log: Table
    idempotency_keys: Table


# Shapes of the shared tables: 1 as every baseline revision created them; 2 adds the inbox's `data_sha256`.
LATEST_SHAPE = 2


def define_common_tables(metadata: MetaData, *, shape: int = LATEST_SHAPE) -> CommonTables:
    """Add the shared tables to a service's metadata (they land in the metadata's schema), in the given shape."""
    outbox = Table(
        "outbox", metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL")),
    )
    inbox = Table(
        "inbox", metadata,
        Column("consumer", String(100), nullable=False),
        Column("source", String(200), nullable=False),
        Column("event_id", String(200), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # SHA-256 of the event's `data` as first applied: the same (source, id) with other data is not a duplicate
        # but a producer reusing an id, and is dead-lettered. Null on rows from before shape 2.
        *([Column("data_sha256", LargeBinary, nullable=True)] if shape >= 2 else []),
        PrimaryKeyConstraint("consumer", "source", "event_id"),
    )
    parked = Table(
        "parked_events", metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("consumer", String(100), nullable=False),
        Column("waiting_for", String(200), nullable=False),
        Column("event_id", String(200), nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Index("ix_parked_events_waiting", "consumer", "waiting_for"),
    )
    audit = Table(
        "audit_log", metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("entity_type", String(60), nullable=False),
        Column("entity_id", String(200), nullable=False),
        Column("action", String(60), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("reason", Text, nullable=True),
        Column("before", JSONB, nullable=True),
        Column("after", JSONB, nullable=True),
        Column("correlation_id", String(100), nullable=True),
        Index("ix_audit_log_entity", "entity_type", "entity_id", "id"),
    )
    idem = Table(
        "idempotency_keys", metadata,
        Column("key", String(200), nullable=False),
        Column("scope", String(300), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
        Column("response_headers", JSONB, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("key", "scope"),
    )
    return CommonTables(outbox, inbox, parked, audit, idem)
