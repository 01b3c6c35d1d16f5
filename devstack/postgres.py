"""PostgreSQL for the development stack: the embedded server under the data folder, or the one
DATABASE_URL names; either way migrated and loaded with reference data before anyone uses it."""

from __future__ import annotations

import asyncio

import asyncpg

from configuration.settings import Settings
from database.pool import database_url, init_connection, stop_embedded_postgres
from database.startup import prepare_database


class EmbeddedPostgres:
    """The embedded server at `<data dir>/postgres`, started (or attached to) and stopped by us."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def start(self) -> str:
        # initdb and pg_ctl block for a second or two: keep the event loop (and Ctrl-C) responsive.
        return await asyncio.to_thread(database_url, self._settings)

    async def stop(self) -> None:
        await asyncio.to_thread(stop_embedded_postgres, self._settings)


async def migrate_and_load_reference_data(url: str, settings: Settings) -> None:
    """Done once here, before the worker and the API start (they would each do it otherwise)."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1, init=init_connection)
    try:
        await prepare_database(pool, settings)
    finally:
        await pool.close()
