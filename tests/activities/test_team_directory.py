"""The team directory: whom each hand-off audience reaches on LINE, who a team member is, and how to
reach one member."""

from __future__ import annotations

import itertools
import uuid

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError

from activities.team_directory import TeamDirectory
from domain.handoff import TeamAudience, TeamAudienceRequest, TeamContact, TeamMember, TeamRole

# Each test takes a province of its own, so members linked in one never hear another's alerts
# (other tests may link members too: the checks below hold whatever else is in the directory).
_province_numbers = itertools.count(0)


@pytest.fixture
def directory(pool: asyncpg.Pool) -> TeamDirectory:
    return TeamDirectory(pool)


@pytest.fixture
async def province(pool: asyncpg.Pool) -> str:
    """A province (not Bangkok) that no earlier test in this process linked members in."""
    return await pool.fetchval(
        "SELECT code FROM provinces WHERE code <> '10' ORDER BY code DESC OFFSET $1 LIMIT 1", next(_province_numbers)
    )


async def add_member(pool: asyncpg.Pool, role: TeamRole, province_code: str | None, *, on_line: bool = True,
                     active: bool = True) -> int:
    line_user_id = f"U{uuid.uuid4().hex}" if on_line else None
    return await pool.fetchval(
        """
        INSERT INTO team_members (code, name, role, province_code, line_user_id, registered_at, active)
        VALUES ($1, 'ทดสอบ ทีม', $2, $3, $4, CASE WHEN $4::text IS NULL THEN NULL ELSE now() END, $5)
        RETURNING id
        """,
        f"TEAM-{uuid.uuid4().hex[:10]}", role.value, province_code, line_user_id, active,
    )


async def reached(directory: TeamDirectory, province: str, *audiences: TeamAudience) -> list[int]:
    contacts = await directory.team_members_for_audiences(
        TeamAudienceRequest(province_code=province, audiences=list(audiences)))
    return [contact.member_id for contact in contacts]


async def roles_and_provinces(pool: asyncpg.Pool, member_ids: list[int]) -> set[tuple[str, str | None]]:
    rows = await pool.fetch("SELECT role, province_code FROM team_members WHERE id = ANY($1::int[])", member_ids)
    return {(row["role"], row["province_code"]) for row in rows}


async def test_the_team_audience_is_the_provinces_coordinators_social_workers_and_childrens_home(
    directory: TeamDirectory, pool: asyncpg.Pool, province: str
) -> None:
    coordinator = await add_member(pool, TeamRole.COORDINATOR, province)
    workers = [await add_member(pool, TeamRole.SOCIAL_WORKER, province) for _ in range(2)]
    home = await add_member(pool, TeamRole.CHILDRENS_HOME, province)
    left_out = [
        await add_member(pool, TeamRole.OFFICE_HEAD, province),
        await add_member(pool, TeamRole.SOCIAL_WORKER, province, on_line=False),
        await add_member(pool, TeamRole.SOCIAL_WORKER, province, active=False),
        await add_member(pool, TeamRole.COORDINATOR, "10"),
        await add_member(pool, TeamRole.NATIONAL_DESK, None),
    ]
    team = await reached(directory, province, TeamAudience.TEAM)
    assert {coordinator, *workers, home} <= set(team) and not set(left_out) & set(team)
    assert await roles_and_provinces(pool, team) == {
        ("COORDINATOR", province), ("SOCIAL_WORKER", province), ("CHILDRENS_HOME", province)}


async def test_the_office_head_and_the_national_desk_are_audiences_of_their_own(
    directory: TeamDirectory, pool: asyncpg.Pool, province: str
) -> None:
    await add_member(pool, TeamRole.COORDINATOR, province)
    head = await add_member(pool, TeamRole.OFFICE_HEAD, province)
    await add_member(pool, TeamRole.OFFICE_HEAD, "10")
    desk = await add_member(pool, TeamRole.NATIONAL_DESK, None)
    heads = await reached(directory, province, TeamAudience.OFFICE_HEAD)
    assert head in heads and await roles_and_provinces(pool, heads) == {("OFFICE_HEAD", province)}
    national = await reached(directory, province, TeamAudience.NATIONAL_DESK)
    assert desk in national and await roles_and_provinces(pool, national) == {("NATIONAL_DESK", None)}


async def test_each_member_is_reached_once_audience_by_audience(
    directory: TeamDirectory, pool: asyncpg.Pool, province: str
) -> None:
    coordinator = await add_member(pool, TeamRole.COORDINATOR, province)
    head = await add_member(pool, TeamRole.OFFICE_HEAD, province)
    desk = await add_member(pool, TeamRole.NATIONAL_DESK, None)
    contacts = await directory.team_members_for_audiences(TeamAudienceRequest(
        province_code=province,
        audiences=[TeamAudience.OFFICE_HEAD, TeamAudience.TEAM, TeamAudience.OFFICE_HEAD, TeamAudience.NATIONAL_DESK],
    ))
    ids = [contact.member_id for contact in contacts]
    assert len(ids) == len(set(ids))
    # The office head's audience came first, then the team, then the national desk.
    assert [member for member in ids if member in {head, coordinator, desk}] == [head, coordinator, desk]
    line_user = await pool.fetchval("SELECT line_user_id FROM team_members WHERE id = $1", head)
    assert contacts[ids.index(head)] == TeamContact(member_id=head, line_user_id=line_user)


async def test_demo_teams_are_not_on_line_so_none_is_reached(directory: TeamDirectory, pool: asyncpg.Pool) -> None:
    ids = await reached(directory, "10", *TeamAudience)
    assert await pool.fetchval("SELECT count(*) FROM team_members WHERE is_demo AND id = ANY($1::int[])", ids) == 0


async def test_a_member_is_known_by_id_while_active(
        directory: TeamDirectory, pool: asyncpg.Pool, province: str) -> None:
    member_id = await add_member(pool, TeamRole.SOCIAL_WORKER, province)
    assert await directory.get_team_member(member_id) == TeamMember(
        member_id=member_id, name="ทดสอบ ทีม", role=TeamRole.SOCIAL_WORKER, province_code=province)
    await pool.execute("UPDATE team_members SET active = false WHERE id = $1", member_id)
    for missing in (member_id, 2_000_000_000):
        with pytest.raises(ApplicationError) as raised:
            await directory.get_team_member(missing)
        assert (raised.value.type, raised.value.non_retryable) == ("UnknownTeamMember", True)


async def test_a_members_contact_is_their_line_account_when_they_have_one(
    directory: TeamDirectory, pool: asyncpg.Pool, province: str
) -> None:
    linked = await add_member(pool, TeamRole.COORDINATOR, province)
    line_user = await pool.fetchval("SELECT line_user_id FROM team_members WHERE id = $1", linked)
    assert await directory.team_member_contact(linked) == TeamContact(member_id=linked, line_user_id=line_user)
    not_on_line = await add_member(pool, TeamRole.COORDINATOR, province, on_line=False)
    assert await directory.team_member_contact(not_on_line) is None
    inactive = await add_member(pool, TeamRole.COORDINATOR, province, active=False)
    assert await directory.team_member_contact(inactive) is None
    assert await directory.team_member_contact(2_000_000_000) is None


async def test_a_member_is_known_by_their_line_account_while_active(
    directory: TeamDirectory, pool: asyncpg.Pool, province: str
) -> None:
    """Whoever taps a hand-off alert's button: only an active member's account names a member."""
    member_id = await add_member(pool, TeamRole.COORDINATOR, province)
    desk_id = await add_member(pool, TeamRole.NATIONAL_DESK, None)
    line_user, desk_line = [await pool.fetchval("SELECT line_user_id FROM team_members WHERE id = $1", m)
                            for m in (member_id, desk_id)]
    assert await directory.team_member_by_line(line_user) == TeamMember(
        member_id=member_id, name="ทดสอบ ทีม", role=TeamRole.COORDINATOR, province_code=province)
    assert await directory.team_member_by_line(desk_line) == TeamMember(
        member_id=desk_id, name="ทดสอบ ทีม", role=TeamRole.NATIONAL_DESK, province_code=None)
    assert await directory.team_member_by_line(f"U{uuid.uuid4().hex}") is None  # on LINE, on no team
    await pool.execute("UPDATE team_members SET active = false WHERE id = $1", member_id)
    assert await directory.team_member_by_line(line_user) is None
