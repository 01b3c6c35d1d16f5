"""Officers' API bearer tokens on the command line: issue one (printed once), revoke an officer's,
list them (expiry and last use, never the token itself).

    python -m tools.officer_tokens issue <officer code> [--days N]  # prints a new token once
    python -m tools.officer_tokens revoke <officer code>            # revokes all of the officer's tokens
    python -m tools.officer_tokens list [<officer code>]            # expiry and last use of each token
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timedelta

import asyncpg

from database.officer_tokens import (
    DEFAULT_LIFETIME,
    MAX_LIFETIME,
    UnknownOfficer,
    issue_token,
    revoke_officer_tokens,
    token_listing,
)
from domain.clock import THAILAND
from tools.database_connection import database_connection

LISTING_HEADER = ("officer", "token", "created", "expires", "last used", "state")


def _listing_line(row: asyncpg.Record) -> str:
    state = "revoked" if row["revoked_at"] else "expired" if row["expired"] else "live"
    return "\t".join((row["officer_code"], row["name"], _thai_time(row["created_at"]), _thai_time(row["expires_at"]),
                      _thai_time(row["last_used_at"], never="never"), state))


def _thai_time(moment: datetime | None, never: str = "-") -> str:
    return moment.astimezone(THAILAND).strftime("%Y-%m-%d %H:%M") if moment else never


async def _run(command: str, officer_code: str | None, days: int) -> int:
    async with database_connection() as connection:
        if command == "list":
            print("\t".join(LISTING_HEADER))
            for row in await token_listing(connection, officer_code):
                print(_listing_line(row))
            return 0
        assert officer_code is not None  # main() refuses issue and revoke without it
        if command == "issue":
            try:
                token = await issue_token(connection, officer_code, timedelta(days=days))
            except UnknownOfficer as error:
                print(error, file=sys.stderr)
                return 1
            print(token)
        else:
            print(f"revoked {await revoke_officer_tokens(connection, officer_code)} token(s)")
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.officer_tokens",
        description="ออก เพิกถอน หรือแสดงโทเค็น API ของเจ้าหน้าที่ — issue, revoke or list officers' API tokens",
    )
    parser.add_argument("command", choices=["issue", "revoke", "list"])
    parser.add_argument("officer_code", nargs="?",
                        help="the officer's code (list: optional, all officers without it) / รหัสเจ้าหน้าที่")
    parser.add_argument("--days", type=int, default=DEFAULT_LIFETIME.days,
                        help=f"issue: the token's lifetime in days, 1–{MAX_LIFETIME.days} "
                             f"(default {DEFAULT_LIFETIME.days}) / อายุโทเค็น (วัน)")
    arguments = parser.parse_args(argv)
    if arguments.command != "list" and not arguments.officer_code:
        parser.error(f"{arguments.command} needs the officer's code / ต้องระบุรหัสเจ้าหน้าที่")
    if not 1 <= arguments.days <= MAX_LIFETIME.days:
        parser.error(f"--days must be 1–{MAX_LIFETIME.days} / อายุโทเค็นต้องอยู่ระหว่าง 1–{MAX_LIFETIME.days} วัน")
    return asyncio.run(_run(arguments.command, arguments.officer_code, arguments.days))


if __name__ == "__main__":
    sys.exit(main())
