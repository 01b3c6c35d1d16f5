"""Officers' API bearer tokens: issue, revoke, and resolve a token to the officer it speaks for.

Only the SHA-256 of a token is stored, so a copy of the database cannot be used to sign in;
the token itself is shown once, to whoever issued it.

    python -m database.officer_tokens issue <officer code>    # prints a new token once
    python -m database.officer_tokens revoke <officer code>   # revokes all of the officer's tokens
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import secrets
import sys

import asyncpg

from domain.models import Officer, OfficerRole

# 32 random bytes: far beyond guessing, and short enough to paste into a client's settings.
TOKEN_BYTES = 32


class UnknownOfficer(LookupError):
    """No active officer has this code (the message never repeats the code: it may be personal)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def issue_token(connection: asyncpg.Connection, officer_code: str) -> str:
    """A new token for the active officer with this code; raises UnknownOfficer."""
    officer_id = await connection.fetchval(
        "SELECT id FROM officers WHERE code = $1 AND active", officer_code
    )
    if officer_id is None:
        raise UnknownOfficer("no active officer has that code / ไม่พบเจ้าหน้าที่ที่ใช้งานอยู่ด้วยรหัสนี้")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await connection.execute(
        "INSERT INTO officer_access_tokens (token_hash, officer_id) VALUES ($1, $2)",
        hash_token(token),
        officer_id,
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
    """The active officer a live token belongs to, or None.

    A station officer's province is their station's, so scoping by province and by station agree."""
    row = await connection.fetchrow(
        """
        SELECT o.id, o.name, o.role, o.station_id,
               coalesce(s.province_code, o.province_code) AS province_code
        FROM officer_access_tokens t
        JOIN officers o ON o.id = t.officer_id
        LEFT JOIN stations s ON s.id = o.station_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND o.active
        """,
        hash_token(token),
    )
    if row is None:
        return None
    return Officer(
        officer_id=row["id"],
        name=row["name"],
        role=OfficerRole(row["role"]),
        province_code=row["province_code"],
        station_id=row["station_id"],
    )


async def _run(command: str, officer_code: str) -> int:
    from database.pool import database_url
    from domain.settings import get_settings

    url = await asyncio.to_thread(database_url, get_settings())
    connection = await asyncpg.connect(url)
    try:
        if command == "issue":
            try:
                token = await issue_token(connection, officer_code)
            except UnknownOfficer as error:
                print(error, file=sys.stderr)
                return 1
            print(token)
        else:
            print(f"revoked {await revoke_officer_tokens(connection, officer_code)} token(s)")
        return 0
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m database.officer_tokens",
        description="ออกหรือเพิกถอนโทเค็น API ของเจ้าหน้าที่ — issue or revoke officers' API tokens",
    )
    parser.add_argument("command", choices=["issue", "revoke"])
    parser.add_argument("officer_code", help="the officer's code / รหัสเจ้าหน้าที่")
    arguments = parser.parse_args(argv)
    return asyncio.run(_run(arguments.command, arguments.officer_code))


if __name__ == "__main__":
    sys.exit(main())
