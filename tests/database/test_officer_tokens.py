"""Officers' API tokens: issued once in plain text, stored only as a hash, resolved to the officer
they speak for, and dead once revoked or once the officer is no longer active."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import asyncpg
import pytest

from database.officer_tokens import (
    DEFAULT_LIFETIME,
    TokenExpired,
    UnknownOfficer,
    issue_token,
    officer_for_token,
    revoke_officer_tokens,
    revoke_token,
)
from domain.models import OfficerRole

CHIANG_MAI = "50"
PHUKET = "83"


async def add_station(connection: asyncpg.Connection, province_code: str) -> int:
    return await connection.fetchval(
        "INSERT INTO stations (code, name_th, name_en, province_code) VALUES ($1, 'สถานีทดสอบ', 'Test station', $2)"
        " RETURNING id",
        f"TEST-{uuid.uuid4().hex[:10]}",
        province_code,
    )


async def add_officer(
    connection: asyncpg.Connection,
    role: OfficerRole,
    *,
    station_id: int | None = None,
    province_code: str | None = None,
    active: bool = True,
) -> tuple[int, str]:
    code = f"TEST-{uuid.uuid4().hex[:10]}"
    officer_id = await connection.fetchval(
        "INSERT INTO officers (code, name, role, station_id, province_code, active)"
        " VALUES ($1, 'ร.ต.อ. ทดสอบ', $2, $3, $4, $5) RETURNING id",
        code, role.value, station_id, province_code, active,
    )
    return officer_id, code


async def test_an_issued_token_resolves_to_its_officer_and_only_its_hash_is_stored(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        officer_id, code = await add_officer(connection, OfficerRole.COMMANDER, province_code=PHUKET)
        token = await issue_token(connection, code)
        officer = await officer_for_token(connection, token)
        stored = await connection.fetchval(
            "SELECT array_agg(token_hash) FROM officer_access_tokens WHERE officer_id = $1", officer_id
        )
    assert officer is not None
    assert (officer.officer_id, officer.role, officer.province_code, officer.station_id) == (
        officer_id, OfficerRole.COMMANDER, PHUKET, None)
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert len(token) >= 40


async def test_a_station_officer_belongs_to_their_stations_province(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        station_id = await add_station(connection, CHIANG_MAI)
        _, code = await add_officer(connection, OfficerRole.INSPECTOR, station_id=station_id)
        officer = await officer_for_token(connection, await issue_token(connection, code))
    assert officer is not None
    assert (officer.station_id, officer.province_code) == (station_id, CHIANG_MAI)


async def test_each_issue_gives_a_new_token(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        _, code = await add_officer(connection, OfficerRole.NATIONAL_DESK)
        first, second = await issue_token(connection, code), await issue_token(connection, code)
        assert first != second
        assert await officer_for_token(connection, first) is not None
        assert await officer_for_token(connection, second) is not None


async def test_an_unknown_token_resolves_to_nobody(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        assert await officer_for_token(connection, "not-a-token") is None


async def test_a_revoked_token_resolves_to_nobody(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        _, code = await add_officer(connection, OfficerRole.NATIONAL_DESK)
        token = await issue_token(connection, code)
        assert await revoke_token(connection, token) is True
        assert await officer_for_token(connection, token) is None
        assert await revoke_token(connection, token) is False  # already revoked


async def test_revoking_an_officer_revokes_all_their_tokens_and_no_one_elses(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        _, code = await add_officer(connection, OfficerRole.NATIONAL_DESK)
        _, colleague = await add_officer(connection, OfficerRole.NATIONAL_DESK)
        tokens = [await issue_token(connection, code) for _ in range(2)]
        colleagues_token = await issue_token(connection, colleague)
        assert await revoke_officer_tokens(connection, code) == 2
        assert [await officer_for_token(connection, token) for token in tokens] == [None, None]
        assert await officer_for_token(connection, colleagues_token) is not None


async def test_an_inactive_officers_tokens_stop_working_and_no_new_one_is_issued(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        officer_id, code = await add_officer(connection, OfficerRole.COMMANDER, province_code=PHUKET)
        token = await issue_token(connection, code)
        await connection.execute("UPDATE officers SET active = false WHERE id = $1", officer_id)
        assert await officer_for_token(connection, token) is None
        with pytest.raises(UnknownOfficer) as raised:
            await issue_token(connection, code)
    assert code not in str(raised.value)


async def test_no_token_for_an_unknown_officer_code(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        with pytest.raises(UnknownOfficer):
            await issue_token(connection, f"NOBODY-{uuid.uuid4().hex}")


async def token_row(connection: asyncpg.Connection, token: str) -> asyncpg.Record:
    return await connection.fetchrow(
        "SELECT created_at, expires_at, last_used_at FROM officer_access_tokens WHERE token_hash = $1",
        hashlib.sha256(token.encode()).hexdigest())


async def test_a_token_lives_ninety_days_unless_issued_for_less(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        _, code = await add_officer(connection, OfficerRole.NATIONAL_DESK)
        usual = await token_row(connection, await issue_token(connection, code))
        short = await token_row(connection, await issue_token(connection, code, lifetime=timedelta(days=7)))
    assert timedelta(days=90) == DEFAULT_LIFETIME
    assert usual["expires_at"] - usual["created_at"] == timedelta(days=90)
    assert short["expires_at"] - short["created_at"] == timedelta(days=7)


@pytest.mark.parametrize("lifetime", [timedelta(0), timedelta(days=-1), timedelta(days=366)])
async def test_a_token_cannot_be_issued_for_no_time_or_for_more_than_a_year(pool: asyncpg.Pool, lifetime) -> None:
    async with pool.acquire() as connection:
        _, code = await add_officer(connection, OfficerRole.NATIONAL_DESK)
        with pytest.raises(ValueError, match="1 to 365 days"):
            await issue_token(connection, code, lifetime=lifetime)


async def test_an_expired_token_is_refused_as_expired(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        _, code = await add_officer(connection, OfficerRole.NATIONAL_DESK)
        token = await issue_token(connection, code)
        await connection.execute("UPDATE officer_access_tokens SET expires_at = now() - interval '1 second' "
                                 "WHERE token_hash = $1", hashlib.sha256(token.encode()).hexdigest())
        with pytest.raises(TokenExpired):
            await officer_for_token(connection, token)


async def test_a_tokens_last_use_is_recorded_at_most_once_a_minute(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        _, code = await add_officer(connection, OfficerRole.NATIONAL_DESK)
        token = await issue_token(connection, code)
        assert (await token_row(connection, token))["last_used_at"] is None  # never used yet
        await officer_for_token(connection, token)
        first_use = (await token_row(connection, token))["last_used_at"]
        await officer_for_token(connection, token)
        assert first_use is not None and (await token_row(connection, token))["last_used_at"] == first_use
        hash_ = hashlib.sha256(token.encode()).hexdigest()
        await connection.execute("UPDATE officer_access_tokens SET last_used_at = now() - interval '61 seconds' "
                                 "WHERE token_hash = $1", hash_)
        await officer_for_token(connection, token)
        assert (await token_row(connection, token))["last_used_at"] > first_use
