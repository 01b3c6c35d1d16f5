"""The multidisciplinary team directory: members as the hand-off reads them, a province's team, the
demonstration teams, and back-office accounts that act as a team member."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from database.accounts import AccountRefused, account_by_id, create_account, ensure_demo_accounts
from database.reference_data import load_reference_data
from database.team_members import team_member_by_id, team_members_of_province
from domain.accounts import AccountRole
from domain.handoff import TeamMember, TeamRole

PASSWORD = "long enough password"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def add_member(pool: asyncpg.Pool, role: TeamRole, province_code: str | None, *, name: str = "ทดสอบ สมาชิกทีม",
                     active: bool = True) -> tuple[int, str]:
    """A member in the directory: (id, code)."""
    code = unique("TEAM")
    member_id = await pool.fetchval(
        "INSERT INTO team_members (code, name, role, province_code, active) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        code, name, role.value, province_code, active,
    )
    return member_id, code


# --- reading members -----------------------------------------------------------------------------


async def test_a_member_is_read_with_their_role_and_province(pool: asyncpg.Pool) -> None:
    member_id, _ = await add_member(pool, TeamRole.SOCIAL_WORKER, "57", name="นางสาวใจดี ช่วยเหลือ")
    async with pool.acquire() as connection:
        member = await team_member_by_id(connection, member_id)
    assert member == TeamMember(member_id=member_id, name="นางสาวใจดี ช่วยเหลือ", role=TeamRole.SOCIAL_WORKER,
                                province_code="57")


async def test_the_national_desk_has_no_province(pool: asyncpg.Pool) -> None:
    member_id, _ = await add_member(pool, TeamRole.NATIONAL_DESK, None)
    async with pool.acquire() as connection:
        member = await team_member_by_id(connection, member_id)
    assert (member.role, member.province_code) == (TeamRole.NATIONAL_DESK, None)


async def test_an_inactive_or_unknown_member_is_not_found(pool: asyncpg.Pool) -> None:
    inactive_id, _ = await add_member(pool, TeamRole.COORDINATOR, "57", active=False)
    async with pool.acquire() as connection:
        assert await team_member_by_id(connection, inactive_id) is None
        assert await team_member_by_id(connection, 2_000_000_000) is None
        # Registration still names an inactive member it linked earlier.
        assert (await team_member_by_id(connection, inactive_id, active_only=False)).member_id == inactive_id


async def test_a_provinces_team_is_its_active_members_by_role_then_name(pool: asyncpg.Pool) -> None:
    province = "84"
    head, _ = await add_member(pool, TeamRole.OFFICE_HEAD, province, name="ก หัวหน้า")
    worker_b, _ = await add_member(pool, TeamRole.SOCIAL_WORKER, province, name="ข นักสังคม")
    home, _ = await add_member(pool, TeamRole.CHILDRENS_HOME, province, name="ก บ้านพัก")
    worker_a, _ = await add_member(pool, TeamRole.SOCIAL_WORKER, province, name="ก นักสังคม")
    coordinator, _ = await add_member(pool, TeamRole.COORDINATOR, province, name="ฮ ผู้ประสาน")
    retired, _ = await add_member(pool, TeamRole.COORDINATOR, province, active=False)
    elsewhere, _ = await add_member(pool, TeamRole.COORDINATOR, "83")
    national, _ = await add_member(pool, TeamRole.NATIONAL_DESK, None)
    async with pool.acquire() as connection:
        team = await team_members_of_province(connection, province)
    mine = [member.member_id for member in team if member.member_id in {head, worker_b, home, worker_a, coordinator}]
    assert mine == [coordinator, worker_a, worker_b, home, head]
    found = {member.member_id for member in team}
    assert not found & {retired, elsewhere, national}
    assert {member.province_code for member in team} == {province}
    roles = [list(TeamRole).index(member.role) for member in team]
    assert roles == sorted(roles)


# --- the demonstration teams -----------------------------------------------------------------------


async def test_every_province_with_demo_stations_has_a_demo_team(pool: asyncpg.Pool) -> None:
    provinces = {row["province_code"] for row in await pool.fetch(
        "SELECT DISTINCT province_code FROM stations WHERE is_demo AND kind = 'STATION'")}
    assert len(provinces) == 77
    teams = await pool.fetch(
        """
        SELECT province_code, array_agg(role ORDER BY role) AS roles FROM team_members
        WHERE is_demo AND province_code IS NOT NULL GROUP BY province_code
        """
    )
    assert {row["province_code"] for row in teams} == provinces
    assert {tuple(row["roles"]) for row in teams} == {
        ("CHILDRENS_HOME", "COORDINATOR", "OFFICE_HEAD", "SOCIAL_WORKER", "SOCIAL_WORKER")}
    assert await pool.fetchval("SELECT count(*) FROM team_members WHERE is_demo AND role = 'NATIONAL_DESK'") == 1
    # Like the demo officers, nobody of a demo team is on LINE.
    assert await pool.fetchval("SELECT count(*) FROM team_members WHERE is_demo AND line_user_id IS NOT NULL") == 0


async def test_bangkoks_demo_coordinator_is_named_as_sample_data(pool: asyncpg.Pool) -> None:
    row = await pool.fetchrow("SELECT * FROM team_members WHERE code = 'DEMO-TEAM-10-COORDINATOR'")
    assert (row["role"], row["province_code"], row["active"], row["is_demo"]) == ("COORDINATOR", "10", True, True)
    assert "(ตัวอย่าง)" in row["name"] and "กรุงเทพมหานคร" in row["organisation"]


async def test_loading_the_reference_data_again_adds_no_second_demo_team(pool: asyncpg.Pool) -> None:
    before = await pool.fetchval("SELECT count(*) FROM team_members WHERE is_demo")
    await pool.execute("DELETE FROM reference_data_loads WHERE dataset = 'demo-team'")  # as after a version bump
    async with pool.acquire() as connection:
        await load_reference_data(connection)
    assert await pool.fetchval("SELECT count(*) FROM team_members WHERE is_demo") == before == 77 * 5 + 1


# --- accounts acting as a team member ----------------------------------------------------------------


async def test_a_team_account_acting_as_a_member_takes_their_province(pool: asyncpg.Pool) -> None:
    member_id, code = await add_member(pool, TeamRole.SOCIAL_WORKER, "50")
    async with pool.acquire() as connection:
        account_id = await create_account(connection, username=unique("team"), display_name="นักสังคม",
                                          password=PASSWORD, role=AccountRole.TEAM_MEMBER, team_member_code=code)
        account = await account_by_id(connection, account_id)
    assert account.province_code == "50"
    assert await pool.fetchval("SELECT team_member_id FROM accounts WHERE id = $1", account_id) == member_id


@pytest.mark.parametrize("change, reason", [
    ({"team_member_code": "NO-SUCH-MEMBER"}, "no active team member"),
    ({"role": AccountRole.PROVINCE_ADMIN}, "only a team member account"),
    ({"province_code": "10"}, "another province"),
])
async def test_an_account_that_cannot_act_as_the_member_is_refused(pool: asyncpg.Pool, change, reason) -> None:
    _, code = await add_member(pool, TeamRole.COORDINATOR, "50")
    fields = {"username": unique("team"), "display_name": "ทีม", "password": PASSWORD,
              "role": AccountRole.TEAM_MEMBER, "team_member_code": code} | change
    async with pool.acquire() as connection:
        with pytest.raises(AccountRefused, match=reason):
            await create_account(connection, **fields)


async def test_an_inactive_member_cannot_have_an_account_made_for_them(pool: asyncpg.Pool) -> None:
    _, code = await add_member(pool, TeamRole.COORDINATOR, "50", active=False)
    async with pool.acquire() as connection:
        with pytest.raises(AccountRefused, match="no active team member"):
            await create_account(connection, username=unique("team"), display_name="ทีม", password=PASSWORD,
                                 role=AccountRole.TEAM_MEMBER, team_member_code=code)


async def test_the_demo_team_account_acts_as_bangkoks_coordinator(pool: asyncpg.Pool) -> None:
    coordinator = await pool.fetchval("SELECT id FROM team_members WHERE code = 'DEMO-TEAM-10-COORDINATOR'")
    async with pool.acquire() as connection:
        await ensure_demo_accounts(connection, "ess-demo-2569")
        # An installation whose demo account was made before the demo team had one gets it linked.
        await connection.execute("UPDATE accounts SET team_member_id = NULL WHERE username = 'bangkok-team'")
        assert await ensure_demo_accounts(connection, "ess-demo-2569") == 0
    row = await pool.fetchrow(
        "SELECT role, province_code, team_member_id, is_demo FROM accounts WHERE username = 'bangkok-team'")
    assert dict(row) == {"role": "TEAM_MEMBER", "province_code": "10", "team_member_id": coordinator, "is_demo": True}
