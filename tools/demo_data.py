"""Demonstration data (accounts, officers, team members, agencies) taken out of service before production.

A production start refuses to serve while demo data is active in its database: the demo accounts'
password is in this repository (database/demo_data.py). This takes the demo data out of service:
deactivated, not deleted, since cases and the audit log may name them.

    python -m tools.demo_data count     # how many are active
    python -m tools.demo_data remove    # deactivates them all and ends the demo accounts' sessions
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from database.demo_data import active_demo_data, remove_demo_data
from tools.database_connection import database_connection


async def _run(command: str) -> str:
    async with database_connection() as connection:
        demo = await (remove_demo_data(connection) if command == "remove" else active_demo_data(connection))
    done = "ปิดใช้งานแล้ว — deactivated" if command == "remove" else "ยังใช้งานอยู่ — active"
    return (f"{done}: {demo.accounts:,} demo accounts, {demo.officers:,} demo officers, "
            f"{demo.team_members:,} demo team members, {demo.agencies:,} demo agencies")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.demo_data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["count", "remove"])
    print(asyncio.run(_run(parser.parse_args(argv).command)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
