"""Release steps: changes to what the database holds that wait until no process of the previous
release runs, because it could not read them (expand first, contract after). A new database has no
previous release, so its migrations mark every step done at once; an upgraded one waits for the
operator (python -m tools.release_steps) once the deploy is over."""

from __future__ import annotations

from datetime import datetime

import asyncpg

# Rows may read HANDED_OVER, which release 0.1.0's API and worker cannot parse (migration 0015).
HANDED_OVER_STATUS = "handed-over-status"
STEPS = {
    HANDED_OVER_STATUS: "cases the team accepted read HANDED_OVER (release 0.1.0 cannot read it)",
}


async def is_done(connection: asyncpg.Connection, step: str) -> bool:
    done: bool = await connection.fetchval("SELECT EXISTS (SELECT 1 FROM release_steps WHERE name = $1)", step)
    return done


async def done_steps(connection: asyncpg.Connection) -> dict[str, datetime]:
    return {row["name"]: row["done_at"] for row in await connection.fetch("SELECT name, done_at FROM release_steps")}


async def mark_done(connection: asyncpg.Connection, step: str) -> bool:
    """True when this call marked it (False: it was done already)."""
    status = await connection.execute("INSERT INTO release_steps (name) VALUES ($1) ON CONFLICT DO NOTHING", step)
    return status.endswith(" 1")
