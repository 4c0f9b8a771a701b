"""Idempotent Kafka consumer runner with inbox dedupe, retries and dead-lettering."""

from mediabill_common.consumer.parking import ParkingLot
from mediabill_common.consumer.runner import (
    BatchHandler,
    ConsumerRunner,
    Handler,
    PermanentError,
    Received,
    is_transient,
)

__all__ = ["BatchHandler", "ConsumerRunner", "Handler", "ParkingLot", "PermanentError", "Received", "is_transient"]
