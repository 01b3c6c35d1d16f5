"""`make run` (python -m devstack): one command starts the whole service, Ctrl-C stops all of it
cleanly, and the next start carries on with the same cases and the same open workflows."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from tests.ports import unused_ports

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 120
STOP_SECONDS = 60
# Stays open because no worker polls this queue: proof that Temporal's history survives a restart.
IDLE_QUEUE = "devstack-test-no-worker"


def free_port() -> int:
    [port] = unused_ports(1)
    return port


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class RunningStack:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.output: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.output.append(raw.decode("utf-8", errors="replace").rstrip("\n"))

    @property
    def text(self) -> str:
        return "\n".join(self.output)

    def postgres_url(self) -> str:
        found = re.search(r"PostgreSQL\s+(postgresql://\S+)", self.text)
        assert found, "the banner names the PostgreSQL URL:\n" + self.text
        return found.group(1)

    async def until_api_answers(self, port: int) -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=2) as http:
            async with asyncio.timeout(START_SECONDS):
                while True:
                    assert self.process.returncode is None, "make run gave up:\n" + self.text
                    try:
                        if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.5)
        # The banner follows the API's first answer.
        async with asyncio.timeout(10):
            while "Ctrl-C stops everything" not in self.text:
                await asyncio.sleep(0.1)

    async def exit_code(self, within_seconds: float) -> int:
        async with asyncio.timeout(within_seconds):
            code = await self.process.wait()
            await self._reader
        return code

    async def press_ctrl_c(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return await self.exit_code(STOP_SECONDS)


@pytest.fixture
def stack_environment(tmp_path: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("LINE_", "TEMPORAL_", "DATABASE_URL", "ESS_"))
    }
    env.update(
        ESS_DATA_DIR=str(tmp_path / "data"),
        ESS_API_PORT=str(free_port()),
        ESS_TEMPORAL_PORT=str(free_port()),
        ESS_TEMPORAL_UI_PORT=str(free_port()),
        NO_COLOR="1",
        # Its own queue: this stack's worker must not take work from other tests sharing a server.
        TEMPORAL_TASK_QUEUE=f"devstack-test-{uuid.uuid4()}",
    )
    return env


@asynccontextmanager
async def make_run(env: dict[str, str]) -> AsyncIterator[RunningStack]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "devstack",
        cwd=PROJECT_ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    stack = RunningStack(process)
    try:
        yield stack
    finally:
        if process.returncode is None:  # a failed assertion must not leave servers behind
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(STOP_SECONDS):
                await process.wait()


async def test_make_run_starts_everything_stops_on_ctrl_c_and_resumes_with_the_same_data(
    stack_environment: dict[str, str],
) -> None:
    api_port = int(stack_environment["ESS_API_PORT"])
    temporal_port = int(stack_environment["ESS_TEMPORAL_PORT"])
    ui_port = int(stack_environment["ESS_TEMPORAL_UI_PORT"])
    data_dir = Path(stack_environment["ESS_DATA_DIR"])

    async with make_run(stack_environment) as first:
        await first.until_api_answers(api_port)
        assert f"http://localhost:{api_port}/dev/" in first.text
        assert f"http://localhost:{ui_port}" in first.text
        assert port_is_open(ui_port), "the Temporal UI is served"

        temporal = await Client.connect(f"127.0.0.1:{temporal_port}")
        await temporal.start_workflow("DevstackResumeCheck", id="devstack-resume-check", task_queue=IDLE_QUEUE)
        database = await asyncpg.connect(first.postgres_url())
        await database.execute("CREATE TABLE devstack_resume_check (note text)")
        await database.execute("INSERT INTO devstack_resume_check VALUES ('written before the restart')")
        await database.close()

        assert await first.press_ctrl_c() == 0, first.text[-4000:]

    for name in ("stopping api", "stopping worker", "stopping temporal", "stopping PostgreSQL"):
        assert name in first.text
    stop_order = [first.text.index(f"stopping {name}") for name in ("api", "worker", "temporal", "PostgreSQL")]
    assert stop_order == sorted(stop_order), "stopped in reverse order of start"
    assert not port_is_open(api_port)
    assert not port_is_open(temporal_port)
    assert not (data_dir / "postgres" / "postmaster.pid").exists(), "PostgreSQL is stopped"

    async with make_run(stack_environment) as second:
        await second.until_api_answers(api_port)

        temporal = await Client.connect(f"127.0.0.1:{temporal_port}")
        description = await temporal.get_workflow_handle("devstack-resume-check").describe()
        assert description.status == WorkflowExecutionStatus.RUNNING
        database = await asyncpg.connect(second.postgres_url())
        assert await database.fetchval("SELECT note FROM devstack_resume_check") == "written before the restart"
        await database.close()

        assert await second.press_ctrl_c() == 0, second.text[-4000:]


async def test_when_a_process_dies_make_run_says_which_and_stops_the_rest(
    stack_environment: dict[str, str],
) -> None:
    api_port = int(stack_environment["ESS_API_PORT"])
    temporal_port = int(stack_environment["ESS_TEMPORAL_PORT"])
    data_dir = Path(stack_environment["ESS_DATA_DIR"])
    # Someone else holds the API's port: the API cannot start.
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", api_port))
        squatter.listen()
        async with make_run(stack_environment) as stack:
            code = await stack.exit_code(START_SECONDS)

    assert code == 1
    assert "api stopped unexpectedly" in stack.text
    assert "stopping worker" in stack.text
    assert not port_is_open(temporal_port)
    assert not (data_dir / "postgres" / "postmaster.pid").exists()


async def test_with_servers_named_in_the_environment_only_the_worker_and_the_api_are_started(
    stack_environment: dict[str, str], dev_server, database_url: str
) -> None:
    api_port = int(stack_environment["ESS_API_PORT"])
    data_dir = Path(stack_environment["ESS_DATA_DIR"])
    temporal_address = dev_server.client.service_client.config.target_host
    stack_environment.update(TEMPORAL_ADDRESS=temporal_address, DATABASE_URL=database_url)

    async with make_run(stack_environment) as stack:
        await stack.until_api_answers(api_port)
        assert await stack.press_ctrl_c() == 0, stack.text[-4000:]

    assert "starting the Temporal dev server" not in stack.text
    assert "starting PostgreSQL" not in stack.text
    assert not (data_dir / "postgres").exists()
    assert not (data_dir / "logs" / "temporal.log").exists()
    # The servers belong to someone else: still running.
    assert await dev_server.client.service_client.check_health()
    connection = await asyncpg.connect(database_url)
    await connection.close()
