"""Provinces: their names, and the province an officer, a team member or an account belongs to."""

from __future__ import annotations

import asyncpg


async def all_provinces(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every province (code, name_th, name_en), in Thai alphabetical order."""
    return await connection.fetch("SELECT code, name_th, name_en FROM provinces ORDER BY name_th")


async def provinces_of_code(connection: asyncpg.Connection, province_code: str | None) -> list[asyncpg.Record]:
    """The province (code, name_th, name_en) as a list of one, or none for an unknown code."""
    return await connection.fetch("SELECT code, name_th, name_en FROM provinces WHERE code = $1", province_code)


async def thai_name(connection: asyncpg.Connection, province_code: str) -> str | None:
    return await connection.fetchval("SELECT name_th FROM provinces WHERE code = $1", province_code)


async def province_of_officer(connection: asyncpg.Connection, officer_code: str) -> str | None:
    """An active officer's province (their station's when they have one); None for no such officer."""
    return await connection.fetchval(
        "SELECT coalesce(s.province_code, o.province_code) FROM officers o "
        "LEFT JOIN stations s ON s.id = o.station_id WHERE o.code = $1 AND o.active", officer_code)


async def active_team_member(connection: asyncpg.Connection, member_code: str) -> asyncpg.Record | None:
    """An active team member's province (a row: province_code); None for no such member."""
    return await connection.fetchrow(
        "SELECT province_code FROM team_members WHERE code = $1 AND active", member_code)


async def province_of_account(connection: asyncpg.Connection, username: str) -> str | None:
    """The account's province; None for the national desk's accounts and for no such account."""
    return await connection.fetchval("SELECT province_code FROM accounts WHERE username = $1", username)
