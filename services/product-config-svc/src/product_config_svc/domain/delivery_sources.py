"""Delivery sources (oversight.md O1): the `source_system` a platform's deliveries name, and which CloudEvents
`source` values may publish them. invoice-svc dead-letters a registered system's delivery from any other source."""

from __future__ import annotations

import re

from mediabill_common.events.config_state import DeliverySourceState
from product_config_svc.domain.errors import FieldProblem, raise_if_any

SOURCE_SYSTEM_FORMAT = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def delivery_source_problems(source: DeliverySourceState) -> list[FieldProblem]:
    """Field rules of a delivery source."""
    problems: list[FieldProblem] = []
    if not SOURCE_SYSTEM_FORMAT.match(source.source_system):
        problems.append(FieldProblem("source_system", "must be 1-64 lower-case letters, digits, '.', '_' or '-' "
                                                      "(as deliveries name it, e.g. `pio`)"))
    if not source.name.strip():
        problems.append(FieldProblem("name", "must not be blank"))
    if len(set(source.event_sources)) != len(source.event_sources):
        problems.append(FieldProblem("event_sources", "lists a source more than once"))
    for i, event_source in enumerate(source.event_sources):
        if not event_source.startswith("/") or event_source == "/" or any(c.isspace() for c in event_source):
            problems.append(FieldProblem(f"event_sources[{i}]", "must be a CloudEvents source path such as "
                                                                "`/ad-platforms/pio` (one ending in `/` allows "
                                                                "every source below it), without spaces"))
    return problems


def validate_delivery_source(source: DeliverySourceState) -> DeliverySourceState:
    """Return `source` if valid, else raise InvalidConfiguration listing every problem."""
    raise_if_any(delivery_source_problems(source))
    return source
