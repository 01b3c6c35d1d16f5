"""The multidisciplinary team directory (PostgreSQL): whom a hand-off alert reaches, who a team
member is (by id, or by the LINE account that tapped a button), and how to reach them on LINE.
Reads only."""

from __future__ import annotations

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from database.team_members import TEAM_MEMBER_COLUMNS, team_member_by_id
from domain.handoff import TeamAudience, TeamAudienceRequest, TeamContact, TeamMember, TeamRole

# The province's team proper: who may take the case into care.
TEAM_ROLES = (TeamRole.COORDINATOR, TeamRole.SOCIAL_WORKER, TeamRole.CHILDRENS_HOME)


class TeamDirectory:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="team_members_for_audiences")
    async def team_members_for_audiences(self, request: TeamAudienceRequest) -> list[TeamContact]:
        """Active members linked to LINE in the given audiences, each once, audience by audience."""
        found: dict[int, TeamContact] = {}
        async with self._pool.acquire() as connection:
            for audience in request.audiences:
                for row in await _audience_members(connection, audience, request.province_code):
                    found.setdefault(row["member_id"], TeamContact(**dict(row)))
        return list(found.values())

    @activity.defn(name="get_team_member")
    async def get_team_member(self, member_id: int) -> TeamMember:
        async with self._pool.acquire() as connection:
            member = await team_member_by_id(connection, member_id)
        if member is None:
            raise ApplicationError(
                f"no active team member {member_id}", type="UnknownTeamMember", non_retryable=True
            )
        return member

    @activity.defn(name="team_member_by_line")
    async def team_member_by_line(self, line_user_id: str) -> TeamMember | None:
        """The active member linked to this LINE account; None for anyone else."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                f"SELECT {TEAM_MEMBER_COLUMNS} FROM team_members AS m WHERE m.line_user_id = $1 AND m.active",
                line_user_id,
            )
        return TeamMember(**dict(row)) if row else None

    @activity.defn(name="team_member_contact")
    async def team_member_contact(self, member_id: int) -> TeamContact | None:
        """How to reach the member on LINE; None when they are not registered there or inactive."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                """
                SELECT id AS member_id, line_user_id FROM team_members
                WHERE id = $1 AND active AND line_user_id IS NOT NULL
                """,
                member_id,
            )
        return TeamContact(**dict(row)) if row else None


async def _audience_members(
    connection: asyncpg.Connection, audience: TeamAudience, province_code: str
) -> list[asyncpg.Record]:
    """member_id and line_user_id of the audience's reachable members, in a stable order."""
    if audience == TeamAudience.TEAM:
        where = "province_code = $1 AND role = ANY($2::text[])"
        arguments = [province_code, [r.value for r in TEAM_ROLES]]
    elif audience == TeamAudience.OFFICE_HEAD:
        where, arguments = "province_code = $1 AND role = $2", [province_code, TeamRole.OFFICE_HEAD.value]
    else:
        where, arguments = "role = $1", [TeamRole.NATIONAL_DESK.value]
    rows: list[asyncpg.Record] = await connection.fetch(
        f"""
        SELECT id AS member_id, line_user_id FROM team_members
        WHERE active AND line_user_id IS NOT NULL AND {where}
        ORDER BY role, id
        """,
        *arguments,
    )
    return rows
