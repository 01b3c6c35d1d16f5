"""The nightly retention run with the real activity and PostgreSQL. On the time-skipping server: the
workflow anonymises the cases over before now minus the retention period, asking again while cases
are left. On the dev server (the time-skipping server has no schedules: CreateSchedule is
unimplemented there): the schedule the worker keeps in place, created once and then brought in line
with the settings, nightly at 02:30 Thailand time, whose run does the job.

The cut-off here falls around 1 January 1962 (the retention period reaches back to it from today):
the cases due are over in December 1961, the one kept in March 1962, and no other test's case is
over by then (the other retention tests use later years). Whatever earlier tests here left due is
anonymised first."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import asyncpg
import pytest
from temporalio.client import Client, ScheduleActionStartWorkflow, ScheduleOverlapPolicy
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.retention import RetentionPolicy, RetentionStore
from configuration.settings import Settings
from database.retention import anonymise_closed_cases
from domain.clock import THAILAND
from domain.models import CaseStatus
from orchestration.schedules import RETENTION_SCHEDULE_ID, RETENTION_WORKFLOW_ID, ensure_retention_schedule
from tests.retention import Reporter
from tests.waiting import eventually
from workflows.retention import RetentionWorkflow

CUT_OFF_DAY = date(1962, 1, 1)
# Nothing over before this is this test's (the cut-off's time of day follows the clock: margin).
EARLIER_TESTS_BEFORE = datetime(1961, 11, 1, tzinfo=THAILAND)
DUE_AT = datetime(1961, 12, 1, tzinfo=THAILAND)
KEPT_AT = datetime(1962, 3, 1, tzinfo=THAILAND)


def retention_days() -> int:
    """The retention period that puts today's cut-off on CUT_OFF_DAY."""
    return (datetime.now(UTC).date() - CUT_OFF_DAY).days


class Cases:
    def __init__(self, due: list[str], kept: str) -> None:
        self.due, self.kept = due, kept


@pytest.fixture
async def cases(pool: asyncpg.Pool) -> AsyncIterator[Cases]:
    """Three cases due and one kept, after what earlier tests left due is anonymised."""
    async with pool.acquire() as connection:
        while await anonymise_closed_cases(connection, EARLIER_TESTS_BEFORE, 100):
            pass
        reporter = Reporter(connection)
        due = [await reporter.case(CaseStatus.CLOSED, DUE_AT + timedelta(minutes=n)) for n in range(3)]
        yield Cases(due, await reporter.case(CaseStatus.CLOSED, KEPT_AT))


async def anonymised(pool: asyncpg.Pool, cases: Cases) -> list[str]:
    return [row["case_no"] for row in await pool.fetch(
        "SELECT case_no FROM cases WHERE case_no = ANY($1) AND anonymised_at IS NOT NULL ORDER BY case_no",
        [*cases.due, cases.kept])]


def retention_worker(client: Client, pool: asyncpg.Pool, task_queue: str) -> Worker:
    return Worker(client, task_queue=task_queue, workflows=[RetentionWorkflow],
                  activities=[RetentionStore(pool).anonymise_closed_cases])


async def test_the_workflow_anonymises_the_cases_over_before_the_retention_period(
        time_skipping_server: WorkflowEnvironment, pool: asyncpg.Pool, task_queue: str, cases: Cases) -> None:
    client = time_skipping_server.client
    # One case a batch and two batches an activity run: the workflow has to ask twice.
    policy = RetentionPolicy(retention_days=retention_days(), batch_size=1, batches_per_run=2)

    async with retention_worker(client, pool, task_queue):
        count = await client.execute_workflow(RetentionWorkflow.run, policy, id=f"retention-{uuid.uuid4()}",
                                              task_queue=task_queue)

    assert count == 3
    assert await anonymised(pool, cases) == sorted(cases.due)
    audited = await pool.fetch("SELECT case_no FROM audit_log WHERE action = 'CASE_ANONYMISED' AND case_no = ANY($1)",
                               [*cases.due, cases.kept])
    assert sorted(row["case_no"] for row in audited) == sorted(cases.due)


# --- The schedule (dev server) --------------------------------------------------------------------


@pytest.fixture
async def client(dev_server: WorkflowEnvironment) -> AsyncIterator[Client]:
    """The dev server's client, without a retention schedule before and after the test."""
    client = dev_server.client
    await _delete_retention_schedule(client)
    yield client
    await _delete_retention_schedule(client)


async def _delete_retention_schedule(client: Client) -> None:
    with contextlib.suppress(RPCError):  # there was none
        await client.get_schedule_handle(RETENTION_SCHEDULE_ID).delete()


async def test_the_schedule_is_created_once_then_follows_the_settings_and_keeps_an_operators_pause(
        client: Client, task_queue: str) -> None:
    settings = Settings(temporal_task_queue=task_queue, retention_days=365)
    await ensure_retention_schedule(client, settings)
    await client.get_schedule_handle(RETENTION_SCHEDULE_ID).pause(note="paused during an audit")

    handle = await ensure_retention_schedule(client, settings.model_copy(update={"retention_days": 30}))

    listed = await eventually(lambda: _schedule_ids(client))
    assert listed.count(RETENTION_SCHEDULE_ID) == 1
    description = await handle.describe()
    schedule = description.schedule
    assert schedule.spec.time_zone_name == "Asia/Bangkok"
    assert {time(2, 30)} == {moment.astimezone(THAILAND).time() for moment in description.info.next_action_times}
    assert len({moment.date() for moment in description.info.next_action_times}) == len(
        description.info.next_action_times)  # once a day
    assert schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    action = schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert (action.workflow, action.id, action.task_queue) == ("RetentionWorkflow", RETENTION_WORKFLOW_ID, task_queue)
    [policy] = await client.data_converter.decode(action.args, [RetentionPolicy])
    assert policy == RetentionPolicy(retention_days=30)
    assert (schedule.state.paused, schedule.state.note) == (True, "paused during an audit")


async def _schedule_ids(client: Client) -> list[str]:
    return [listed.id async for listed in await client.list_schedules()]


async def test_a_run_of_the_schedule_anonymises_the_cases_due(
        client: Client, pool: asyncpg.Pool, task_queue: str, cases: Cases) -> None:
    settings = Settings(temporal_task_queue=task_queue, retention_days=retention_days())
    handle = await ensure_retention_schedule(client, settings)

    async with retention_worker(client, pool, task_queue):
        await handle.trigger()
        [started] = await eventually(lambda: _recent_actions(handle))
        run = client.get_workflow_handle(started.action.workflow_id, run_id=started.action.first_execution_run_id)
        assert await run.result() == 3

    assert started.action.workflow_id.startswith(RETENTION_WORKFLOW_ID)
    assert await anonymised(pool, cases) == sorted(cases.due)


async def _recent_actions(handle):
    return (await handle.describe()).info.recent_actions
