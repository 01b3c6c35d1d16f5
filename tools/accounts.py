"""Back-office accounts on the command line: create one, set a new password, disable one.

    python -m tools.accounts create <username> --role ROLE [--province CODE] [--station CODE]
                                    [--officer CODE] [--team-member CODE] [--name "ชื่อที่แสดง"]
    python -m tools.accounts password <username>      (ends every session of the account)
    python -m tools.accounts disable <username>

The password is read from the terminal without echo (or from ESS_NEW_PASSWORD, for scripts).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

import asyncpg

from database.accounts import AccountRefused, create_account, disable_account, set_password
from domain.accounts import AccountRole
from tools.database_connection import database_connection


def _new_password() -> str:
    if password := os.environ.get("ESS_NEW_PASSWORD"):
        return password
    first = getpass.getpass("รหัสผ่านใหม่ / new password: ")
    if getpass.getpass("อีกครั้ง / again: ") != first:
        raise AccountRefused("รหัสผ่านไม่ตรงกัน — the passwords differ")
    return first


async def _run(args: argparse.Namespace) -> str:
    async with database_connection() as connection:
        if args.command == "create":
            await create_account(
                connection, username=args.username, display_name=args.name or args.username,
                password=_new_password(), role=AccountRole(args.role), province_code=args.province,
                station_code=args.station, officer_code=args.officer, team_member_code=args.team_member,
            )
            return "สร้างบัญชีแล้ว — account created"
        if args.command == "password":
            found = await _reset_password(connection, args.username)
        else:
            found = await disable_account(connection, args.username)
        if not found:
            raise AccountRefused("ไม่พบบัญชีนี้ — no such account")
        return "เรียบร้อย — done"


async def _reset_password(connection: asyncpg.Connection, username: str) -> bool:
    """A reset from the command line is audited like one from the back office, by no account."""
    found = await set_password(connection, username, _new_password())
    if found:
        await connection.execute(
            "INSERT INTO audit_log (account_id, action, details) VALUES ($1, 'PASSWORD_RESET', $2)",
            found.account_id, {"sessions_ended": found.sessions_ended, "by": "command line"})
    return found is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.accounts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="a new back-office account")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[role.value for role in AccountRole])
    create.add_argument("--name", help="name shown in the back office")
    create.add_argument("--province", help="province code (e.g. 10 for Bangkok)")
    create.add_argument("--station", help="station code")
    create.add_argument("--officer", help="the officer this account acts as (officer code)")
    create.add_argument("--team-member", help="the team member a TEAM_MEMBER account acts as (team member code)")
    commands.add_parser("password", help="set a new password and end every session of the account").add_argument(
        "username")
    commands.add_parser("disable", help="disable an account and end its sessions").add_argument("username")
    args = parser.parse_args(argv)
    try:
        print(asyncio.run(_run(args)))
    except AccountRefused as refusal:
        print(refusal, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
