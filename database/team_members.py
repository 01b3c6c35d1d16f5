"""Reading the multidisciplinary team directory as the hand-off sees it (domain.handoff.TeamMember)."""

from __future__ import annotations

import asyncpg

from domain.handoff import TeamMember, TeamRole

TEAM_MEMBER_COLUMNS = "m.id AS member_id, m.name, m.role, m.province_code"
# A province's team is listed coordinator first, the way the roles are declared.
ROLE_ORDER = [role.value for role in TeamRole]


async def team_member_by_id(
    connection: asyncpg.Connection, member_id: int, active_only: bool = True
) -> TeamMember | None:
    row = await connection.fetchrow(
        f"SELECT {TEAM_MEMBER_COLUMNS} FROM team_members AS m WHERE m.id = $1{' AND m.active' if active_only else ''}",
        member_id,
    )
    return TeamMember(**dict(row)) if row else None


async def team_members_of_province(connection: asyncpg.Connection, province_code: str) -> list[TeamMember]:
    """The province's active members (not the national desk), by role then name."""
    rows = await connection.fetch(
        f"""
        SELECT {TEAM_MEMBER_COLUMNS} FROM team_members AS m
        WHERE m.province_code = $1 AND m.active
        ORDER BY array_position($2::text[], m.role), m.name, m.id
        """,
        province_code,
        ROLE_ORDER,
    )
    return [TeamMember(**dict(row)) for row in rows]
