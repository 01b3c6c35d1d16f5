"""Officers' API bearer tokens: issue, revoke, list, and resolve a token to the officer it speaks for.

Only the SHA-256 of a token is stored, so a copy of the database cannot be used to sign in;
the token itself is shown once, to whoever issued it. A token expires (90 days unless issued for
fewer) and records when it was last used, so a forgotten one is seen and none lives forever.

On the command line: python -m tools.officer_tokens issue|revoke|list (tools/officer_tokens.py).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import asyncpg

from domain.models import Officer, OfficerRole

# 32 random bytes: far beyond guessing, and short enough to paste into a client's settings.
TOKEN_BYTES = 32
# A client is set up again every quarter at most; a lost or forgotten token dies on its own.
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=365)
# The last use is written once per this period at most: a busy client does not write on every call.
LAST_USE_PRECISION = timedelta(minutes=1)
# How a token is named in listings: the start of its hash (never the token, which is shown once).
TOKEN_NAME_LENGTH = 8


class UnknownOfficer(LookupError):
    """No active officer has this code (the message never repeats the code: it may be personal)."""


class TokenExpired(Exception):
    """The token was issued and not revoked, but its lifetime is over: a new one must be issued."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def issue_token(connection: asyncpg.Connection, officer_code: str,
                      lifetime: timedelta = DEFAULT_LIFETIME) -> str:
    """A new token for the active officer with this code, valid for `lifetime` (1 to 365 days);
    raises UnknownOfficer, or ValueError for a lifetime out of range."""
    if not timedelta(days=1) <= lifetime <= MAX_LIFETIME:
        raise ValueError("อายุโทเค็นต้องอยู่ระหว่าง 1 ถึง 365 วัน — a token lives 1 to 365 days")
    officer_id = await connection.fetchval(
        "SELECT id FROM officers WHERE code = $1 AND active", officer_code
    )
    if officer_id is None:
        raise UnknownOfficer("no active officer has that code / ไม่พบเจ้าหน้าที่ที่ใช้งานอยู่ด้วยรหัสนี้")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await connection.execute(
        "INSERT INTO officer_access_tokens (token_hash, officer_id, created_at, expires_at) "
        "VALUES ($1, $2, now(), now() + $3::interval)",
        hash_token(token),
        officer_id,
        lifetime,
    )
    return token


async def revoke_token(connection: asyncpg.Connection, token: str) -> bool:
    """True if the token was live and is now revoked."""
    status = await connection.execute(
        "UPDATE officer_access_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
        hash_token(token),
    )
    return status.endswith(" 1")


async def revoke_officer_tokens(connection: asyncpg.Connection, officer_code: str) -> int:
    """Revokes every live token of the officer with this code (e.g. a lost phone); how many."""
    status = await connection.execute(
        """
        UPDATE officer_access_tokens SET revoked_at = now()
        WHERE revoked_at IS NULL
          AND officer_id IN (SELECT id FROM officers WHERE code = $1)
        """,
        officer_code,
    )
    return int(status.rsplit(" ", 1)[-1])


async def officer_for_token(connection: asyncpg.Connection, token: str) -> Officer | None:
    """The active officer a live token belongs to, or None; raises TokenExpired for a token past its
    lifetime. Records the token's use (at most once per LAST_USE_PRECISION).

    A station officer's province is their station's, so scoping by province and by station agree."""
    row = await connection.fetchrow(
        """
        SELECT o.id, o.name, o.role, o.station_id,
               coalesce(s.province_code, o.province_code) AS province_code,
               t.expires_at <= now() AS expired,
               t.last_used_at IS NULL OR t.last_used_at < now() - $2::interval AS use_unrecorded
        FROM officer_access_tokens t
        JOIN officers o ON o.id = t.officer_id
        LEFT JOIN stations s ON s.id = o.station_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND o.active
        """,
        hash_token(token),
        LAST_USE_PRECISION,
    )
    if row is None:
        return None
    if row["expired"]:
        raise TokenExpired("โทเค็นหมดอายุแล้ว — the token has expired")
    if row["use_unrecorded"]:
        await connection.execute(
            "UPDATE officer_access_tokens SET last_used_at = now() WHERE token_hash = $1 "
            "AND (last_used_at IS NULL OR last_used_at < now() - $2::interval)",
            hash_token(token), LAST_USE_PRECISION,
        )
    return Officer(
        officer_id=row["id"],
        name=row["name"],
        role=OfficerRole(row["role"]),
        province_code=row["province_code"],
        station_id=row["station_id"],
    )


async def token_listing(connection: asyncpg.Connection, officer_code: str | None = None) -> list[asyncpg.Record]:
    """Every token (of one officer, or of all), newest first: its officer's code, its name (the start
    of its hash), when it was made, when it expires, when it was last used and whether it is revoked."""
    return await connection.fetch(
        """
        SELECT o.code AS officer_code, left(t.token_hash, $2) AS name, t.created_at, t.expires_at,
               t.last_used_at, t.revoked_at, t.expires_at <= now() AS expired
        FROM officer_access_tokens t JOIN officers o ON o.id = t.officer_id
        WHERE $1::text IS NULL OR o.code = $1
        ORDER BY t.created_at DESC, t.token_hash
        """,
        officer_code, TOKEN_NAME_LENGTH,
    )
