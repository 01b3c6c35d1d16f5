"""An officer (or a team member) links their LINE account to the directory by typing the one-time
code they were given, in the same chat where their alerts will arrive; "registered" follows from
that link."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg

from database.officer_codes import issue_registration_code, issue_team_registration_code
from database.sign_in_throttle import FREE_FAILURES
from tests.conversation import text_of
from tests.officers import fresh_district, station_for
from tests.workflows.conftest import Reporting


async def unregistered_officer(pool: asyncpg.Pool) -> str:
    """A directory entry with no LINE link yet, as an import leaves it; returns its code."""
    district = await fresh_district(pool)
    code = f"TEST-{uuid.uuid4().hex[:10]}"
    await pool.execute(
        "insert into officers (code, name, role, station_id) values ($1, 'ร.ต.ท. ทดสอบ ลงทะเบียน', 'INSPECTOR', $2)",
        code, await station_for(pool, district["code"]),
    )
    return code


async def test_an_officer_registers_by_typing_the_code_and_is_linked(live_reporting: Reporting) -> None:
    pool = live_reporting.pool
    officer_code = await unregistered_officer(pool)
    async with pool.acquire() as connection:
        code = await issue_registration_code(connection, officer_code, timedelta(days=1))
    officer = live_reporting.citizen()
    await officer.says(f"ลงทะเบียน {code.lower()}")
    [answer] = await officer.hears()
    assert "ลงทะเบียนแล้ว" in text_of(answer) and "ทดสอบ ลงทะเบียน" in text_of(answer)
    linked = await pool.fetchrow("select line_user_id, registered_at from officers where code = $1", officer_code)
    assert linked["line_user_id"] == officer.user_id and linked["registered_at"] is not None

    # The code was for one use: someone else typing it is refused, with the reason.
    someone_else = live_reporting.citizen()
    await someone_else.says(f"register {code}")
    [refusal] = await someone_else.hears()
    assert "ลงทะเบียนไม่สำเร็จ" in text_of(refusal) and "ถูกใช้แล้ว" in text_of(refusal)


async def test_an_unknown_code_is_refused_in_the_officers_language(live_reporting: Reporting) -> None:
    stranger = live_reporting.citizen(language="en")
    await stranger.says("register ZZZZ9999")
    [refusal] = await stranger.hears()
    assert text_of(refusal).startswith("Registration failed: This code is unknown")


async def test_a_line_account_guessing_codes_is_told_how_long_to_wait(live_reporting: Reporting) -> None:
    guesser = live_reporting.citizen()
    for n in range(FREE_FAILURES):
        await guesser.says(f"ลงทะเบียน ZZZZ{n:04d}")
        await guesser.hears()
    await guesser.says("ลงทะเบียน ZZZZ7777")
    [answer] = await guesser.hears()
    assert text_of(answer) == "ลงทะเบียนไม่สำเร็จ: ลองรหัสผิดหลายครั้ง กรุณารอ 1 นาทีแล้วลองใหม่"


async def test_a_team_member_registers_the_same_way_and_is_greeted_by_name(live_reporting: Reporting) -> None:
    pool = live_reporting.pool
    member_code = f"TEAM-{uuid.uuid4().hex[:10]}"
    await pool.execute(
        "insert into team_members (code, name, role, province_code)"
        " values ($1, 'นางสาวทดสอบ ทีมสหวิชาชีพ', 'SOCIAL_WORKER', '57')",
        member_code,
    )
    async with pool.acquire() as connection:
        code = await issue_team_registration_code(connection, member_code, timedelta(days=1))
    member = live_reporting.citizen()
    await member.says(f"register {code}")
    [answer] = await member.hears()
    assert "ลงทะเบียนแล้ว" in text_of(answer) and "นางสาวทดสอบ ทีมสหวิชาชีพ" in text_of(answer)
    linked = await pool.fetchval("select line_user_id from team_members where code = $1", member_code)
    assert linked == member.user_id
