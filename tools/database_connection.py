"""One connection to the configured database, for a command-line tool's single run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from configuration.settings import get_settings
from database.pool import create_pool


@asynccontextmanager
async def database_connection() -> AsyncIterator[asyncpg.Connection]:
    pool = await create_pool(get_settings(), max_size=1)
    try:
        async with pool.acquire() as connection:
            yield connection
    finally:
        await pool.close()
