"""Which CloudEvents `source` may publish which event: a consumer dead-letters an event from any other.

Kafka ACLs keep other principals from writing Mediabill's topics (docs/operations.md); this check is the second
line, in every consumer: a forged `ContractAmended` with a huge `state_version` would otherwise pin the read models
of every service that applied it. Events of Mediabill's own services are accepted only from the producing service's
source (`/mediabill/<service>`, the catalog says which service produces which topic); events from outside (deliveries,
payments) from the patterns configured for their topic, by default any `/ad-platforms/...` source for deliveries and
any `/collections/...` source for payments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mediabill_common.events.catalog import (
    EVENT_TYPES,
    EXTERNAL_SOURCES,
    INTERNAL_PRODUCERS,
    TOPIC_PARTITIONS,
    service_source,
)


def _matches(pattern: str, source: str) -> bool:
    return source.startswith(pattern) and source != pattern if pattern.endswith("/") else source == pattern


@dataclass(frozen=True)
class TrustedSources:
    """The sources accepted per topic fed from outside; Mediabill's own topics always need their producer's."""

    external: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(EXTERNAL_SOURCES))

    @classmethod
    def configured(cls, overrides: Mapping[str, Sequence[str]] | None) -> TrustedSources:
        """The defaults with a deployment's overrides (topic -> patterns) laid over them."""
        unknown = sorted(set(overrides or {}) - set(EXTERNAL_SOURCES))
        if unknown:
            raise ValueError(f"external event sources can be set only for {sorted(EXTERNAL_SOURCES)}, not {unknown}"
                             + ("" if set(unknown) - set(TOPIC_PARTITIONS) else " (published by Mediabill itself)"))
        merged = dict(EXTERNAL_SOURCES)
        merged.update({topic: tuple(patterns) for topic, patterns in (overrides or {}).items()})
        return cls(merged)

    def refusal(self, event_type: str, source: str) -> str | None:
        """Why an event of `event_type` from `source` is refused, or None when that source may publish it."""
        shown = source if len(source) <= 200 else source[:200] + "..."
        spec = EVENT_TYPES.get(event_type)
        if spec is None:
            return None  # unknown types are ignored anyway
        producer = INTERNAL_PRODUCERS.get(spec.topic)
        if producer is not None:
            expected = service_source(producer)
            if source == expected:
                return None
            return f"source {shown!r} may not publish {event_type}: only {producer} ({expected}) does"
        patterns = self.external.get(spec.topic, ())
        if any(_matches(p, source) for p in patterns):
            return None
        accepted = ", ".join(f"{p}..." if p.endswith("/") else p for p in patterns) or "no source"
        return f"source {shown!r} may not publish {event_type}: accepted are {accepted}"
