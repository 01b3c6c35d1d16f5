"""Signing in to the back office: checking a password with throttling, and sessions.

A session is a random token in an HttpOnly cookie; only its SHA-256 is stored, with the CSRF
token every form of that session must carry back. Sessions end after a period without use, at
a fixed lifetime in any case, on sign-out, and when the account is disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import asyncpg

from database.accounts import ACCOUNT_COLUMNS, hash_password, needs_rehash, password_matches
from database.demo_data import MAY_SIGN_IN
from domain.accounts import Account

SESSION_LIFETIME = timedelta(hours=12)  # one long shift
IDLE_TIMEOUT = timedelta(hours=2)
# Throttling: within the window, this many failures for one username, or from one client address.
FAILURE_WINDOW = timedelta(minutes=15)
FAILURES_PER_USERNAME = 5
FAILURES_PER_CLIENT = 20
# The account as a session knows it: with the team member a team's account acts as.
SESSION_ACCOUNT_COLUMNS = f"{ACCOUNT_COLUMNS}, a.team_member_id"
# Checked when the username is unknown, so a wrong username takes as long as a wrong password.
_DUMMY_HASH = hash_password("not a real password, only for timing")


class SignInRefusal(StrEnum):
    WRONG = "wrong"  # unknown username, wrong password or a disabled account: one answer for all
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str


def session_key(token: str) -> str:
    """What a session is stored under, and how other tables name it: the SHA-256 of its token."""
    return hashlib.sha256(token.encode()).hexdigest()


_hash = session_key


async def sign_in(connection: asyncpg.Connection, username: str, password: str, client: str) -> Account | SignInRefusal:
    username = username.strip().lower()[:64]
    if await _throttled(connection, username, client):
        return SignInRefusal.THROTTLED
    row = await connection.fetchrow(
        f"SELECT {SESSION_ACCOUNT_COLUMNS}, a.password_hash FROM accounts a WHERE a.username = $1 AND a.active "
        f"AND {MAY_SIGN_IN}", username
    )
    if row is None or not password_matches(row["password_hash"], password):
        if row is None:
            password_matches(_DUMMY_HASH, password)
        await connection.execute("INSERT INTO sign_in_failures (username, client) VALUES ($1, $2)", username, client)
        return SignInRefusal.WRONG
    if needs_rehash(row["password_hash"]):
        await connection.execute("UPDATE accounts SET password_hash = $2 WHERE id = $1", row["account_id"],
                                 hash_password(password))
    await connection.execute("DELETE FROM sign_in_failures WHERE username = $1", username)
    return Account(**{key: value for key, value in dict(row).items() if key != "password_hash"})


async def _throttled(connection: asyncpg.Connection, username: str, client: str) -> bool:
    row = await connection.fetchrow(
        """
        SELECT count(*) FILTER (WHERE username = $1) AS by_username, count(*) FILTER (WHERE client = $2) AS by_client
        FROM sign_in_failures WHERE at > now() - $3::interval AND (username = $1 OR client = $2)
        """,
        username, client, FAILURE_WINDOW,
    )
    return row["by_username"] >= FAILURES_PER_USERNAME or row["by_client"] >= FAILURES_PER_CLIENT


async def start_session(connection: asyncpg.Connection, account_id: int) -> tuple[str, Session]:
    """(the cookie's token, the session)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    await connection.execute(
        "INSERT INTO account_sessions (token_hash, account_id, csrf_token, expires_at) "
        "VALUES ($1, $2, $3, now() + $4::interval)",
        _hash(token), account_id, csrf, SESSION_LIFETIME,
    )
    account = await connection.fetchrow(f"SELECT {SESSION_ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1", account_id)
    return token, Session(Account(**dict(account)), csrf)


async def current_session(connection: asyncpg.Connection, token: str) -> Session | None:
    """The live session of an active account behind this token; marks it used."""
    row = await connection.fetchrow(
        f"""
        UPDATE account_sessions AS s SET last_seen_at = now()
        FROM accounts AS a
        WHERE s.token_hash = $1 AND a.id = s.account_id AND a.active AND {MAY_SIGN_IN} AND s.ended_at IS NULL
          AND s.expires_at > now() AND s.last_seen_at > now() - $2::interval
        RETURNING {SESSION_ACCOUNT_COLUMNS}, s.csrf_token
        """,
        _hash(token), IDLE_TIMEOUT,
    )
    if row is None:
        return None
    values = dict(row)
    csrf = values.pop("csrf_token")
    return Session(Account(**values), csrf)


async def end_session(connection: asyncpg.Connection, token: str) -> None:
    await connection.execute(
        "UPDATE account_sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL", _hash(token)
    )
