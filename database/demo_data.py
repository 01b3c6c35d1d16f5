"""Demonstration data (accounts, officers, team members, agencies; is_demo in their tables) kept out of
production.

A production start marks its database (migration 0010) and will not go on while active demo
accounts, demo officers, demo team members or demo agencies are in it: the demo accounts' password
is in this repository, and a team must never refer someone to an agency that does not exist. A
development start refuses to seed demo data into a marked database, and demo accounts never sign in
there. To take the demo data out of service (deactivated, not deleted: cases
and the audit log may name them):

    python -m tools.demo_data count     # how many are active
    python -m tools.demo_data remove    # deactivates them all and ends the demo accounts' sessions
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import asyncpg

# A condition on accounts `a`: false for a demo account once production has marked the database.
MAY_SIGN_IN = "NOT (a.is_demo AND EXISTS (SELECT 1 FROM production_mark))"
# What the refusal to start tells the operator to run (tools/demo_data.py).
REMOVE_COMMAND = "python -m tools.demo_data remove"


class DemoDataInProduction(RuntimeError):
    """Production will not start while demo data is active in its database."""


class DemoDataRefused(RuntimeError):
    """Development will not seed demo data into a database production has started on."""


@dataclass(frozen=True)
class DemoData:
    """How many demo accounts, officers, team members and agencies are active."""

    accounts: int
    officers: int
    team_members: int
    agencies: int

    def __bool__(self) -> bool:
        return any(self.as_counts().values())

    def as_counts(self) -> dict[str, int]:
        return asdict(self)


async def active_demo_data(connection: asyncpg.Connection) -> DemoData:
    row = await connection.fetchrow(
        """
        SELECT (SELECT count(*) FROM accounts WHERE is_demo AND active) AS accounts,
               (SELECT count(*) FROM officers WHERE is_demo AND active) AS officers,
               (SELECT count(*) FROM team_members WHERE is_demo AND active) AS team_members,
               (SELECT count(*) FROM agencies WHERE is_demo AND active) AS agencies
        """
    )
    return DemoData(**dict(row))


async def mark_production(connection: asyncpg.Connection) -> None:
    await connection.execute("INSERT INTO production_mark DEFAULT VALUES ON CONFLICT DO NOTHING")


async def refuse_demo_data_in_production(connection: asyncpg.Connection) -> None:
    """At a production start: marks the database (even if the start goes no further, so development
    never seeds it again), then raises DemoDataInProduction while demo data is active."""
    await mark_production(connection)
    demo = await active_demo_data(connection)
    if demo:
        raise DemoDataInProduction(
            f"ESS_ENV=production ไม่เริ่มทำงาน: ฐานข้อมูลมีข้อมูลตัวอย่างที่ยังใช้งานอยู่ — บัญชี {demo.accounts:,} บัญชี "
            f"เจ้าหน้าที่ {demo.officers:,} คน สมาชิกทีมสหวิชาชีพ {demo.team_members:,} คน "
            f"หน่วยงานส่งต่อ {demo.agencies:,} แห่ง; "
            f"ESS_ENV=production will not start: the database holds {demo.accounts:,} active demo accounts, "
            f"{demo.officers:,} active demo officers, {demo.team_members:,} active demo team members "
            f"and {demo.agencies:,} active demo agencies "
            f"(the demo password is public). Take them out of service with `{REMOVE_COMMAND}`."
        )


async def refuse_to_seed_a_production_database(connection: asyncpg.Connection) -> None:
    """Before demo data is added: raises DemoDataRefused if production has started on this database."""
    if await connection.fetchval("SELECT EXISTS (SELECT 1 FROM production_mark)"):
        raise DemoDataRefused(
            "ฐานข้อมูลนี้เป็นของระบบจริง (ESS_ENV=production เคยเริ่มทำงานบนฐานข้อมูลนี้) จึงไม่เพิ่มข้อมูลตัวอย่าง — "
            "production has started on this database, so development will not add demo data to it: "
            "point DATABASE_URL at another database (or unset it for the embedded one)."
        )


async def remove_demo_data(connection: asyncpg.Connection) -> DemoData:
    """Deactivates every demo account (ending its sessions), demo officer, demo team member and demo
    agency; how many."""
    async with connection.transaction():
        accounts = await connection.fetch("UPDATE accounts SET active = false WHERE is_demo AND active RETURNING id")
        await connection.execute(
            "UPDATE account_sessions SET ended_at = now() WHERE account_id = ANY($1::bigint[]) AND ended_at IS NULL",
            [row["id"] for row in accounts],
        )
        officers = await connection.execute("UPDATE officers SET active = false WHERE is_demo AND active")
        members = await connection.execute("UPDATE team_members SET active = false WHERE is_demo AND active")
        agencies = await connection.execute("UPDATE agencies SET active = false WHERE is_demo AND active")
    return DemoData(len(accounts), _row_count(officers), _row_count(members), _row_count(agencies))


def _row_count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])
