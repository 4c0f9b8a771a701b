import pytest
from sqlalchemy import text

from mediabill_common.db import define_common_tables, make_metadata
from mediabill_common.db.engine import make_engine, make_session_factory


@pytest.fixture
async def common_schema(database_url, unique):
    """A throwaway schema holding the shared tables, dropped after the test."""
    schema = f"common_{unique}"
    metadata = make_metadata(schema)
    tables = define_common_tables(metadata)
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(metadata.create_all)
    yield schema, tables, engine, make_session_factory(engine)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()
