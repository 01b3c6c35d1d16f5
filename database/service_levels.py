"""Service levels: how many minutes each step may take (e.g. ACKNOWLEDGE, the dashboard's target)."""

from __future__ import annotations

import asyncpg


async def service_levels(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    return await connection.fetch("SELECT code, minutes, label_th, label_en FROM service_levels ORDER BY code")


async def acknowledge_target(connection: asyncpg.Connection) -> asyncpg.Record | None:
    """The time to acknowledge a case (minutes, label_th, label_en), when it is set."""
    return await connection.fetchrow(
        "SELECT minutes, label_th, label_en FROM service_levels WHERE code = 'ACKNOWLEDGE'")


async def set_minutes(connection: asyncpg.Connection, code: str, minutes: int) -> int | None:
    """Sets the level's minutes; returns the minutes before (None: no such level)."""
    return await connection.fetchval(
        "UPDATE service_levels s SET minutes = $2 FROM (SELECT minutes FROM service_levels WHERE code = $1 "
        "FOR UPDATE) AS old WHERE s.code = $1 RETURNING old.minutes", code, minutes)
