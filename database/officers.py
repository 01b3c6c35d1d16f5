"""Reading an officer as the case rules see them (domain.models.Officer)."""

from __future__ import annotations

import asyncpg

from domain.models import Officer

# An officer's province: their station's when they have one.
OFFICER_COLUMNS = """
    o.id AS officer_id, o.name, o.role, coalesce(s.province_code, o.province_code) AS province_code,
    o.station_id
"""


async def officer_by_id(connection: asyncpg.Connection, officer_id: int, active_only: bool = True) -> Officer | None:
    row = await connection.fetchrow(
        f"SELECT {OFFICER_COLUMNS} FROM officers AS o LEFT JOIN stations AS s ON s.id = o.station_id "
        f"WHERE o.id = $1{' AND o.active' if active_only else ''}",
        officer_id,
    )
    return Officer(**dict(row)) if row else None


async def officer_by_line_user(connection: asyncpg.Connection, line_user_id: str) -> Officer | None:
    """The active, registered officer using this LINE account, if any."""
    row = await connection.fetchrow(
        f"""
        SELECT {OFFICER_COLUMNS} FROM officers AS o LEFT JOIN stations AS s ON s.id = o.station_id
        WHERE o.line_user_id = $1 AND o.active AND o.registered_at IS NOT NULL
        """,
        line_user_id,
    )
    return Officer(**dict(row)) if row else None
