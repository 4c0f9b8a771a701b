"""CloudEvents 1.0 envelope in structured JSON mode, as events.md fixes it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json"


class Envelope(BaseModel):
    """A CloudEvents 1.0 event; `data` holds the payload as a plain JSON object."""

    model_config = ConfigDict(extra="allow")

    specversion: str = Field(default="1.0", pattern=r"^1\.0$")
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    time: datetime
    subject: str = Field(min_length=1)
    datacontenttype: str = "application/json"
    schemaversion: int = 1
    correlationid: str | None = None
    causationid: str | None = None
    traceparent: str | None = None
    data: dict[str, Any]

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


def new_envelope(
    *,
    type: str,
    source: str,
    subject: str,
    data: dict[str, Any],
    correlationid: str | None = None,
    causationid: str | None = None,
    time: datetime | None = None,
    id: str | None = None,
) -> Envelope:
    """Build an envelope with a fresh id and the current time unless given."""
    return Envelope(
        id=id or str(uuid.uuid4()),
        source=source,
        type=type,
        time=time or datetime.now(UTC),
        subject=subject,
        data=data,
        correlationid=correlationid,
        causationid=causationid,
    )
