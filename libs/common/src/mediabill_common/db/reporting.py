"""Read-only SQL views for BI tools (close.md "BI / SQL reporting"), created by each service's migrations.

One database role, `mediabill_reporting`, is created once when the stack is installed (deploy/lib/pg.sh for the
local stack, deploy/postgres-init/ for docker-compose), never by a migration: five services migrating at once would
race, and a service's database user would need CREATEROLE. A service's migration only creates its views and grants
the role `USAGE` on its schema and `SELECT` on those views -- never on a base table, never a write. Views are
versioned by name (`report_<name>_v1`): a change of columns is a new view, so a dashboard never breaks silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from alembic import op

REPORTING_ROLE = "mediabill_reporting"


def _if_role_exists(statements: Sequence[str]) -> str:
    body = " ".join(f"EXECUTE {_quote(s)};" for s in statements)
    return (f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{REPORTING_ROLE}') THEN {body} "
            f"ELSE RAISE NOTICE 'role {REPORTING_ROLE} does not exist: reporting views not granted "
            f"(create it at install, docs/operations.md)'; END IF; END $$")


def _quote(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


def create_reporting_views(schema: str, views: Mapping[str, str]) -> None:
    """Create (or replace) `views` (name -> SELECT) in `schema` and grant them to the reporting role, if it exists
    (a database without it -- a developer's scratch one -- still migrates)."""
    for name, select in views.items():
        op.execute(f'CREATE OR REPLACE VIEW "{schema}"."{name}" AS {select}')
    names = ", ".join(f'"{schema}"."{name}"' for name in views)
    op.execute(_if_role_exists([f'GRANT USAGE ON SCHEMA "{schema}" TO {REPORTING_ROLE}',
                                f"GRANT SELECT ON {names} TO {REPORTING_ROLE}"]))


def drop_reporting_views(schema: str, names: Sequence[str], *, last: bool = True) -> None:
    """Drop the views; `last` also takes back the role's USAGE on the schema (no view of it is left)."""
    for name in names:
        op.execute(f'DROP VIEW IF EXISTS "{schema}"."{name}"')
    if last:
        op.execute(_if_role_exists([f'REVOKE USAGE ON SCHEMA "{schema}" FROM {REPORTING_ROLE}']))
