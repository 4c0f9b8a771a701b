"""Idempotent Kafka consumers: the runner (inbox dedupe, retries, dead-lettering) and the handler contract."""

from mediabill_common.consumer.decode import Received
from mediabill_common.consumer.handlers import (
    Event,
    HandlerTable,
    Parking,
    Unit,
    UnitParts,
    consumer_runner,
    unit_builder,
)
from mediabill_common.consumer.parking import ParkingLot
from mediabill_common.consumer.runner import (
    BatchHandler,
    ConsumerRunner,
    DeadLetterHook,
    Handler,
    PermanentError,
    is_transient,
)

__all__ = [
    "BatchHandler", "ConsumerRunner", "DeadLetterHook", "Event", "Handler", "HandlerTable", "Parking", "ParkingLot",
    "PermanentError", "Received", "Unit", "UnitParts", "consumer_runner", "is_transient", "unit_builder",
]
