"""Issues a one-time registration code for an officer (or, with --team-member, a multidisciplinary
team member) already in the directory; prints the code, which is shown this once.

    python -m tools.officer_codes ISSUE <officer or team member code> [--team-member] [--days N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta

from database.officer_codes import (
    DEFAULT_VALIDITY,
    UnknownOfficer,
    UnknownTeamMember,
    issue_registration_code,
    issue_team_registration_code,
)
from tools.database_connection import database_connection


async def _issue(directory_code: str, valid_for: timedelta, *, team_member: bool) -> str:
    issue = issue_team_registration_code if team_member else issue_registration_code
    async with database_connection() as connection:
        return await issue(connection, directory_code, valid_for)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.officer_codes",
        description="ออกรหัสลงทะเบียนสำหรับเจ้าหน้าที่หรือทีมสหวิชาชีพ / "
        "Issue a registration code for an officer or a team member",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("ISSUE", help="issue a one-time code for an officer already in the directory")
    issue.add_argument("officer_code", help="the officer's code in the directory (badge or import key)")
    issue.add_argument("--team-member", action="store_true",
                       help="the code names a multidisciplinary team member, not an officer")
    issue.add_argument("--days", type=int, default=DEFAULT_VALIDITY.days, help="days the code stays valid")
    arguments = parser.parse_args(argv)
    try:
        code = asyncio.run(_issue(arguments.officer_code, timedelta(days=arguments.days),
                                  team_member=arguments.team_member))
    except UnknownOfficer:
        print("ไม่พบเจ้าหน้าที่รหัสนี้ / No officer with this code", file=sys.stderr)
        return 1
    except UnknownTeamMember:
        print("ไม่พบสมาชิกทีมสหวิชาชีพรหัสนี้ / No team member with this code", file=sys.stderr)
        return 1
    print(code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
