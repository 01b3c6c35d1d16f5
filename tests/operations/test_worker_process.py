"""`python worker.py` as it runs in production, against the session's Temporal dev server,
PostgreSQL and fake LINE platform: SIGTERM lets an activity under way finish before the process
exits 0; its metrics are served on two ports (the Temporal SDK's, then ours); with
ESS_LOG_FORMAT=json it writes one JSON object per line, with no LINE user id."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from api.conversations import ConversationGateway
from api.line_events import read_event
from configuration.settings import Settings
from domain.pseudonyms import reporter_key
from line_simulator import events
from orchestration.ids import intake_workflow_id
from tests.fake_line import FakeLine
from tests.operations.processes import START_SECONDS, LoggedProcess, free_port_pair, settings_for_process, started
from tests.waiting import eventually
from tests.worker_environment import worker_environment

# Below the worker's graceful_shutdown_timeout (20 s), well above the time to notice the request.
REPLY_TAKES_SECONDS = 3


class WorkerProcess(LoggedProcess):
    def __init__(self, settings: Settings, metrics_port: int) -> None:
        self.metrics_port = metrics_port
        environment = worker_environment(
            settings,
            ESS_WORKER_METRICS_PORT=str(metrics_port),
            ESS_LOG_FORMAT="json",
            PYTHONUNBUFFERED="1",
            # Raised while modules are imported, before logging is set up (as devstack does).
            PYTHONWARNINGS="ignore:XDG_RUNTIME_DIR is not set",
        )
        super().__init__([sys.executable, "worker.py"], environment, log_prefix="ess-worker-")

    async def start(self) -> None:
        await self.launch()

        async def polling() -> bool:
            assert self.process.returncode is None, "the worker stopped while starting:\n" + self.output()
            return "worker polling task queue" in self.output()

        await eventually(polling, timeout=START_SECONDS)

    def log_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.output().splitlines() if line.strip()]


@pytest.fixture
async def worker_process(dev_server: WorkflowEnvironment, database_url: str, line_settings: Settings,
                         task_queue: str) -> AsyncIterator[WorkerProcess]:
    settings = settings_for_process(line_settings, database_url, dev_server, task_queue)
    async with started(WorkerProcess(settings, free_port_pair())) as worker:
        yield worker


async def report(dev_server: WorkflowEnvironment, pool: asyncpg.Pool, settings: Settings, fake_line: FakeLine,
                 user_id: str) -> str:
    """A reporter's first message, handed to their conversation as the webhook does; its workflow id."""
    event = read_event(events.text(fake_line.platform, user_id, "แจ้งเหตุ ช่วยด้วย"), 0)
    assert await ConversationGateway(dev_server.client, pool, settings).deliver(event)
    return intake_workflow_id(reporter_key(user_id, settings.pseudonym_key))


async def test_sigterm_lets_the_message_being_sent_finish_then_the_worker_exits_0(
    worker_process: WorkerProcess, dev_server: WorkflowEnvironment, pool: asyncpg.Pool, fake_line: FakeLine,
    line_settings: Settings, task_queue: str,
) -> None:
    platform = fake_line.platform
    user = platform.add_user()
    replies_before = len(platform.requests_to("reply"))  # the platform serves the whole session
    platform.delay_next("reply", REPLY_TAKES_SECONDS)
    settings = line_settings.model_copy(update={"temporal_task_queue": task_queue})
    workflow_id = await report(dev_server, pool, settings, fake_line, user.user_id)

    async def reply_under_way() -> bool:
        return len(platform.requests_to("reply")) > replies_before and not platform.bot_messages(user.user_id)

    await eventually(reply_under_way)
    worker_process.process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(20):
        exit_code = await worker_process.process.wait()

    assert exit_code == 0, worker_process.output()
    assert platform.bot_messages(user.user_id), "the reply under way reached the reporter"
    history = await dev_server.client.get_workflow_handle(workflow_id).fetch_history()
    sends = {
        event.event_id for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name == "send_line_messages"
    }
    outcomes = {
        EventType.Name(event.event_type): event for event in history.events
        if event.event_type in (EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
                                EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
    }
    assert list(outcomes) == ["EVENT_TYPE_ACTIVITY_TASK_COMPLETED"], outcomes.keys()
    completed = outcomes["EVENT_TYPE_ACTIVITY_TASK_COMPLETED"].activity_task_completed_event_attributes
    assert completed.scheduled_event_id in sends

    # Its log, one JSON object per line, tells the story without the reporter's LINE user id.
    lines = worker_process.log_lines()
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    messages = [line["message"] for line in lines if line["logger"] == "worker"]
    assert messages[-2:] == ["stopping: no new tasks; activities under way may finish", "worker stopped"]
    assert user.user_id not in worker_process.output()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_the_worker_serves_the_sdks_metrics_and_counts_line_errors_on_the_next_port(
    worker_process: WorkerProcess, dev_server: WorkflowEnvironment, pool: asyncpg.Pool, fake_line: FakeLine,
    line_settings: Settings, task_queue: str,
) -> None:
    platform = fake_line.platform
    user = platform.add_user()
    platform.fail_next("reply", 500)  # LINE trouble: the activity tries again and gets through
    settings = line_settings.model_copy(update={"temporal_task_queue": task_queue})
    await report(dev_server, pool, settings, fake_line, user.user_id)

    async def answered() -> bool:
        return bool(platform.bot_messages(user.user_id))

    await eventually(answered, timeout=30)
    sdk_port, ours = worker_process.metrics_port, worker_process.metrics_port + 1
    async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
        sdk = (await http.get(f"http://127.0.0.1:{sdk_port}/metrics")).text
        counted = samples((await http.get(f"http://127.0.0.1:{ours}/metrics")).text)

    sdk_samples = samples(sdk)
    assert any(name == "temporal_worker_task_slots_available" and ("task_queue", task_queue) in labels
               for name, labels in sdk_samples), sdk[:2000]
    assert counted[("ess_line_api_errors_total", (("operation", "reply"), ("status", "500")))] == 1
    assert ("process_resident_memory_bytes", ()) in counted
    assert not any(name.startswith("ess_line") for name, _ in sdk_samples)
