"""Decoding a Kafka record into an envelope and a validated payload, or a reason it cannot be."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from mediabill_common.consumer.digest import data_digest
from mediabill_common.events.catalog import EVENT_TYPES, Payload
from mediabill_common.events.envelope import Envelope
from mediabill_common.events.sources import TrustedSources


@dataclass(frozen=True)
class Received:
    """A decoded event with where it came from."""

    record: ConsumerRecord
    envelope: Envelope
    payload: Payload

    @cached_property
    def data_sha256(self) -> bytes:
        """The inbox's digest of the event's data (consumer.digest.data_digest), worked out once: the runner has it
        worked out while it reads ahead, where the database's share of the batch before leaves the process idle."""
        return data_digest(self)


class Undecodable(Exception):
    """The record is not a valid event of a known type: it goes to the dead-letter topic."""


class UnknownType(Exception):
    """A well-formed event of a type this consumer does not know: ignored (logged and counted)."""


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def decode(record: ConsumerRecord, known_types: set[str], sources: TrustedSources | None = None) -> Received:
    """The record as an event of a known type; raises Undecodable (dead-letter it) or UnknownType (ignore it).

    Nothing else escapes: a value that makes the parser itself fail (an integer of thousands of digits, JSON nested
    thousands deep) is Undecodable too, so that no record can stop its consumer. An event from a source that may
    not publish its type (see events/sources.py) is Undecodable as well."""
    try:
        return _decode(record, known_types, sources or _DEFAULT_SOURCES)
    except (Undecodable, UnknownType):
        raise
    except RecursionError as exc:
        raise Undecodable("value is nested too deeply to decode") from exc
    except Exception as exc:
        raise Undecodable(f"value cannot be decoded: {describe_exception(exc)}") from exc


def describe_exception(exc: BaseException, limit: int = 300) -> str:
    """`Type: message`, bounded, for a reason header; never raises (str() of an exception can)."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - e.g. an exception whose message holds a huge int
        text = "(message not printable)"
    text = " ".join(text.split())
    return f"{type(exc).__name__}: {text[:limit]}"


_DEFAULT_SOURCES = TrustedSources()


def _decode(record: ConsumerRecord, known_types: set[str], sources: TrustedSources) -> Received:
    if record.value is None:
        raise Undecodable("empty message value")
    try:
        # Fast path: pydantic parses and validates the envelope straight from the bytes (no json.loads and
        # second walk of the dict). Any failure is explained by the step-by-step path below, so the outcome
        # and the reasons given for bad records are exactly those of that path.
        envelope = Envelope.model_validate_json(record.value)
    except ValueError:
        envelope = _envelope(record.value)
    if envelope.type not in known_types:
        raise UnknownType(envelope.type)
    spec = EVENT_TYPES.get(envelope.type)
    if spec is None:
        raise UnknownType(envelope.type)
    refusal = sources.refusal(envelope.type, envelope.source)
    if refusal is not None:
        raise Undecodable(refusal)
    if envelope.schemaversion != 1:
        raise Undecodable(f"unsupported schemaversion {envelope.schemaversion} for {envelope.type}")
    try:
        payload = spec.model.model_validate(envelope.data)
    except ValidationError as exc:
        raise Undecodable(f"{envelope.type} data does not match its schema: {_describe(exc)}") from exc
    return Received(record, envelope, payload)


def _envelope(value: bytes) -> Envelope:
    try:
        raw = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Undecodable(f"value is not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise Undecodable("value is not a JSON object")
    try:
        return Envelope.model_validate(raw)
    except ValidationError as exc:
        raise Undecodable(f"not a CloudEvents 1.0 envelope: {_describe(exc)}") from exc
