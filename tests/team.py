"""Multidisciplinary team members for tests: rows in the team directory, each linked to a LINE user on
the fake platform, and let go again when the test ends (hand-offs of earlier tests keep reminding
their province's team)."""

from __future__ import annotations

import uuid

import asyncpg

from domain.handoff import TeamMember, TeamRole
from line_simulator.line_platform import FakeLinePlatform


async def linked_team_member(
    pool: asyncpg.Pool, platform: FakeLinePlatform, role: TeamRole, province_code: str | None, *,
    on_line: bool = True,
) -> tuple[TeamMember, str | None]:
    """An active team member, registered on LINE unless `on_line` is False: (the member, their LINE user id)."""
    user_id = platform.add_user(display_name="ทีมสหวิชาชีพทดสอบ").user_id if on_line else None
    name = f"ทดสอบ {role.value} {uuid.uuid4().hex[:4]}"
    member_id = await pool.fetchval(
        """insert into team_members (code, name, role, province_code, line_user_id, registered_at)
           values ($1, $2, $3, $4, $5, case when $5::text is null then null else now() end) returning id""",
        f"TEST-{uuid.uuid4().hex[:12]}", name, role.value, None if role == TeamRole.NATIONAL_DESK else province_code,
        user_id,
    )
    return TeamMember(member_id=member_id, name=name, role=role,
                      province_code=None if role == TeamRole.NATIONAL_DESK else province_code), user_id


async def let_go(pool: asyncpg.Pool, members: list[TeamMember]) -> None:
    await pool.execute("update team_members set active = false where id = any($1::int[])",
                       [m.member_id for m in members])
