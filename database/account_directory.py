"""Back-office accounts as the administration pages list them (database.accounts creates, changes
and checks them)."""

from __future__ import annotations

import asyncpg

from database.sql import Conditions


async def listed_accounts(connection: asyncpg.Connection, *, every_province: bool,
                          province_code: str | None = None) -> list[asyncpg.Record]:
    """Every account, or (every_province False) the province's only, active ones first, with the
    names of their province and station, the code of the officer they act as, and whether an
    officer's first sign-in with LINE created it (database.line_accounts)."""
    where = Conditions()
    if not every_province:
        where.add("a.province_code = {}", province_code)
    return await connection.fetch(
        f"""SELECT a.id, a.username, a.display_name, a.role, a.active, a.is_demo, a.created_by_line_sign_in,
                       p.name_th, p.name_en,
                       s.name_th AS station_th, s.name_en AS station_en, o.code AS officer_code
                FROM accounts a LEFT JOIN provinces p ON p.code = a.province_code
                LEFT JOIN stations s ON s.id = a.station_id LEFT JOIN officers o ON o.id = a.officer_id
                WHERE {where.sql()} ORDER BY a.active DESC, a.role, a.username""",
        *where.parameters,
    )


async def account_by_id(connection: asyncpg.Connection, account_id: int) -> asyncpg.Record | None:
    """The account's username and province_code."""
    return await connection.fetchrow("SELECT username, province_code FROM accounts WHERE id = $1", account_id)
