"""What the event handlers need besides the invoiced-periods read model: a place to park early events."""

from __future__ import annotations

from typing import Protocol

from mediabill_common.events.envelope import Envelope


class ParkedEvents(Protocol):
    async def park(self, envelope: Envelope, *, waiting_for: str) -> None: ...
    async def release(self, waiting_for: str) -> list[Envelope]: ...
