"""Back-office accounts: what may be created, how an officer link sets the scope, the demo accounts."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from database.accounts import (
    AccountRefused,
    account_by_id,
    create_account,
    ensure_demo_accounts,
    password_matches,
)
from domain.accounts import AccountRole

PASSWORD = "long enough password"


def a_username() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


async def test_the_password_is_stored_only_as_an_argon2_hash(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        account_id = await create_account(connection, username=a_username(), display_name="ทดสอบ",
                                          password=PASSWORD, role=AccountRole.SUPERADMIN)
        stored = await connection.fetchval("SELECT password_hash FROM accounts WHERE id = $1", account_id)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert await password_matches(stored, PASSWORD) and not await password_matches(stored, PASSWORD + "!")


@pytest.mark.parametrize("change, reason", [
    ({"password": "short"}, "อย่างน้อย"),
    ({"username": "Bad Name!"}, "a-z"),
    ({"role": AccountRole.STATION_OFFICER}, "station"),  # a station officer needs a station
    ({"role": AccountRole.PROVINCE_ADMIN}, "province"),  # a province administrator needs a province
    ({"officer_code": "NO-SUCH-OFFICER"}, "no active officer"),
])
async def test_an_account_that_could_not_work_is_refused_with_the_reason(pool: asyncpg.Pool, change, reason) -> None:
    fields = {"username": a_username(), "display_name": "ทดสอบ", "password": PASSWORD,
              "role": AccountRole.SUPERADMIN} | change
    async with pool.acquire() as connection:
        with pytest.raises(AccountRefused, match=reason):
            await create_account(connection, **fields)


async def test_a_username_is_taken_once_whatever_its_case(pool: asyncpg.Pool) -> None:
    username = a_username()
    async with pool.acquire() as connection:
        await create_account(connection, username=username, display_name="หนึ่ง", password=PASSWORD,
                             role=AccountRole.SUPERADMIN)
        with pytest.raises(AccountRefused, match="taken"):
            await create_account(connection, username=username.upper(), display_name="สอง", password=PASSWORD,
                                 role=AccountRole.SUPERADMIN)


async def test_an_account_acting_as_an_officer_takes_their_station_and_province(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        account_id = await create_account(connection, username=a_username(), display_name="สารวัตร",
                                          password=PASSWORD, role=AccountRole.STATION_OFFICER,
                                          officer_code="DEMO-OFFICER-1033-INSPECTOR")
        account = await account_by_id(connection, account_id)
        station = await connection.fetchrow("SELECT id, province_code FROM stations WHERE code = 'DEMO-1033'")
    assert account is not None and account.officer_id is not None
    assert (account.station_id, account.province_code) == (station["id"], station["province_code"])
    assert account.scope.station_id == station["id"]


async def test_the_demonstration_accounts_are_added_once(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        await ensure_demo_accounts(connection, "ess-demo-2569")
        assert await ensure_demo_accounts(connection, "ess-demo-2569") == 0
        rows = await connection.fetch("SELECT username, role, is_demo FROM accounts WHERE is_demo ORDER BY username")
    assert {row["username"] for row in rows} >= {"admin", "bangkok-admin", "bangkok-191", "khlongtoei", "bangkok-team",
                                                  "bangkok-head", "chiangmai-team"}


@pytest.mark.parametrize("officer_code, reason", [
    ("DEMO-OFFICER-1033-INSPECTOR", "another province"),  # Bangkok's
    ("DEMO-OFFICER-NATIONAL-DESK-1", "national desk"),  # no province: acting as them would act nationally
])
async def test_an_account_may_not_name_a_province_other_than_its_officers(pool: asyncpg.Pool, officer_code,
                                                                          reason) -> None:
    async with pool.acquire() as connection:
        with pytest.raises(AccountRefused, match=reason):
            await create_account(connection, username=a_username(), display_name="ผิดจังหวัด", password=PASSWORD,
                                 role=AccountRole.CENTRE_OPERATOR, province_code="50", officer_code=officer_code)
