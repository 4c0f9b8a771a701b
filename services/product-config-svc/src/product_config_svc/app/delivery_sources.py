"""Use case of delivery sources: register or change one (publishes DeliverySourceRegistered)."""

from __future__ import annotations

from mediabill_common.events.config_state import DeliverySourceState
from product_config_svc.app.common import names_version
from product_config_svc.app.ports import ConfigUnit, Stored
from product_config_svc.domain.delivery_sources import validate_delivery_source
from product_config_svc.domain.errors import StaleVersion


async def register_delivery_source(unit: ConfigUnit, source: DeliverySourceState, *, if_match: str | None,
                                   reason: str | None) -> tuple[Stored[DeliverySourceState], bool]:
    """Create the source, or replace its state (If-Match optional: a stale one, or one sent to create, is refused);
    returns it and whether it was created."""
    validate_delivery_source(source)
    stored = await unit.delivery_sources.get(source.source_system, for_update=True)
    if if_match is not None and (stored is None or not names_version(if_match, stored.version)):
        raise StaleVersion(stored.version if stored is not None else 0, if_match)
    if stored is None:
        version = await unit.delivery_sources.add(source)
    else:
        version = await unit.delivery_sources.save(source, stored.version)
    await unit.changes.record(event_type="DeliverySourceRegistered", entity_type="delivery_source",
                              key=source.source_system, state=source, version=version,
                              action="create" if stored is None else "update",
                              before=None if stored is None else stored.state, reason=reason)
    return Stored(source, version), stored is None
