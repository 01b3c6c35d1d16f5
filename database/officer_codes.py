"""One-time registration codes that link an officer's or a team member's LINE account to the
directory.

Codes are short enough to read out or type on a phone (8 characters from an alphabet without
look-alikes such as 0/O and 1/I). Only a hash is stored; the plain code is shown once.

On the command line: python -m tools.officer_codes ISSUE (tools/officer_codes.py).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import asyncpg

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DEFAULT_VALIDITY = timedelta(days=14)


class UnknownOfficer(LookupError):
    pass


class UnknownTeamMember(LookupError):
    pass


def normalise_code(typed: str) -> str:
    """What the officer typed, the way codes are issued: capitals, no spaces or dashes."""
    return "".join(typed.split()).replace("-", "").upper()


def hash_code(typed: str) -> str:
    return hashlib.sha256(normalise_code(typed).encode("utf-8")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def issue_registration_code(connection: asyncpg.Connection, officer_code: str, valid_for: timedelta) -> str:
    """A new code for the officer with this directory code; returns the plain code, once.
    Earlier unused codes stay valid until they expire (a code may already be on its way)."""
    officer_id = await connection.fetchval("SELECT id FROM officers WHERE code = $1", officer_code)
    if officer_id is None:
        raise UnknownOfficer("no officer with that code in the directory")
    return await _insert_code(connection, "officer_id", officer_id, valid_for)


async def issue_team_registration_code(connection: asyncpg.Connection, member_code: str, valid_for: timedelta) -> str:
    """Like issue_registration_code, for the multidisciplinary team member with this directory code."""
    member_id = await connection.fetchval("SELECT id FROM team_members WHERE code = $1", member_code)
    if member_id is None:
        raise UnknownTeamMember("no team member with that code in the directory")
    return await _insert_code(connection, "team_member_id", member_id, valid_for)


async def _insert_code(connection: asyncpg.Connection, holder_column: str, holder_id: int, valid_for: timedelta) -> str:
    code = new_code()
    await connection.execute(
        f"""
        INSERT INTO officer_registration_codes (code_hash, {holder_column}, expires_at)
        VALUES ($1, $2, now() + $3::interval)
        """,
        hash_code(code),
        holder_id,
        valid_for,
    )
    return code
