"""The event contract: envelope, payload catalog, JSON Schemas and the AsyncAPI document."""

from mediabill_common.events.catalog import (
    ACCOUNTING_TOPIC,
    ADJUSTMENTS_TOPIC,
    CONFIG_TOPIC,
    DELIVERY_TOPIC,
    DISPUTES_TOPIC,
    EVENT_TYPES,
    EXCEPTIONS_TOPIC,
    INVOICES_TOPIC,
    PAYMENTS_TOPIC,
    TOPICS,
    EventSpec,
    Payload,
    dlq_topic,
    json_schema,
    parse_payload,
)
from mediabill_common.events.envelope import CONTENT_TYPE, Envelope, new_envelope

__all__ = [
    "ACCOUNTING_TOPIC", "ADJUSTMENTS_TOPIC", "CONFIG_TOPIC", "CONTENT_TYPE", "DELIVERY_TOPIC", "DISPUTES_TOPIC",
    "EVENT_TYPES",
    "EXCEPTIONS_TOPIC", "INVOICES_TOPIC", "PAYMENTS_TOPIC", "TOPICS", "Envelope", "EventSpec", "Payload",
    "dlq_topic", "json_schema", "new_envelope", "parse_payload",
]
