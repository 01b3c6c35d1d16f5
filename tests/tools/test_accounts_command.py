"""python -m tools.accounts: creating an account (one that acts as a team member too) and a password
reset that ends every session and is audited."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from database.accounts import create_account
from database.sessions import current_session, start_session
from domain.accounts import AccountRole
from tools.accounts import main

PASSWORD = "long enough password"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def command_line_database(database_url: str, monkeypatch: pytest.MonkeyPatch):
    """The tool reads the test database from the settings, and the new password from the environment."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ESS_NEW_PASSWORD", PASSWORD)
    from configuration.settings import get_settings
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_command_line_creates_an_account(command_line_database, capsys: pytest.CaptureFixture) -> None:
    assert main(["create", unique("test"), "--role", "PROVINCE_ADMIN", "--province", "50"]) == 0
    assert "account created" in capsys.readouterr().out
    assert main(["create", unique("test"), "--role", "PROVINCE_ADMIN"]) == 1  # no province
    assert "province" in capsys.readouterr().err


def test_the_command_line_creates_an_account_acting_as_a_member(
    database_url: str, command_line_database, capsys: pytest.CaptureFixture
) -> None:
    username = unique("team")
    assert main(["create", username, "--role", "TEAM_MEMBER", "--team-member", "DEMO-TEAM-57-COORDINATOR"]) == 0
    assert "account created" in capsys.readouterr().out
    assert main(["create", unique("team"), "--role", "TEAM_MEMBER", "--team-member", "NO-SUCH"]) == 1
    assert "no active team member" in capsys.readouterr().err
    assert asyncio.run(acting_as(database_url, username)) == ("DEMO-TEAM-57-COORDINATOR", "57")


async def acting_as(database_url: str, username: str) -> tuple[str, str]:
    """(the team member code, the province) of the account."""
    connection = await asyncpg.connect(database_url)
    try:
        row = await connection.fetchrow(
            "SELECT m.code, a.province_code FROM accounts a JOIN team_members m ON m.id = a.team_member_id "
            "WHERE a.username = $1", username)
        return row["code"], row["province_code"]
    finally:
        await connection.close()


async def test_a_password_reset_on_the_command_line_ends_every_session_and_is_audited(
        pool: asyncpg.Pool, command_line_database, monkeypatch: pytest.MonkeyPatch) -> None:
    username = unique("test")
    async with pool.acquire() as connection:
        account_id = await create_account(connection, username=username, display_name="ทดสอบ", password=PASSWORD,
                                          role=AccountRole.SUPERADMIN)
        tokens = [(await start_session(connection, account_id))[0] for _ in range(2)]
    monkeypatch.setenv("ESS_NEW_PASSWORD", "a brand new password")
    assert await asyncio.to_thread(main, ["password", username]) == 0
    async with pool.acquire() as connection:
        assert [await current_session(connection, token) for token in tokens] == [None, None]
    reset = await pool.fetchrow("SELECT account_id, details FROM audit_log WHERE action = 'PASSWORD_RESET' "
                                "AND account_id = $1", account_id)
    assert reset is not None and reset["details"] == {"sessions_ended": 2, "by": "command line"}
