"""python -m tools.officer_tokens, run as a process: a token printed once that works until revoked,
none for an unknown officer, and a listing with expiry and last use but never the token."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import uuid
from datetime import timedelta

import asyncpg

from database.officer_tokens import officer_for_token
from domain.clock import THAILAND
from domain.models import OfficerRole


async def add_officer(connection: asyncpg.Connection) -> tuple[int, str]:
    """An active national desk officer: (id, code)."""
    code = f"TEST-{uuid.uuid4().hex[:10]}"
    officer_id = await connection.fetchval(
        "INSERT INTO officers (code, name, role) VALUES ($1, 'ร.ต.อ. ทดสอบ', $2) RETURNING id",
        code, OfficerRole.NATIONAL_DESK.value,
    )
    return officer_id, code


async def token_row(connection: asyncpg.Connection, token: str) -> asyncpg.Record:
    return await connection.fetchrow(
        "SELECT created_at, expires_at, last_used_at FROM officer_access_tokens WHERE token_hash = $1",
        hashlib.sha256(token.encode()).hexdigest())


async def run_cli(database_url: str, *arguments: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tools.officer_tokens", *arguments,
        env=os.environ | {"DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_command_line_prints_a_working_token_once_and_can_revoke_it(
    pool: asyncpg.Pool, database_url: str
) -> None:
    async with pool.acquire() as connection:
        officer_id, code = await add_officer(connection)
    status, out, _ = await run_cli(database_url, "issue", code)
    assert status == 0
    [token] = out.split()
    async with pool.acquire() as connection:
        officer = await officer_for_token(connection, token)
        assert officer is not None and officer.officer_id == officer_id
    status, out, _ = await run_cli(database_url, "revoke", code)
    assert (status, out.strip()) == (0, "revoked 1 token(s)")
    async with pool.acquire() as connection:
        assert await officer_for_token(connection, token) is None


async def test_the_command_line_fails_for_an_unknown_officer_without_printing_a_token(database_url: str) -> None:
    status, out, err = await run_cli(database_url, "issue", f"NOBODY-{uuid.uuid4().hex}")
    assert status == 1
    assert out == ""
    assert "no active officer" in err


async def test_the_command_line_issues_for_fewer_days_and_lists_expiry_and_last_use(
    pool: asyncpg.Pool, database_url: str
) -> None:
    async with pool.acquire() as connection:
        _, code = await add_officer(connection)
    status, out, _ = await run_cli(database_url, "issue", code, "--days", "30")
    assert status == 0
    [token] = out.split()
    async with pool.acquire() as connection:
        issued = await token_row(connection, token)
        assert issued["expires_at"] - issued["created_at"] == timedelta(days=30)
        await officer_for_token(connection, token)
        used = await token_row(connection, token)
    status, out, _ = await run_cli(database_url, "list", code)
    assert status == 0
    [header, line] = out.strip().splitlines()
    assert header.split("\t") == ["officer", "token", "created", "expires", "last used", "state"]
    fields = line.split("\t")
    assert fields[0] == code and token not in line  # the token itself is never shown again
    assert fields[1] == hashlib.sha256(token.encode()).hexdigest()[:8]
    assert fields[3] == issued["expires_at"].astimezone(THAILAND).strftime("%Y-%m-%d %H:%M")
    assert fields[4] == used["last_used_at"].astimezone(THAILAND).strftime("%Y-%m-%d %H:%M")
    assert fields[5] == "live"
