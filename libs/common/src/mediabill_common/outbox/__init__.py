"""Transactional outbox: write events in the caller's transaction; a relay publishes them to Kafka."""

from mediabill_common.outbox.relay import OutboxRelay
from mediabill_common.outbox.writer import OutboxWriter, notify_channel

__all__ = ["OutboxRelay", "OutboxWriter", "notify_channel"]
