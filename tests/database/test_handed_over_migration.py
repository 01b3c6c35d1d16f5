"""Migration 0015 and its release step: the cases the team accepted before HANDED_OVER existed leave
FORWARDED — only those whose current hand-off was accepted, and nothing since moved their status —
once no process of the previous release (which cannot read HANDED_OVER) runs: on an upgraded database
when the operator completes the step, on a new one at once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from activities.cases import CaseStore
from configuration.settings import Settings
from database.migrate import available_migrations, migrate
from database.reference_data import load_reference_data
from database.release_steps import HANDED_OVER_STATUS, is_done
from database.timeline import insert_entry
from devstack.postgres import migrate_and_load_reference_data
from domain.case_timeline import HandoffAccepted, TimelineEntry
from domain.handoff import HandoffStatus
from domain.models import CaseStatus
from tests.commands import run_module
from tests.production import NewDatabase
from tests.retention import CHIANG_MAI, Reporter

MIGRATION = "0015_handed_over"

FORWARDED_AT = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def upgraded_database_name() -> str:
    return f"handed_over_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def before_the_migration(postgres_url: str, upgraded_database_name: str) -> AsyncIterator[asyncpg.Connection]:
    """A database with every migration before HANDED_OVER applied earlier, and the reference data."""
    name = upgraded_database_name
    admin = await asyncpg.connect(postgres_url)
    await admin.execute(f"CREATE DATABASE {name}")
    connection = await asyncpg.connect(postgres_url, database=name)
    await connection.execute("CREATE TABLE schema_migrations (version text PRIMARY KEY, checksum text NOT NULL,"
                             " applied_at timestamptz NOT NULL DEFAULT now())")
    for version, sql in available_migrations():
        if version >= MIGRATION:
            break
        await connection.execute(sql)
        await connection.execute("INSERT INTO schema_migrations (version, checksum) VALUES ($1, '-')", version)
    # Geography and incident types only: the demo directory needs the tables of later migrations.
    await load_reference_data(connection, include_demo_stations=False)
    yield connection
    await connection.close()
    await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    await admin.close()


async def accepted(connection: asyncpg.Connection, case_no: str, handoff_id: str | None, at: datetime) -> None:
    """The case workflow's HANDOFF_ACCEPTED entry (an anonymised one names no hand-off)."""
    details = {"handoff_id": handoff_id} if handoff_id else {"anonymised": True}
    await insert_entry(connection, "case_events", case_no, f"{case_no}:accepted:{uuid.uuid4().hex[:6]}",
                       "HANDOFF_ACCEPTED", at, "member:3", details)


async def status_of(connection: asyncpg.Connection, case_no: str) -> tuple[str, datetime | None]:
    row = await connection.fetchrow("SELECT status, closed_at FROM cases WHERE case_no = $1", case_no)
    return row["status"], row["closed_at"]


async def test_forwarded_cases_whose_current_hand_off_was_accepted_become_handed_over(
    before_the_migration: asyncpg.Connection, postgres_url: str, upgraded_database_name: str,
) -> None:
    connection = before_the_migration
    reporter = Reporter(connection)
    later = FORWARDED_AT + timedelta(hours=2)

    in_care = await reporter.case(CaseStatus.FORWARDED, closed_at=FORWARDED_AT)
    await accepted(connection, in_care, await reporter.handoff(in_care, HandoffStatus.IN_CARE, FORWARDED_AT), later)
    care_closed = await reporter.case(CaseStatus.FORWARDED, closed_at=FORWARDED_AT)
    handoff = await reporter.handoff(care_closed, HandoffStatus.CLOSED, FORWARDED_AT,
                                     ended_at=later + timedelta(days=9))
    await accepted(connection, care_closed, handoff, later)
    anonymised = await reporter.case(CaseStatus.FORWARDED, closed_at=FORWARDED_AT)
    await reporter.handoff(anonymised, HandoffStatus.CLOSED, FORWARDED_AT, ended_at=later + timedelta(days=9))
    await accepted(connection, anonymised, None, later)

    awaiting = await reporter.case(CaseStatus.FORWARDED, closed_at=FORWARDED_AT)
    await reporter.handoff(awaiting, HandoffStatus.AWAITING, FORWARDED_AT)
    # Its first hand-off was accepted (and later given back); the second waits for the team's answer.
    forwarded_again = await reporter.case(CaseStatus.FORWARDED, closed_at=FORWARDED_AT)
    first = await reporter.handoff(forwarded_again, HandoffStatus.REJECTED, FORWARDED_AT - timedelta(days=3),
                                   ended_at=FORWARDED_AT - timedelta(days=1))
    await reporter.handoff(forwarded_again, HandoffStatus.AWAITING, FORWARDED_AT, attempt=2)
    await accepted(connection, forwarded_again, first, later)
    # Closed by the police after the acceptance was written: the later status stands.
    closed = await reporter.case(CaseStatus.CLOSED, closed_at=FORWARDED_AT)
    await accepted(connection, closed, await reporter.handoff(closed, HandoffStatus.IN_CARE, FORWARDED_AT),
                   FORWARDED_AT - timedelta(days=1))
    counted = ("SELECT status, sum(cases) AS n FROM case_day_counts WHERE area = 'TH' GROUP BY status "
               "HAVING sum(cases) > 0")
    assert {row["status"]: row["n"] for row in await connection.fetch(counted)} == {"FORWARDED": 5, "CLOSED": 1}

    assert MIGRATION in await migrate(connection)
    # The previous release may still be running: nothing it cannot read is written yet.
    assert await is_done(connection, HANDED_OVER_STATUS) is False
    assert {await status_of(connection, case_no) for case_no in (in_care, care_closed, anonymised)} == {
        ("FORWARDED", FORWARDED_AT)}
    # The deploy is over: the operator completes the step.
    url = urlunsplit(urlsplit(postgres_url)._replace(path=f"/{upgraded_database_name}"))
    completed = run_module("tools.release_steps", "complete", HANDED_OVER_STATUS, database_url=url)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"{HANDED_OVER_STATUS}: done now; cases moved to HANDED_OVER: 3"

    assert {case_no: await status_of(connection, case_no) for case_no in (
        in_care, care_closed, anonymised, awaiting, forwarded_again, closed)} == {
        in_care: ("HANDED_OVER", FORWARDED_AT),  # the forward's stamp stands
        care_closed: ("HANDED_OVER", FORWARDED_AT),
        anonymised: ("HANDED_OVER", FORWARDED_AT),
        awaiting: ("FORWARDED", FORWARDED_AT),
        forwarded_again: ("FORWARDED", FORWARDED_AT),
        closed: ("CLOSED", FORWARDED_AT),
    }
    # The dashboard's precounted figures moved with them.
    assert {row["status"]: row["n"] for row in await connection.fetch(counted)} == {
        "FORWARDED": 2, "HANDED_OVER": 3, "CLOSED": 1}
    # The province's figures too.
    in_province = await connection.fetchval(
        "SELECT sum(cases) FROM case_day_counts WHERE area = $1 AND status = 'HANDED_OVER'", CHIANG_MAI)
    assert in_province == 3


async def test_the_status_check_takes_handed_over_and_nothing_unknown(pool: asyncpg.Pool) -> None:
    reporter_connection = await pool.acquire()
    try:
        case_no = await Reporter(reporter_connection).case(CaseStatus.HANDED_OVER, closed_at=FORWARDED_AT)
        assert (await status_of(reporter_connection, case_no))[0] == "HANDED_OVER"
        with pytest.raises(asyncpg.CheckViolationError):
            await reporter_connection.execute("UPDATE cases SET status = 'ACCEPTED' WHERE case_no = $1", case_no)
    finally:
        await pool.release(reporter_connection)


async def test_each_start_hands_over_the_cases_an_older_worker_left_forwarded(new_database: NewDatabase) -> None:
    """In a rolling deploy a worker of the previous release may still record an acceptance after the
    migration ran, and its store leaves the row FORWARDED: the next start of the API or a worker
    catches it up, and only it."""
    url = await new_database()
    await migrate_and_load_reference_data(url, Settings())  # as `make run`, the API and the worker start
    connection = await asyncpg.connect(url)
    try:
        reporter = Reporter(connection)
        left_forwarded = await reporter.case(CaseStatus.FORWARDED, closed_at=FORWARDED_AT)
        handoff = await reporter.handoff(left_forwarded, HandoffStatus.IN_CARE, FORWARDED_AT)
        await accepted(connection, left_forwarded, handoff, FORWARDED_AT + timedelta(hours=2))
        waiting = await reporter.case(CaseStatus.FORWARDED, closed_at=FORWARDED_AT)
        await reporter.handoff(waiting, HandoffStatus.AWAITING, FORWARDED_AT)

        await migrate_and_load_reference_data(url, Settings())  # the next start: nothing left to migrate

        assert await status_of(connection, left_forwarded) == ("HANDED_OVER", FORWARDED_AT)
        assert await status_of(connection, waiting) == ("FORWARDED", FORWARDED_AT)
    finally:
        await connection.close()


async def test_a_new_database_has_no_previous_release_so_the_step_is_done_at_once(new_database: NewDatabase) -> None:
    url = await new_database()
    await migrate_and_load_reference_data(url, Settings())
    connection = await asyncpg.connect(url)
    try:
        assert await is_done(connection, HANDED_OVER_STATUS) is True
    finally:
        await connection.close()


async def test_while_the_step_waits_an_acceptance_leaves_the_row_forwarded_until_it_is_completed(
    before_the_migration: asyncpg.Connection, postgres_url: str, upgraded_database_name: str,
) -> None:
    connection = before_the_migration
    await migrate(connection)  # this release's first process started; the previous release may still run
    url = urlunsplit(urlsplit(postgres_url)._replace(path=f"/{upgraded_database_name}"))
    reporter = Reporter(connection)
    case_no = await reporter.case(CaseStatus.FORWARDED, closed_at=FORWARDED_AT)
    handoff_id = await reporter.handoff(case_no, HandoffStatus.IN_CARE, FORWARDED_AT)
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        await CaseStore(pool, download_content=None).append_case_event(TimelineEntry(
            key=f"{case_no}:accepted", case_no=case_no, at=FORWARDED_AT + timedelta(hours=1), actor="member:3",
            event=HandoffAccepted(handoff_id=handoff_id)))
    finally:
        await pool.close()
    assert await status_of(connection, case_no) == ("FORWARDED", FORWARDED_AT)  # what 0.1.0 can read

    completed = run_module("tools.release_steps", "complete", HANDED_OVER_STATUS, database_url=url)
    assert completed.returncode == 0, completed.stderr
    assert await status_of(connection, case_no) == ("HANDED_OVER", FORWARDED_AT)
    listed = run_module("tools.release_steps", "list", database_url=url)
    assert listed.returncode == 0 and listed.stdout.startswith(f"{HANDED_OVER_STATUS}\tdone "), listed.stdout
    again = run_module("tools.release_steps", "complete", HANDED_OVER_STATUS, database_url=url)
    assert again.stdout.strip() == f"{HANDED_OVER_STATUS}: already done; cases moved to HANDED_OVER: 0"
    unknown = run_module("tools.release_steps", "complete", "no-such-step", database_url=url)
    assert unknown.returncode == 2 and "no such release step" in unknown.stderr
