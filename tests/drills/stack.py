"""The system a fault drill runs: the API over HTTP, the worker as its own process, Temporal,
PostgreSQL and the fake LINE platform; and the servers a drill may break, each of its own so the
session's shared servers are never touched: a Temporal dev server on a database file, and an
embedded PostgreSQL, both started as `make run` starts them (devstack)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from fastapi import FastAPI
from temporalio.client import Client

from api.app import create_app
from configuration.settings import Settings
from database.pool import init_connection
from devstack.config import LOCAL_HOST, DevStackPorts, StackPlan
from devstack.postgres import EmbeddedPostgres, migrate_and_load_reference_data
from devstack.readiness import wait_for_temporal
from devstack.temporal import dev_server_command
from line_simulator import events
from line_simulator.line_platform import FakeLinePlatform
from tests.conversation import Citizen
from tests.e2e.conftest import PROJECT_ROOT, WorkerProcess
from tests.fake_line import ACCESS_TOKEN, FakeLine, serve
from tests.ports import unused_ports

SERVER_START_SECONDS = 60
WORKER_START_SECONDS = 60


def free_ports(count: int) -> list[int]:
    return unused_ports(count, LOCAL_HOST)


class DevServerOnFile:
    """The Temporal dev server exactly as devstack runs it (SQLite at --db-filename), on ports of
    its own; killed and started again on the same file and port, it must remember everything."""

    def __init__(self, folder: Path) -> None:
        temporal_port, ui_port, api_port = free_ports(3)
        self.plan = StackPlan(
            data_dir=folder, ports=DevStackPorts(api=api_port, temporal=temporal_port, temporal_ui=ui_port),
            namespace="default", task_queue="unused", external_database_url=None, external_temporal_address=None,
            uses_line_simulator=False,
        )
        self.log_path = folder / "temporal.log"
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return self.plan.temporal_address

    async def start(self) -> None:
        self.plan.temporal_db_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(dev_server_command(self.plan), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        await wait_for_temporal(self.address, self.plan.namespace, SERVER_START_SECONDS)

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to tidy up, as in a power cut of its process."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class OwnPostgres:
    """An embedded PostgreSQL under a temporary data folder, started, migrated and loaded as
    devstack does it, which a drill may stop and start again on the same data (and socket)."""

    def __init__(self, folder: Path) -> None:
        self.settings = Settings(data_dir=folder, database_url=None)
        self.url = ""

    async def start(self) -> str:
        self.url = await self._start_elsewhere()
        await migrate_and_load_reference_data(self.url, self.settings)
        return self.url

    async def stop(self) -> None:
        """What `make run` does on Ctrl-C: PostgreSQL's fast shutdown (sessions are ended)."""
        await EmbeddedPostgres(self.settings).stop()

    async def start_again(self) -> None:
        assert await self._start_elsewhere() == self.url, "PostgreSQL came back somewhere else"

    async def _start_elsewhere(self) -> str:
        """Started by a process of its own, as the worker or the API start it in development
        (database.pool.database_url): a process that started it once remembers it as running."""
        environment = {**os.environ, "ESS_ENV": "development", "ESS_DATA_DIR": str(self.settings.data_dir)}
        environment.pop("DATABASE_URL", None)
        script = "from database.pool import database_url; from configuration.settings import Settings; " \
                 "print(database_url(Settings()))"
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", script], cwd=PROJECT_ROOT,
                                       env=environment, capture_output=True, text=True, timeout=SERVER_START_SECONDS)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]


@dataclass
class Drill:
    """The running system, and what a drill does to it and reads from it."""

    http: httpx.AsyncClient
    settings: Settings
    client: Client
    pool: asyncpg.Pool
    platform: FakeLinePlatform
    worker: WorkerProcess
    # Every answer the webhook gave, and the events LINE would have to send again.
    answers: list[int] = field(default_factory=list)
    answer_seconds: list[float] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)

    async def post(self, batch: list[dict]) -> httpx.Response:
        body, headers = events.signed_webhook(self.platform, batch, self.settings.line_channel_secret)
        return await self.http.post("/line/webhook", content=body, headers=headers)

    async def deliver(self, event: dict) -> None:
        """As LINE delivers: an event whose POST is not answered 200 is kept for redelivery."""
        posted_at = time.monotonic()
        try:
            status = (await self.post([event])).status_code
        except httpx.TransportError:
            status = 0
        self.answers.append(status)
        self.answer_seconds.append(time.monotonic() - posted_at)
        if status != 200:
            self.refused.append(event)

    async def redeliver_refused(self) -> list[int]:
        """LINE's redelivery: the same events (same webhookEventId), marked isRedelivery, in order."""
        refused, self.refused = self.refused, []
        statuses = []
        for event in refused:
            statuses.append((await self.post([events.redelivered(event)])).status_code)
        return statuses

    def citizen(self, language: str = "th") -> Citizen:
        return Citizen(self.platform, self.deliver, language=language)

    async def worker_polling(self) -> None:
        """Until the worker process says it polls its task queue."""
        deadline = time.monotonic() + WORKER_START_SECONDS
        while "worker polling task queue" not in self.worker.output():
            assert self.worker.process is not None and self.worker.process.poll() is None, self.worker.output()[-3000:]
            assert time.monotonic() < deadline, f"the worker did not start:\n{self.worker.output()[-3000:]}"
            await asyncio.sleep(0.1)

    async def restart_worker(self) -> None:
        self.worker.start()
        await self.worker_polling()

    async def settled(self, timeout: float = 90) -> None:
        """Until no running workflow of this drill has an activity or a workflow task pending:
        every retry has run its course, so a message sent twice would show by now."""
        query = f"TaskQueue = '{self.settings.temporal_task_queue}' AND ExecutionStatus = 'Running'"
        deadline = time.monotonic() + timeout
        while True:
            busy = []
            async for execution in self.client.list_workflows(query):
                handle = self.client.get_workflow_handle(execution.id, run_id=execution.run_id)
                described = (await handle.describe()).raw_description
                if described.pending_activities or described.HasField("pending_workflow_task"):
                    busy.append(execution.id)
            if not busy:
                return
            assert time.monotonic() < deadline, f"{len(busy)} workflows still busy after {timeout:.0f} s"
            await asyncio.sleep(0.5)


@contextlib.asynccontextmanager
async def running(settings: Settings, client: Client, pool: asyncpg.Pool,
                  platform: FakeLinePlatform) -> AsyncIterator[Drill]:
    """The API (in this process, over HTTP) and the worker process on the servers `settings` names."""
    worker = WorkerProcess(settings)
    worker.start()
    try:
        async with serve(create_app(settings), lifespan="on") as base_url, \
                httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            drill = Drill(http, settings, client, pool, platform, worker)
            await drill.worker_polling()
            yield drill
    finally:
        worker.stop()


@contextlib.asynccontextmanager
async def own_fake_line() -> AsyncIterator[FakeLine]:
    """A LINE channel of the drill's own. A database of its own numbers its cases from 1 again,
    so its messages' retry keys would repeat those the shared channel has already accepted."""
    platform = FakeLinePlatform(access_token=ACCESS_TOKEN)
    app = FastAPI()
    app.include_router(platform.router())
    async with serve(app) as base_url:
        yield FakeLine(platform=platform, base_url=base_url)


def line_settings_for(line: FakeLine) -> Settings:
    return Settings(line_api_base_url=line.base_url, line_channel_access_token=line.access_token,
                    line_channel_secret=line.channel_secret)


@contextlib.asynccontextmanager
async def drill_folder() -> AsyncIterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="ess-drill-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def drill_pool(url: str) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4, init=init_connection)
    assert pool is not None
    return pool
