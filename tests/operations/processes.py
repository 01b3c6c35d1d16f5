"""A project process a test starts (`python worker.py`, uvicorn) with the session's servers in its
environment, its output in a temporary log file, and a port pair of its own."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from tests.ports import unused_ports

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


def free_port_pair() -> int:
    """A port that is free, with the next one free too."""
    return unused_ports(2, "0.0.0.0", consecutive=True)[0]


def settings_for_process(line_settings: Settings, database_url: str, temporal: WorkflowEnvironment,
                         task_queue: str) -> Settings:
    """The test's LINE channel, on the session's PostgreSQL and Temporal, on a task queue of its own."""
    return line_settings.model_copy(update={
        "database_url": database_url, "temporal_address": temporal.client.service_client.config.target_host,
        "temporal_task_queue": task_queue,
    })


class LoggedProcess:
    """One run of `command` in the project folder; stop() kills what is left and removes the log."""

    def __init__(self, command: list[str], environment: dict[str, str], log_prefix: str) -> None:
        self.command = command
        self._environment = environment
        self._log = Path(tempfile.mkstemp(prefix=log_prefix, suffix=".log")[1])
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Launches the process and waits until it is ready."""
        raise NotImplementedError

    async def launch(self) -> None:
        with self._log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, cwd=PROJECT_ROOT, env=self._environment, stdout=log, stderr=log
            )

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self._log.unlink(missing_ok=True)

    def output(self) -> str:
        return self._log.read_text(errors="replace")


Started = TypeVar("Started", bound=LoggedProcess)


@contextlib.asynccontextmanager
async def started(process: Started) -> AsyncIterator[Started]:
    """The process, ready; killed afterwards, whatever happened."""
    try:
        await process.start()
        yield process
    finally:
        await process.stop()
