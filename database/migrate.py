"""Applies the plain-SQL migrations in database/migrations once each, in file-name order.

The API and the worker both call this at start; an advisory lock makes the one that comes
second wait and then find nothing left to do.
"""

from __future__ import annotations

import hashlib
import logging
from importlib.resources import files

import asyncpg

logger = logging.getLogger(__name__)

# Any fixed number works; it only has to be the same in every process of this application.
MIGRATION_LOCK_KEY = 0x455353_4D494752  # "ESS" "MIGR"


def available_migrations() -> list[tuple[str, str]]:
    """(version, SQL) for every migration file, in the order they must run."""
    folder = files("database").joinpath("migrations")
    scripts = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".sql")), key=lambda e: e.name
    )
    return [(entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8")) for entry in scripts]


async def migrate(connection: asyncpg.Connection) -> list[str]:
    """Applies the migrations not applied yet; returns their versions (empty when up to date)."""
    applied_now: list[str] = []
    async with connection.transaction():
        # Held until the transaction ends, so the lock cannot outlive a failed start.
        await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
        await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    text PRIMARY KEY,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        already = {row["version"] for row in await connection.fetch("SELECT version FROM schema_migrations")}
        for version, sql in available_migrations():
            if version in already:
                continue
            await connection.execute(sql)
            await connection.execute(
                "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                version,
                hashlib.sha256(sql.encode("utf-8")).hexdigest(),
            )
            applied_now.append(version)
    if applied_now:
        logger.info("applied database migrations: %s", ", ".join(applied_now))
    return applied_now
