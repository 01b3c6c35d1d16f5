"""Police stations, as the back office names them."""

from __future__ import annotations

import asyncpg


async def other_stations_of_province(connection: asyncpg.Connection, province_code: str | None,
                                     station_id: int | None) -> list[asyncpg.Record]:
    """The province's stations but the given one (id, name_th, name_en): where a case could move to."""
    return await connection.fetch(
        "SELECT id, name_th, name_en FROM stations WHERE province_code = $1 AND kind = 'STATION' "
        "AND id IS DISTINCT FROM $2 ORDER BY name_th", province_code, station_id
    )


async def thai_name(connection: asyncpg.Connection, station_id: int) -> str | None:
    return await connection.fetchval("SELECT name_th FROM stations WHERE id = $1", station_id)


async def names(connection: asyncpg.Connection, station_id: int) -> tuple[str, str] | None:
    """A station's (Thai, English) names."""
    row = await connection.fetchrow("SELECT name_th, name_en FROM stations WHERE id = $1", station_id)
    return (row["name_th"], row["name_en"] or row["name_th"]) if row else None
