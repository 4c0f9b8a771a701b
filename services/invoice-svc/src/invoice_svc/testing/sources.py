"""The delivery sources the tests publish under, registered in invoice-svc's read model before any test ingests:
once any source is registered, an unregistered source_system is dead-lettered (oversight.md O1), and every test
shares the database, so which tests ran first must not decide what is accepted."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert

from invoice_svc.adapters.config_tables import delivery_sources
from invoice_svc.context import InvoiceContext

# Every source_system the tests' deliveries name, each allowed from any source under /ad-platforms/.
TEST_SOURCE_SYSTEMS = ("pio", "oms", "gam", "adserver")
TEST_EVENT_SOURCES = ["/ad-platforms/"]


async def register_test_delivery_sources(ctx: InvoiceContext) -> None:
    """Register TEST_SOURCE_SYSTEMS (a source already registered is left as it is)."""
    rows = [{"source_system": system, "event_sources": TEST_EVENT_SOURCES, "state_version": 1,
             "state": {"source_system": system, "name": system.upper(), "event_sources": TEST_EVENT_SOURCES}}
            for system in TEST_SOURCE_SYSTEMS]
    async with ctx.sessions() as session, session.begin():
        await session.execute(insert(delivery_sources).values(rows).on_conflict_do_nothing())
