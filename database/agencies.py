"""Reading the directory of agencies a province's team refers people to (domain.agencies.Agency)."""

from __future__ import annotations

import asyncpg

from domain.agencies import Agency, AgencyKind

AGENCY_COLUMNS = "a.id AS agency_id, a.code, a.kind, a.province_code, a.name_th, a.name_en, a.phone, a.note"
# A province's directory lists the kinds in the order they are declared, crisis centres first.
KIND_ORDER = [kind.value for kind in AgencyKind]


async def agencies_for_province(connection: asyncpg.Connection, province_code: str | None) -> list[Agency]:
    """The province's active agencies and the national ones, by kind then Thai name; with no
    province, the national ones alone."""
    rows = await connection.fetch(
        f"""
        SELECT {AGENCY_COLUMNS} FROM agencies AS a
        WHERE a.active AND (a.province_code = $1 OR a.province_code IS NULL)
        ORDER BY array_position($2::text[], a.kind), a.name_th, a.id
        """,
        province_code,
        KIND_ORDER,
    )
    return [Agency(**dict(row)) for row in rows]


async def agency_by_id(connection: asyncpg.Connection, agency_id: int, active_only: bool = True) -> Agency | None:
    """One agency; an inactive one only with active_only=False (a referral made before it was retired)."""
    row = await connection.fetchrow(
        f"SELECT {AGENCY_COLUMNS} FROM agencies AS a WHERE a.id = $1{' AND a.active' if active_only else ''}",
        agency_id,
    )
    return Agency(**dict(row)) if row else None
