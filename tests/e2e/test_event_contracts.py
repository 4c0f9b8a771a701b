"""Every event Mediabill's services published during this session (the e2e flow included) carries the contract's
CloudEvents envelope and validates against the published JSON Schema of its type."""

import json

import jsonschema
import pytest

from mediabill_common.events.catalog import EVENT_TYPES, TOPICS
from mediabill_common.testing.kafka import read_all
from mediabill_common.testing.plugin import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
SCHEMAS = {t: jsonschema.Draft202012Validator(json.loads((REPO_ROOT / "docs" / "schemas" / f"{t}.json").read_text()))
           for t in EVENT_TYPES}
ENVELOPE_REQUIRED = {"specversion", "id", "source", "type", "time", "subject", "datacontenttype", "schemaversion",
                     "data"}


@pytest.mark.parametrize("topic", [t for t in TOPICS if t.startswith("billing.")])
async def test_every_published_event_matches_its_schema(topic, system, kafka_bootstrap):
    ours = [(value, record) for value, record in await read_all(kafka_bootstrap, topic)
            if isinstance(value, dict) and str(value.get("source", "")).startswith("/mediabill/")]
    assert ours, f"the e2e flow published nothing on {topic}"
    failures = []
    for value, record in ours:
        missing = ENVELOPE_REQUIRED - set(value)
        if missing or value["specversion"] != "1.0" or value["type"] not in TOPICS[topic]:
            failures.append(f"{value.get('id')}: envelope {missing or value.get('type')}")
            continue
        if dict(record.headers).get("content-type") != b"application/cloudevents+json":
            failures.append(f"{value['id']}: content-type header")
        errors = list(SCHEMAS[value["type"]].iter_errors(value["data"]))
        if errors:
            failures.append(f"{value['type']} {value['id']}: {errors[0].message}")
    assert not failures, "\n".join(failures[:20])
