"""Idempotent Kafka consumers: the runner (inbox dedupe, retries, dead-lettering) and the handler contract."""

from mediabill_common.consumer.handlers import (
    Event,
    HandlerTable,
    Parking,
    Unit,
    UnitParts,
    consumer_runner,
)
from mediabill_common.consumer.parking import ParkingLot
from mediabill_common.consumer.runner import (
    BatchHandler,
    ConsumerRunner,
    Handler,
    PermanentError,
    Received,
    is_transient,
)

__all__ = [
    "BatchHandler", "ConsumerRunner", "Event", "Handler", "HandlerTable", "Parking", "ParkingLot", "PermanentError",
    "Received", "Unit", "UnitParts", "consumer_runner", "is_transient",
]
