"""Reports a conversation could not record as a case (kept in `unrecorded_reports`, the reporter
told to call 191): list them, and replay one into a case.

    python -m tools.dead_letters list [--all]   # waiting ones (--all: replayed ones too)
    python -m tools.dead_letters replay <id>    # opens its case; prints the case number

A listing shows what an operator needs and no personal data: id, when it was kept (Thailand's
time), why (the failure's type), the incident type and the province. Replaying opens the case as
the conversation would have: the case number allocated under the report's own conversation id (so
the same number every time), the case recorded, and its CaseWorkflow started under the case's
workflow id on the worker's task queue (so its routing, alerts and escalation run as for any case).
Each step is idempotent and a second start of the same case's workflow is refused, so replaying
again, or twice at once, opens one case. Once replayed, the row keeps no personal data (the case
holds it, under the case's retention), and the audit log says who opened which case from which row
(UNRECORDED_REPORT_REPLAYED). Fix what refused the report first (the log line and the reason say
what failed); a replay that fails the same way changes nothing and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.cases import CaseStore
from configuration.settings import get_settings
from database import audit, dead_letters
from domain.clock import THAILAND, thai_year
from domain.models import CaseNumberRequest, CaseOpening
from orchestration.client import connect_temporal
from orchestration.ids import case_workflow_id
from tools.database_connection import tool_pool
from workflows.case import CaseWorkflow
from workflows.intake import case_search_attributes, case_summary

LISTING_HEADER = ("id", "kept", "reason", "incident type", "province", "state")
# The audit log's action for a replay (details: the row's id).
REPLAYED = "UNRECORDED_REPORT_REPLAYED"


class NoSuchReport(LookupError):
    pass


@dataclass
class Replayed:
    case_no: str
    opened_now: bool  # False: an earlier replay had opened it


async def replay(pool: asyncpg.Pool, client: Client, task_queue: str, kept_id: int) -> Replayed:
    """Opens the kept report's case, once however often it runs (see the module's words)."""
    async with pool.acquire() as connection:
        unrecorded = await dead_letters.unrecorded(connection, kept_id)
    if unrecorded is None:
        raise NoSuchReport(kept_id)
    if isinstance(unrecorded, str):  # replayed before, into this case
        return Replayed(case_no=unrecorded, opened_now=False)
    store = CaseStore(pool, download_content=_no_download)
    # Allocated under the report's conversation id: the number it had, or one it keeps from now on.
    case_no = await store.allocate_case_number(CaseNumberRequest(
        conversation_id=unrecorded.conversation_id, year=thai_year(unrecorded.report.reported_at)))
    opening = CaseOpening(case_no=case_no, conversation_id=unrecorded.conversation_id,
                          reporter=unrecorded.reporter, report=unrecorded.report)
    await store.record_case_opened(opening)
    opened_now = True
    try:
        await client.start_workflow(
            CaseWorkflow.run, opening, id=case_workflow_id(case_no), task_queue=task_queue,
            search_attributes=case_search_attributes(opening), static_summary=case_summary(opening),
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        opened_now = False
    async with pool.acquire() as connection, connection.transaction():
        if await dead_letters.mark_replayed(connection, kept_id, case_no, datetime.now(UTC)):
            await audit.record(connection, REPLAYED, case_no=case_no, unrecorded_report=kept_id)
    return Replayed(case_no=case_no, opened_now=opened_now)


async def _no_download(message_id: str) -> tuple[bytes, str]:
    raise RuntimeError("a replay downloads nothing")


def _listing_line(row: asyncpg.Record) -> str:
    state = f"replayed {row['case_no']}" if row["replayed_at"] else "waiting"
    province = " ".join(part for part in (row["province_code"], row["province_en"]) if part) or "-"
    return "\t".join((str(row["id"]), row["kept_at"].astimezone(THAILAND).strftime("%Y-%m-%d %H:%M"),
                      row["reason"], row["incident_type"] or "-", province, state))


async def _run(command: str, kept_id: int | None, include_replayed: bool) -> int:
    settings = get_settings()
    pool = await tool_pool(settings, max_size=2)
    try:
        if command == "list":
            async with pool.acquire() as connection:
                rows = await dead_letters.listing(connection, include_replayed=include_replayed)
            print("\t".join(LISTING_HEADER))
            for row in rows:
                print(_listing_line(row))
            return 0
        assert kept_id is not None
        client = await connect_temporal(settings)
        try:
            replayed = await replay(pool, client, settings.temporal_task_queue, kept_id)
        except NoSuchReport:
            print(f"ไม่พบรายการ {kept_id} / No unrecorded report {kept_id}", file=sys.stderr)
            return 1
        except ApplicationError as error:  # refused again: nothing changed
            print(f"ยังเปิดเรื่องไม่ได้ ({error.type}) / Still cannot open the case ({error.type})", file=sys.stderr)
            return 1
        print(replayed.case_no if replayed.opened_now else f"{replayed.case_no} (opened before)")
        return 0
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.dead_letters",
        description="เรื่องที่บันทึกไม่สำเร็จ: แสดง หรือเปิดเรื่องใหม่ — list unrecorded reports, or replay one into a case",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="reports waiting to be replayed / รายการที่รอเปิดเรื่อง")
    listing.add_argument("--all", action="store_true", help="replayed ones too / รวมรายการที่เปิดเรื่องแล้ว")
    replaying = commands.add_parser("replay", help="open the report's case (once) / เปิดเรื่อง")
    replaying.add_argument("id", type=int, help="the report's id in the listing / เลขรายการ")
    arguments = parser.parse_args(argv)
    kept_id = arguments.id if arguments.command == "replay" else None
    return asyncio.run(_run(arguments.command, kept_id, getattr(arguments, "all", False)))


if __name__ == "__main__":
    sys.exit(main())
