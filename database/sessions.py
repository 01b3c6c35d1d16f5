"""Signing in to the back office: checking a password with throttling (database.sign_in_throttle),
and sessions.

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

from database.accounts import ACCOUNT_COLUMNS, NO_ACCOUNT_HASH, hash_password, needs_rehash, password_matches
from database.demo_data import MAY_SIGN_IN
from database.sign_in_throttle import attempt_failed, attempt_succeeded, begin_attempt
from domain.accounts import Account

SESSION_LIFETIME = timedelta(hours=12)  # one long shift
IDLE_TIMEOUT = timedelta(hours=2)
# The account as a session knows it: with the team member a team's account acts as.
SESSION_ACCOUNT_COLUMNS = f"{ACCOUNT_COLUMNS}, a.team_member_id"


class SignInRefusal(StrEnum):
    WRONG = "wrong"  # unknown username, wrong password or a disabled account: one answer for all
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Refused:
    reason: SignInRefusal
    wait: timedelta = timedelta(0)  # THROTTLED: how long until this address may try again
    wait_began: bool = False  # WRONG: this failure is the one that makes the address wait


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str


def session_key(token: str) -> str:
    """What a session is stored under, and how other tables name it: the SHA-256 of its token."""
    return hashlib.sha256(token.encode()).hexdigest()



async def sign_in(pool: asyncpg.Pool, username: str, password: str, client: str,
                  failures_per_minute: int) -> Account | Refused:
    checked = await checked_password(pool, username, password, client, failures_per_minute)
    if isinstance(checked, Refused):
        return checked
    return Account(**{key: value for key, value in dict(checked).items() if key != "password_hash"})


async def checked_password(pool: asyncpg.Pool, username: str, password: str, client: str,
                           failures_per_minute: int) -> asyncpg.Record | Refused:
    """The active account whose password this is (its session columns and password hash), or why not.
    Every check counts: the sign-in page's, and the current password on the change-password form's.
    No database connection is held while the password is checked: attempts waiting for their turn
    must not take the connections the webhook needs."""
    username = username.strip().lower()[:64]
    async with pool.acquire() as connection:
        if wait := await begin_attempt(connection, username, client, failures_per_minute):
            return Refused(SignInRefusal.THROTTLED, wait=wait)
        row = await connection.fetchrow(
            f"SELECT {SESSION_ACCOUNT_COLUMNS}, a.password_hash FROM accounts a WHERE a.username = $1 AND a.active "
            f"AND {MAY_SIGN_IN}", username
        )
    matched = await password_matches(row["password_hash"] if row else NO_ACCOUNT_HASH, password)
    rehashed = await hash_password(password) if matched and row and needs_rehash(row["password_hash"]) else None
    async with pool.acquire() as connection:
        if row is None or not matched:
            return Refused(SignInRefusal.WRONG, wait_began=await attempt_failed(connection, username, client))
        await attempt_succeeded(connection, username, client)
        if rehashed:
            await connection.execute("UPDATE accounts SET password_hash = $2 WHERE id = $1",
                                     row["account_id"], rehashed)
    return row


async def start_session(connection: asyncpg.Connection, account_id: int) -> tuple[str, Session]:
    """(the cookie's token, the session)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    await connection.execute(
        "INSERT INTO account_sessions (token_hash, account_id, csrf_token, expires_at) "
        "VALUES ($1, $2, $3, now() + $4::interval)",
        session_key(token), account_id, csrf, SESSION_LIFETIME,
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
        session_key(token), IDLE_TIMEOUT,
    )
    if row is None:
        return None
    values = dict(row)
    csrf = values.pop("csrf_token")
    return Session(Account(**values), csrf)


async def end_session(connection: asyncpg.Connection, token: str) -> None:
    await connection.execute(
        "UPDATE account_sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL", session_key(token)
    )
