"""The reporting contract (docs/reporting.md): every documented view exists with exactly its documented columns, and
the `mediabill_reporting` role -- created at install, granted by the services' migrations -- can select every one of
them, cannot read a base table and cannot write."""

from __future__ import annotations

import os
import re

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from deploy.processes import SERVICES
from mediabill_common.db.engine import asyncpg_dsn
from mediabill_common.db.reporting import REPORTING_ROLE
from mediabill_common.testing.plugin import REPO_ROOT, run_migrations

pytestmark = pytest.mark.integration

_VIEW = re.compile(r"^#### `(\w+)\.(\w+)`\s*$")
_COLUMN = re.compile(r"^\| `(\w+)` \|")


def documented_views() -> dict[tuple[str, str], list[str]]:
    """(schema, view) -> its columns in order, as docs/reporting.md lists them."""
    views: dict[tuple[str, str], list[str]] = {}
    current: list[str] | None = None
    for line in (REPO_ROOT / "docs" / "reporting.md").read_text().splitlines():
        if (m := _VIEW.match(line)) is not None:
            current = views.setdefault((m.group(1), m.group(2)), [])
        elif line.startswith("#"):
            current = None
        elif current is not None and (m := _COLUMN.match(line)) is not None:
            current.append(m.group(1))
    return views


def _schema(service: str) -> str:
    return service.replace("-", "_")


@pytest.fixture(scope="module")
def migrated(database_url: str) -> str:
    for svc in SERVICES:
        run_migrations(svc.name, database_url)
    return database_url


def _reporting_dsn(database_url: str) -> str:
    url = make_url(asyncpg_dsn(database_url)).set(username=REPORTING_ROLE,
                                                   password=os.environ.get("REPORTING_PASSWORD"))
    return url.render_as_string(hide_password=False)


async def test_docs_list_every_reporting_view_with_exactly_its_columns(migrated):
    schemas = [_schema(svc.name) for svc in SERVICES]
    conn = await asyncpg.connect(asyncpg_dsn(migrated))
    try:
        rows = await conn.fetch(
            "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.views v USING (table_schema, table_name) "
            "WHERE c.table_schema = ANY($1::text[]) AND c.table_name LIKE 'report\\_%' "
            "ORDER BY c.table_schema, c.table_name, c.ordinal_position", schemas)
    finally:
        await conn.close()
    actual: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        actual.setdefault((r["table_schema"], r["table_name"]), []).append(r["column_name"])
    documented = documented_views()
    assert {"invoice_svc", "dispute_svc", "adjustment_svc", "product_config_svc"} <= {s for s, _ in actual}
    assert documented == actual


async def test_the_reporting_role_selects_every_view_and_nothing_else(migrated):
    documented = documented_views()
    conn = await asyncpg.connect(_reporting_dsn(migrated))
    try:
        for schema, view in documented:
            await conn.fetch(f'SELECT * FROM "{schema}"."{view}" LIMIT 1')
        schemas = sorted({s for s, _ in documented})
        tables = await conn.fetch(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1::text[])", schemas)
        assert len(tables) > 20
        for t in tables:
            name = f'"{t["schemaname"]}"."{t["tablename"]}"'
            assert not await conn.fetchval("SELECT has_table_privilege($1, $2, 'SELECT')", REPORTING_ROLE, name), name
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT * FROM invoice_svc.invoices LIMIT 1")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT * FROM dispute_svc.disputes LIMIT 1")
        for schema, view in documented:
            for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                assert not await conn.fetchval("SELECT has_table_privilege($1, $2, $3)", REPORTING_ROLE,
                                               f'"{schema}"."{view}"', privilege), (schema, view, privilege)
        # Even with the session's read-only default lifted, a write is refused for want of privilege.
        await conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DELETE FROM invoice_svc.report_invoices_v1")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE TABLE invoice_svc.mine (x int)")
    finally:
        await conn.close()
