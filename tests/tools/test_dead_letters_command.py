"""python -m tools.dead_letters, run as a process against a test database and the Temporal dev
server: `list` shows a kept report with nothing personal (id, time, reason, type, province),
`replay` opens its case through Temporal once, however often it runs, and an unknown id exits 1.
(The whole story, from the refused insert to the replayed case running on a worker, is in
tests/workflows/test_intake_never_lost.py.)"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from database import dead_letters
from domain.models import IncidentType, Language, Location, PhoneNumber, Place, Report, Reporter
from domain.unrecorded_reports import UnrecordedReport
from orchestration.ids import case_workflow_id
from tests.commands import run_module


@pytest.fixture
def temporal_for_the_tool(dev_server: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch) -> str:
    """The tool's Temporal: the dev server, on a task queue of this test's (no worker needed to start a case)."""
    queue = f"test-dead-letters-{uuid.uuid4()}"
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", queue)
    return queue


async def test_list_shows_nothing_personal_and_replay_opens_the_case_once(
        database_url: str, pool: asyncpg.Pool, dev_server: WorkflowEnvironment, temporal_for_the_tool: str) -> None:
    user_id = f"U{uuid.uuid4().hex}"
    unrecorded = UnrecordedReport(
        conversation_id=f"intake-test/{uuid.uuid4()}/0", reason="ReportRefused",
        reporter=Reporter(user_id=user_id, reporter_key=uuid.uuid4().hex[:24], language=Language.THAI),
        report=Report(
            incident_type=IncidentType(code="DETENTION", label_th="กักขังหน่วงเหนี่ยว", label_en="Detained"),
            location=Location(latitude=13.7220, longitude=100.5600, address="ซอยสุขุมวิท 22"),
            place=Place(inside_thailand=True, province_code="10", province_name_th="กรุงเทพมหานคร",
                        province_name_en="Bangkok", district_code="1033"),
            phone=PhoneNumber(valid=True, e164="+66812345678", national="081-234-5678"),
            complete=True, reported_at=datetime.now(UTC),
        ),
    )
    async with pool.acquire() as connection:
        kept_id, _ = await dead_letters.keep(connection, unrecorded)

    listed = run_module("tools.dead_letters", "list", database_url=database_url)
    assert listed.returncode == 0, listed.stderr
    [line] = [line for line in listed.stdout.splitlines() if line.startswith(f"{kept_id}\t")]
    fields = line.split("\t")
    assert fields[2:] == ["ReportRefused", "DETENTION", "10 Bangkok", "waiting"]
    for personal in (user_id, "812345678", "081-234-5678", "13.722", "100.56", "สุขุมวิท"):
        assert personal not in listed.stdout

    first = run_module("tools.dead_letters", "replay", str(kept_id), database_url=database_url)
    assert first.returncode == 0, first.stderr
    case_no = first.stdout.strip()
    again = run_module("tools.dead_letters", "replay", str(kept_id), database_url=database_url)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"{case_no} (opened before)"

    rows = await pool.fetch("select case_no, phone_e164, province_code from cases where conversation_id = $1",
                            unrecorded.conversation_id)
    assert [tuple(row) for row in rows] == [(case_no, "+66812345678", "10")]
    case = dev_server.client.get_workflow_handle(case_workflow_id(case_no))
    description = await case.describe()
    assert description.status == WorkflowExecutionStatus.RUNNING
    assert description.task_queue == temporal_for_the_tool
    await case.terminate(reason="test over")  # no worker serves this test's queue

    listed_after = run_module("tools.dead_letters", "list", database_url=database_url)
    assert f"{kept_id}\t" not in listed_after.stdout
    everything = run_module("tools.dead_letters", "list", "--all", database_url=database_url)
    [line] = [line for line in everything.stdout.splitlines() if line.startswith(f"{kept_id}\t")]
    assert line.split("\t")[2:] == ["ReportRefused", "DETENTION", "10 Bangkok", f"replayed {case_no}"]
    kept_now = await pool.fetchval("select report from unrecorded_reports where id = $1", kept_id)
    assert user_id not in str(kept_now) and "812345678" not in str(kept_now)

    unknown = run_module("tools.dead_letters", "replay", "999999999", database_url=database_url)
    assert unknown.returncode == 1 and unknown.stdout == ""
