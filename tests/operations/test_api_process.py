"""The API as the image runs it (the Dockerfile's command: uvicorn), against the session's Temporal
dev server, PostgreSQL and fake LINE platform: on SIGTERM it stops listening, lets a LINE webhook
request under way finish and hand its event to Temporal, then ends within the grace the command
gives (--timeout-graceful-shutdown). Uvicorn (0.29 and later) ends an orderly shutdown by raising the
SIGTERM it caught again, so the exit status is SIGTERM's (143 in a shell or `docker ps`), not 0."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from domain.pseudonyms import reporter_key
from line_simulator import events
from orchestration.ids import intake_workflow_id
from tests.devstack.test_compose import DOCKERFILE, dockerfile_stages, exec_form
from tests.fake_line import FakeLine
from tests.operations.processes import START_SECONDS, LoggedProcess, free_port_pair, settings_for_process, started
from tests.waiting import eventually
from tests.worker_environment import worker_environment

GRACE_OPTION = "--timeout-graceful-shutdown"
# Long enough for uvicorn to notice SIGTERM (it looks every 0.1 s) and close its listening socket.
AFTER_SIGTERM_SECONDS = 1.0


def image_api_command(port: int) -> list[str]:
    """The image's CMD, run by this interpreter, listening on `port`."""
    [cmd] = dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))[-1].arguments("CMD")
    program, *arguments = exec_form(cmd)
    assert program == "uvicorn", cmd
    arguments[arguments.index("--port") + 1] = str(port)
    return [sys.executable, "-m", "uvicorn", *arguments]


class ApiProcess(LoggedProcess):
    def __init__(self, settings: Settings, port: int) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        super().__init__(image_api_command(port), worker_environment(settings, PYTHONUNBUFFERED="1"),
                         log_prefix="ess-api-")

    @property
    def grace_seconds(self) -> float:
        return float(self.command[self.command.index(GRACE_OPTION) + 1])

    async def start(self) -> None:
        await self.launch()

        # uvicorn listens only once the lifespan has connected to PostgreSQL and Temporal.
        async with httpx.AsyncClient(base_url=self.base_url, trust_env=False, timeout=2) as http:
            async def live() -> bool:
                assert self.process.returncode is None, "the API stopped while starting:\n" + self.output()
                try:
                    return (await http.get("/health/live")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(live, timeout=START_SECONDS)


@pytest.fixture
async def api_process(dev_server: WorkflowEnvironment, database_url: str, line_settings: Settings,
                      task_queue: str) -> AsyncIterator[ApiProcess]:
    # No worker polls the task queue: the conversation waits there.
    settings = settings_for_process(line_settings, database_url, dev_server, task_queue)
    async with started(ApiProcess(settings, free_port_pair())) as api:
        yield api


async def connection_refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    return False


async def test_sigterm_lets_a_webhook_request_under_way_finish_then_the_api_stops_in_order(
    api_process: ApiProcess, dev_server: WorkflowEnvironment, fake_line: FakeLine, line_settings: Settings,
    task_queue: str,
) -> None:
    platform = fake_line.platform
    user = platform.add_user()
    message = events.text(platform, user.user_id, "แจ้งเหตุ ช่วยด้วย")
    body, headers = events.signed_webhook(platform, [message], line_settings.line_channel_secret)
    first_half_sent, rest_may_go = asyncio.Event(), asyncio.Event()

    async def slowly() -> AsyncIterator[bytes]:
        yield body[: len(body) // 2]
        first_half_sent.set()  # asked for more: the first half is written
        await rest_may_go.wait()
        yield body[len(body) // 2 :]

    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=api_process.base_url, trust_env=False, timeout=30) as http:
        # As LINE sends it: with Content-Length, not chunked.
        posting = asyncio.create_task(http.post(
            "/line/webhook", content=slowly(), headers=headers | {"content-length": str(len(body))}
        ))
        try:
            async with asyncio.timeout(10):
                await first_half_sent.wait()
            await asyncio.sleep(0.2)  # time for uvicorn to read the headers and start the request
            api_process.process.send_signal(signal.SIGTERM)
            sigterm_at = loop.time()
            await asyncio.sleep(AFTER_SIGTERM_SECONDS)
            refused = await connection_refused(api_process.port)
            rest_may_go.set()
            answer = await posting
        finally:
            posting.cancel()  # a no-op once answered; on failure, the request must not outlive the client
            await asyncio.gather(posting, return_exceptions=True)

    async with asyncio.timeout(api_process.grace_seconds - (loop.time() - sigterm_at)):
        exit_code = await api_process.process.wait()

    assert refused, "a new connection after SIGTERM was accepted"
    assert answer.status_code == 200, (answer.status_code, answer.text, api_process.output())
    assert answer.json() == {"received": 1, "delivered": 1}
    output = api_process.output()
    assert exit_code == -signal.SIGTERM, output
    assert "Application shutdown complete." in output and "Finished server process" in output, output
    assert "timeout graceful shutdown exceeded" not in output, output
    workflow_id = intake_workflow_id(reporter_key(user.user_id, line_settings.pseudonym_key))
    handle = dev_server.client.get_workflow_handle(workflow_id)
    described = await handle.describe()
    assert described.status == WorkflowExecutionStatus.RUNNING
    assert described.task_queue == task_queue
    history = await handle.fetch_history()
    signals = [
        event.workflow_execution_signaled_event_attributes.signal_name for event in history.events
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    ]
    assert signals == ["line_event"]
