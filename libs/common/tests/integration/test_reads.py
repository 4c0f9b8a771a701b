"""fetch_all: on the driver when the session autocommits, through SQLAlchemy (joining the transaction) when not."""

import pytest
from sqlalchemy import text

from mediabill_common.db.engine import make_engine, make_session_factory
from mediabill_common.db.errors import is_database_unavailable
from mediabill_common.db.reads import fetch_all, fetch_first

pytestmark = pytest.mark.integration

SQL = """SELECT CAST(:n AS int) AS n, :label AS label, '{"a": [1, 2.5]}'::jsonb AS doc,
                 12.3400::numeric(18, 4) AS amount,
                 pg_current_xact_id_if_assigned() IS NOT NULL AS in_write_transaction"""


async def test_autocommit_reads_run_on_the_driver_and_give_the_same_values(database_url):
    reads = make_session_factory(make_engine(database_url, read_only=True))
    async with reads() as session:
        [row] = await fetch_all(session, SQL, {"n": 7, "label": "x"})
        assert type(row).__module__.startswith("asyncpg"), "an autocommit session reads on the driver"
    async with reads() as session:
        via_sqlalchemy = (await session.execute(text(SQL), {"n": 7, "label": "x"})).mappings().one()
    assert dict(row) == dict(via_sqlalchemy) == {"n": 7, "label": "x", "doc": {"a": [1, 2.5]},
                                                "amount": via_sqlalchemy["amount"], "in_write_transaction": False}
    assert str(row["amount"]) == "12.3400" and row.get("missing") is None
    await reads.kw["bind"].dispose()


async def test_inside_a_transaction_the_read_joins_it(database_url, unique):
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    table = f"reads_{unique}"
    async with sessions() as session, session.begin():
        await session.execute(text(f"CREATE TEMPORARY TABLE {table} (n int) ON COMMIT DROP"))
        await session.execute(text(f"INSERT INTO {table} VALUES (1), (2)"))
        rows = await fetch_all(session, f"SELECT n, pg_current_xact_id_if_assigned() IS NOT NULL AS in_tx "
                                        f"FROM {table} WHERE n > :low ORDER BY n", {"low": 0})
        assert [(r["n"], r["in_tx"]) for r in rows] == [(1, True), (2, True)]
        assert await fetch_first(session, f"SELECT n FROM {table} WHERE n > :low", {"low": 5}) is None
    await engine.dispose()


async def test_a_connection_lost_under_a_read_fails_as_unavailable_and_is_not_handed_out_again(database_url):
    engine = make_engine(database_url, read_only=True, pool_size=1, max_overflow=0, ping_if_idle_s=3600)
    reads = make_session_factory(engine)
    async with reads() as session:
        pid = (await fetch_first(session, "SELECT pg_backend_pid() AS pid"))["pid"]
    killer = make_engine(database_url)
    async with killer.connect() as conn:
        assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    await killer.dispose()
    with pytest.raises(Exception) as lost:  # noqa: PT011 - whichever connection error the driver raises
        async with reads() as session:
            await fetch_all(session, "SELECT 1 AS one")
    assert is_database_unavailable(lost.value), repr(lost.value)  # answered 503 by the problem handlers
    async with reads() as session:
        again = await fetch_first(session, "SELECT pg_backend_pid() AS pid")
    assert again["pid"] != pid, "the pool opened a new connection"
    await engine.dispose()
