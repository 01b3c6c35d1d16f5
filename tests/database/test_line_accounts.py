"""The account a linked officer's first sign-in with LINE creates when none acts as them: in the role and
scope they are alerted for, named after them, with no password anyone knows; one per officer however
many first sign-ins race. The national desk and team members get none: an administrator grants those."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from database.accounts import password_matches
from database.line_sign_in import LineAccount, LineRefusal, Refused, account_for_line_user
from domain.accounts import AccountRole
from domain.handoff import TeamRole
from domain.models import Officer, OfficerRole
from domain.scope import CaseScope
from line_simulator.line_platform import FakeLinePlatform
from tests.officers import centre_for, fresh_district, linked_officer, station_for
from tests.team import let_go, linked_team_member


@pytest.fixture
def platform() -> FakeLinePlatform:
    return FakeLinePlatform()


async def first_sign_in(pool: asyncpg.Pool, line_user_id: str) -> LineAccount | Refused:
    """As the back office's callback does it: in one transaction."""
    async with pool.acquire() as connection, connection.transaction():
        return await account_for_line_user(connection, line_user_id)


async def officer_at(pool: asyncpg.Pool, platform: FakeLinePlatform, role: OfficerRole) -> tuple[Officer, str]:
    district = await fresh_district(pool)
    if role == OfficerRole.NATIONAL_DESK:
        return await linked_officer(pool, platform, role)
    if role == OfficerRole.COMMANDER:
        return await linked_officer(pool, platform, role, province_code=district["province_code"])
    if role == OfficerRole.CENTRE_191:
        return await linked_officer(pool, platform, role, station_id=await centre_for(pool, district["province_code"]))
    return await linked_officer(pool, platform, role, station_id=await station_for(pool, district["code"]))


async def accounts_acting_as(pool: asyncpg.Pool, officer: Officer) -> int:
    return await pool.fetchval("SELECT count(*) FROM accounts WHERE officer_id = $1", officer.officer_id)


@pytest.mark.parametrize(("role", "account_role"), [
    (OfficerRole.INSPECTOR, AccountRole.STATION_OFFICER),
    (OfficerRole.PATROL, AccountRole.STATION_OFFICER),
    (OfficerRole.CENTRE_191, AccountRole.CENTRE_OPERATOR),  # the 191 centre sees its whole province
    (OfficerRole.COMMANDER, AccountRole.CENTRE_OPERATOR),  # a commander has a province and no station
])
async def test_a_linked_officer_without_an_account_gets_one_with_the_scope_they_are_alerted_for(
        pool: asyncpg.Pool, platform: FakeLinePlatform, role: OfficerRole, account_role: AccountRole) -> None:
    officer, line_user_id = await officer_at(pool, platform, role)

    found = await first_sign_in(pool, line_user_id)

    assert isinstance(found, LineAccount) and found.created
    account = found.account
    assert (account.role, account.officer_id) == (account_role, officer.officer_id)
    assert account.scope == CaseScope.of_officer(officer)
    assert account.province_code == officer.province_code
    assert account.username == f"line-officer-{officer.officer_id}"
    assert account.display_name == "ร.ต.อ. ทดสอบ " + role.value  # the rank once
    stored = await pool.fetchrow("SELECT * FROM accounts WHERE id = $1", account.account_id)
    assert stored["created_by_line_sign_in"] and stored["active"] and not stored["is_demo"]
    assert stored["password_hash"].startswith("$argon2id$")  # of a secret nobody was given
    assert not await password_matches(stored["password_hash"], "")


async def test_the_next_sign_in_uses_the_account_the_first_one_created(
        pool: asyncpg.Pool, platform: FakeLinePlatform) -> None:
    officer, line_user_id = await officer_at(pool, platform, OfficerRole.INSPECTOR)
    first = await first_sign_in(pool, line_user_id)
    second = await first_sign_in(pool, line_user_id)
    assert isinstance(first, LineAccount) and isinstance(second, LineAccount)
    assert second.account == first.account and not second.created
    assert await accounts_acting_as(pool, officer) == 1


async def test_an_officer_moved_to_another_station_signs_in_with_the_scope_they_are_alerted_for_now(
        pool: asyncpg.Pool, platform: FakeLinePlatform) -> None:
    officer, line_user_id = await officer_at(pool, platform, OfficerRole.INSPECTOR)
    first = await first_sign_in(pool, line_user_id)
    assert isinstance(first, LineAccount)
    elsewhere = await fresh_district(pool)
    new_station = await station_for(pool, elsewhere["code"])
    # A directory import moves the officer.
    await pool.execute("UPDATE officers SET station_id = $2, province_code = $3 WHERE id = $1",
                       officer.officer_id, new_station, elsewhere["province_code"])

    again = await first_sign_in(pool, line_user_id)

    assert isinstance(again, LineAccount) and again.updated and not again.created
    assert again.account.account_id == first.account.account_id
    assert again.account.station_id == new_station
    assert again.account.scope == CaseScope(station_id=new_station)
    unchanged = await first_sign_in(pool, line_user_id)
    assert isinstance(unchanged, LineAccount) and not unchanged.updated


async def test_an_officer_moved_to_the_national_desk_is_refused_until_an_administrator_grants_it(
        pool: asyncpg.Pool, platform: FakeLinePlatform) -> None:
    officer, line_user_id = await officer_at(pool, platform, OfficerRole.INSPECTOR)
    assert isinstance(await first_sign_in(pool, line_user_id), LineAccount)
    await pool.execute("UPDATE officers SET role = 'NATIONAL_DESK', station_id = NULL, province_code = NULL "
                       "WHERE id = $1", officer.officer_id)

    found = await first_sign_in(pool, line_user_id)

    assert isinstance(found, Refused) and found.reason == LineRefusal.NO_ACCOUNT


async def test_two_first_sign_ins_at_once_create_one_account_and_both_use_it(
        pool: asyncpg.Pool, platform: FakeLinePlatform) -> None:
    officer, line_user_id = await officer_at(pool, platform, OfficerRole.INSPECTOR)
    async with pool.acquire() as first, pool.acquire() as second:
        first_transaction = first.transaction()
        await first_transaction.start()
        made = await account_for_line_user(first, line_user_id)
        # The second begins before the first has committed: it finds no account and tries to create one.
        racing = asyncio.create_task(first_sign_in_on(second, line_user_id))
        second_pid = second.get_server_pid()
        while not await pool.fetchval(
                "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", second_pid):
            assert not racing.done(), "the second sign-in did not wait for the first one's account"
            await asyncio.sleep(0.02)
        await first_transaction.commit()
        found = await racing
    assert isinstance(made, LineAccount) and isinstance(found, LineAccount)
    assert made.created and not found.created
    assert found.account == made.account
    assert await accounts_acting_as(pool, officer) == 1


async def first_sign_in_on(connection: asyncpg.Connection, line_user_id: str) -> LineAccount | Refused:
    async with connection.transaction():
        return await account_for_line_user(connection, line_user_id)


async def test_the_national_desk_is_refused_as_before_and_gets_no_account(
        pool: asyncpg.Pool, platform: FakeLinePlatform) -> None:
    officer, line_user_id = await officer_at(pool, platform, OfficerRole.NATIONAL_DESK)
    found = await first_sign_in(pool, line_user_id)
    assert isinstance(found, Refused) and found.reason == LineRefusal.NO_ACCOUNT
    assert found.person is not None and found.person.officer_id == officer.officer_id
    assert await accounts_acting_as(pool, officer) == 0


async def test_a_team_member_without_an_account_is_refused_and_gets_none(
        pool: asyncpg.Pool, platform: FakeLinePlatform) -> None:
    member, line_user_id = await linked_team_member(pool, platform, TeamRole.COORDINATOR, "10")
    try:
        assert line_user_id is not None
        found = await first_sign_in(pool, line_user_id)
        assert isinstance(found, Refused) and found.reason == LineRefusal.NO_ACCOUNT
        assert await pool.fetchval("SELECT count(*) FROM accounts WHERE team_member_id = $1", member.member_id) == 0
    finally:
        await let_go(pool, [member])


async def test_an_officer_whose_created_account_was_disabled_is_refused_and_gets_no_new_one(
        pool: asyncpg.Pool, platform: FakeLinePlatform) -> None:
    officer, line_user_id = await officer_at(pool, platform, OfficerRole.INSPECTOR)
    first = await first_sign_in(pool, line_user_id)
    assert isinstance(first, LineAccount)
    await pool.execute("UPDATE accounts SET active = false WHERE id = $1", first.account.account_id)

    found = await first_sign_in(pool, line_user_id)

    assert isinstance(found, Refused) and found.reason == LineRefusal.ACCOUNT_DISABLED
    assert await accounts_acting_as(pool, officer) == 1


async def test_a_demo_officers_account_is_a_demo_account(pool: asyncpg.Pool, platform: FakeLinePlatform) -> None:
    officer, line_user_id = await officer_at(pool, platform, OfficerRole.INSPECTOR)
    await pool.execute("UPDATE officers SET is_demo = true WHERE id = $1", officer.officer_id)
    found = await first_sign_in(pool, line_user_id)
    assert isinstance(found, LineAccount) and found.created
    assert await pool.fetchval("SELECT is_demo FROM accounts WHERE id = $1", found.account.account_id)


async def test_a_username_already_taken_by_hand_creates_nothing_and_is_refused(
        pool: asyncpg.Pool, platform: FakeLinePlatform) -> None:
    officer, line_user_id = await officer_at(pool, platform, OfficerRole.INSPECTOR)
    await pool.execute(
        """INSERT INTO accounts (username, display_name, password_hash, role, province_code)
           VALUES ($1, 'ตั้งเอง', 'x', 'PROVINCE_ADMIN', '10')""", f"line-officer-{officer.officer_id}")
    found = await first_sign_in(pool, line_user_id)
    assert isinstance(found, Refused) and found.reason == LineRefusal.NO_ACCOUNT
    assert await accounts_acting_as(pool, officer) == 0
