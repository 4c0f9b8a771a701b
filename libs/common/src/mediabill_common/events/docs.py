"""Generated documentation of the event contract: AsyncAPI 3.0, JSON Schemas and docs/events.md.

Usage: python -m mediabill_common.events.docs [--check] [--root DIR]
Writes docs/asyncapi.yaml, docs/events.md and docs/schemas/<EventType>.json; `--check` exits 1 when any is stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from mediabill_common.events.catalog import (
    EVENT_TYPES,
    EXTERNAL_PRODUCERS,
    EXTERNAL_SOURCES,
    INTERNAL_PRODUCERS,
    TOPIC_PARTITIONS,
    TOPICS,
    dlq_topic,
    json_schema,
    service_source,
)
from mediabill_common.events.envelope import Envelope
from mediabill_common.events.types import AMOUNT_BOUND, BOOKED_BOUND, PCT_BOUND, RATE_BOUND

_CONSUMERS = {
    "ads.delivery.v1": "invoice-svc",
    "billing.config.v1": "invoice-svc, dispute-svc, adjustment-svc, accounting-svc",
    "billing.invoices.v1": "collections, dispute-svc, adjustment-svc, accounting-svc",
    "billing.exceptions.v1": "oversight tools",
    "billing.disputes.v1": "invoice-svc, adjustment-svc, collections",
    "billing.adjustments.v1": "invoice-svc, dispute-svc, collections, accounting-svc",
    "collections.payments.v1": "invoice-svc, accounting-svc",
    "accounting.journal.v1": "invoice-svc, ERP connectors",
}
_PRODUCERS = {**INTERNAL_PRODUCERS, **EXTERNAL_PRODUCERS}


def _hoist_defs(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """Move pydantic's `$defs` into AsyncAPI components and point the refs there."""
    defs = schema.pop("$defs", {})
    for name, sub in defs.items():
        components[name] = sub
    text = json.dumps(schema).replace('"#/$defs/', '"#/components/schemas/')
    for name in defs:
        components[name] = json.loads(json.dumps(components[name]).replace('"#/$defs/',
                                                                           '"#/components/schemas/'))
    hoisted: dict[str, Any] = json.loads(text)
    return hoisted


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 description of every topic and event in the catalog."""
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    envelope = Envelope.model_json_schema()
    envelope.pop("title", None)
    for event_type, spec in EVENT_TYPES.items():
        payload = json_schema(event_type)
        payload.pop("$schema", None)
        schemas[f"{event_type}Data"] = _hoist_defs(payload, schemas)
        messages[event_type] = {
            "name": event_type, "title": event_type, "summary": spec.summary,
            "contentType": "application/cloudevents+json",
            "headers": {"type": "object", "properties": {"content-type": {"const": "application/cloudevents+json"}}},
            "payload": {"allOf": [{"$ref": "#/components/schemas/CloudEventEnvelope"}, {
                "type": "object", "properties": {"type": {"const": event_type},
                                                 "data": {"$ref": f"#/components/schemas/{event_type}Data"}}}]},
            "bindings": {"kafka": {"key": {"type": "string", "description": spec.key}}},
        }
    schemas["CloudEventEnvelope"] = envelope
    for topic, types in TOPICS.items():
        channel_id = topic.replace(".", "_")
        channels[channel_id] = {
            "address": topic,
            "description": f"Produced by {_PRODUCERS[topic]}; consumed by {_CONSUMERS[topic]}. "
                           f"Dead letters go to {dlq_topic(topic)}.",
            "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in types},
            "bindings": {"kafka": {"partitions": TOPIC_PARTITIONS[topic], "replicas": 1}},
        }
        operations[f"publish_{channel_id}"] = {
            "action": "send", "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{t}"} for t in types],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Mediabill events", "version": "1.0.0",
                 "description": "Generated from libs/common's event catalog; do not edit by hand."},
        "defaultContentType": "application/cloudevents+json",
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def events_markdown() -> str:
    lines = ["# Events (generated from the catalog; do not edit)", "",
             "Every message is a CloudEvents 1.0 structured-mode JSON event. JSON Schemas of each `data` payload "
             "are in `docs/schemas/`; the AsyncAPI 3.0 document is `docs/asyncapi.yaml`.", "",
             "| topic | partitions | producer | consumers | event types |", "|---|---|---|---|---|"]
    for topic, types in TOPICS.items():
        lines.append(f"| `{topic}` | {TOPIC_PARTITIONS[topic]} | {_PRODUCERS[topic]} | {_CONSUMERS[topic]} | "
                     f"{', '.join(types)} |")
    lines.append("")
    lines += _sources()
    lines += _numbers()
    for event_type, spec in EVENT_TYPES.items():
        schema = json_schema(event_type)
        required = set(schema.get("required", []))
        lines += [f"## {event_type}", "", f"Topic `{spec.topic}`, key: {spec.key}. {spec.summary}", "",
                  "| field | required |", "|---|---|"]
        lines += [f"| `{name}` | {'yes' if name in required else 'no'} |" for name in schema.get("properties", {})]
        lines.append("")
    return "\n".join(lines)


# What each bounded decimal is (events/types.py defines the bounds; REST bodies use the same types).
_NUMBERS = (
    ("any amount of money (`DecimalStr`, `Amount`)", AMOUNT_BOUND),
    ("a rate or price: a contract line's `rate`, a rate card's `price`, a tier's `price`", RATE_BOUND),
    ("a contract line's `budget` or `fee`", BOOKED_BOUND),
    ("a percentage: `discount_pct`, `agency_commission_pct`, `discrepancy_threshold_pct`, an account's "
     "`tax_rates`", PCT_BOUND),
)


def _sources() -> list[str]:
    lines = ["## Who may publish", "",
             "A consumer accepts an event only from a CloudEvents `source` that may publish its type and dead-letters "
             "any other with the reason (`mediabill_common.events.sources`). Mediabill's services publish under "
             "`/mediabill/<service>`; the topics fed from outside accept these sources unless a deployment sets "
             "`EXTERNAL_EVENT_SOURCES` (a pattern ending in `/` accepts every source below it).", "",
             "| topic | accepted `source` |", "|---|---|"]
    for topic in TOPICS:
        if topic in INTERNAL_PRODUCERS:
            accepted = f"`{service_source(INTERNAL_PRODUCERS[topic])}`"
        else:
            accepted = ", ".join(f"`{p}...`" if p.endswith("/") else f"`{p}`" for p in EXTERNAL_SOURCES[topic])
        lines.append(f"| `{topic}` | {accepted} |")
    return [*lines, ""]


def _numbers() -> list[str]:
    lines = ["## Numbers", "",
             "Decimals are JSON strings of ASCII digits with an optional minus and fraction (`\"1234.50\"`): no "
             "spaces, exponents, separators or other scripts' digits. Each is bounded so that it fits the money "
             "columns (14 digits before the point) and real retail-media prices; the `pattern` of each field in "
             "the JSON Schemas says the same. A REST body outside them is answered 422, an event outside them is "
             "dead-lettered with the reason.", "", "| decimal | bound |", "|---|---|"]
    lines += [f"| {what} | {bound.rule} |" for what, bound in _NUMBERS]
    return [*lines, ""]


def generated_files() -> dict[str, str]:
    files = {
        "docs/asyncapi.yaml": yaml.safe_dump(asyncapi_document(), sort_keys=False, width=120),
        "docs/events.md": events_markdown(),
    }
    for event_type in EVENT_TYPES:
        files[f"docs/schemas/{event_type}.json"] = json.dumps(json_schema(event_type), indent=2) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mediabill_common.events.docs")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--root", default=".")
    args = parser.parse_args(argv)
    root = Path(args.root)
    stale = []
    for rel, content in generated_files().items():
        path = root / rel
        if args.check:
            if not path.exists() or path.read_text() != content:
                stale.append(rel)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    if stale:
        print("stale generated docs (run: uv run python -m mediabill_common.events.docs):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
