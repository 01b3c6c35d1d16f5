"""The whole system as it runs in production, on one machine: the API over HTTP, the worker as
its own process (so it can be killed), the Temporal dev server, PostgreSQL, and the fake LINE
platform that the worker talks to."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from configuration.settings import Settings
from line_simulator import events
from tests.conversation import Citizen
from tests.fake_line import FakeLine, serve
from tests.worker_environment import worker_environment

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """`python worker.py` with the test's settings in its environment."""

    def __init__(self, settings: Settings) -> None:
        self._environment = worker_environment(settings)
        with tempfile.NamedTemporaryFile(prefix="ess-worker-", suffix=".log", delete=False) as log:
            self._log_path = Path(log.name)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # Appended to, so a restarted worker's output follows the killed one's; the child keeps
        # its own copy of the descriptor once started.
        with self._log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "worker.py"], cwd=PROJECT_ROOT, env=self._environment,
                stdout=log, stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: no goodbye, nothing flushed — a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def output(self) -> str:
        return self._log_path.read_text(errors="replace")


@dataclass
class System:
    http: httpx.AsyncClient
    settings: Settings
    env: WorkflowEnvironment
    line: FakeLine
    pool: asyncpg.Pool
    worker: WorkerProcess

    async def post_event(self, event: dict) -> httpx.Response:
        body, headers = events.signed_webhook(self.line.platform, [event], self.settings.line_channel_secret)
        return await self.http.post("/line/webhook", content=body, headers=headers)

    async def send(self, event: dict) -> None:
        response = await self.post_event(event)
        assert response.status_code == 200, response.text

    def citizen(self, language: str = "th") -> Citizen:
        return Citizen(self.line.platform, self.send, language=language)


@pytest.fixture
async def system(
    dev_server: WorkflowEnvironment, database_url: str, pool: asyncpg.Pool, fake_line: FakeLine,
    line_settings: Settings, task_queue: str,
) -> AsyncIterator[System]:
    settings = line_settings.model_copy(update={
        "database_url": database_url,
        "temporal_address": dev_server.client.service_client.config.target_host,
        "temporal_task_queue": task_queue,
    })
    worker = WorkerProcess(settings)
    worker.start()
    try:
        async with serve(create_app(settings), lifespan="on") as base_url, httpx.AsyncClient(base_url=base_url) as http:
            yield System(http, settings, dev_server, fake_line, pool, worker)
    finally:
        worker.stop()
