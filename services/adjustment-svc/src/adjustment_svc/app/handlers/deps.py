"""What every event handler of adjustment-svc is given besides the session and the event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.consumer import ParkingLot
from mediabill_common.events.envelope import Envelope
from mediabill_common.service import ServiceContext


def invoice_key(invoice_id: str) -> str:
    return f"invoice:{invoice_id}"


def dispute_key(dispute_id: str) -> str:
    return f"dispute:{dispute_id}"


@dataclass(frozen=True)
class HandlerDeps:
    ctx: ServiceContext
    parking: ParkingLot
    # Applies released parked events through the handler table (set by the table, which knows every handler).
    replay: Callable[[AsyncSession, list[Envelope]], Awaitable[None]]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def release(self, session: AsyncSession, waiting_for: str) -> None:
        """Apply, in arrival order, the events that waited for `waiting_for`."""
        await self.replay(session, await self.parking.release(session, waiting_for))
