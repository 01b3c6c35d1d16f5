"""A child process of the development stack: started, its output relayed, stopped politely."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from devstack.console import Console

# After the polite signal and its grace period, SIGTERM gets this long before SIGKILL.
_TERMINATE_GRACE_SECONDS = 5.0
# Logs may hold what people typed to the bot: the owner writes, the group reads, no one else.
LOG_FILE_MODE = 0o640


class ChildProcess:
    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        console: Console,
        log_file: Path,
        stop_grace_seconds: float,
        echo_while_stopping: bool = True,
    ) -> None:
        self.name = name
        self._argv = list(argv)
        self._env = dict(env)
        self._cwd = cwd
        self._console = console
        self._log_file = log_file
        self._stop_grace_seconds = stop_grace_seconds
        self._echo_while_stopping = echo_while_stopping
        self._process: asyncio.subprocess.Process | None = None
        self._relay: asyncio.Task[None] | None = None
        self.stopping = False

    async def start(self) -> None:
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        self._process = await asyncio.create_subprocess_exec(
            *self._argv,
            cwd=self._cwd,
            env=self._env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # Own process group: a Ctrl-C in the terminal reaches only us, and we stop the
            # children one by one, in order.
            start_new_session=True,
        )
        self._relay = asyncio.create_task(self._relay_output(), name=f"relay-{self.name}")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def returncode(self) -> int | None:
        return self._process.returncode if self._process else None

    async def wait(self) -> int:
        assert self._process is not None, "not started"
        code = await self._process.wait()
        if self._relay is not None:
            # The last lines a dying process wrote are often the useful ones. Shielded: a caller
            # that stops waiting must not stop the relay.
            await asyncio.shield(self._relay)
        return code

    async def stop(self, hurry: asyncio.Event) -> int | None:
        """SIGINT (what Ctrl-C would send), then SIGTERM, then SIGKILL; `hurry` cuts the waits short."""
        if self._process is None or self._process.returncode is not None:
            return self.returncode
        self.stopping = True
        for sig, grace in (
            (signal.SIGINT, self._stop_grace_seconds),
            (signal.SIGTERM, _TERMINATE_GRACE_SECONDS),
            (signal.SIGKILL, None),
        ):
            if hurry.is_set() and sig != signal.SIGKILL:
                continue
            try:
                self._process.send_signal(sig)
            except ProcessLookupError:
                break
            if grace is None or await self._exited_within(grace, hurry):
                break
        return await self.wait()

    async def _exited_within(self, seconds: float, hurry: asyncio.Event) -> bool:
        exited = asyncio.ensure_future(self._process.wait())  # type: ignore[union-attr]
        hurried = asyncio.ensure_future(hurry.wait())
        await asyncio.wait({exited, hurried}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        hurried.cancel()
        if not exited.done():
            exited.cancel()
            return False
        return True

    async def _relay_output(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        with open_log_file(self._log_file) as log:
            log.write(f"----- {self.name} started {datetime.now().isoformat(timespec='seconds')}\n")
            log.flush()
            # Read chunks, not lines: a very long line must not stall the relay.
            pending = b""
            while chunk := await self._process.stdout.read(65536):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    self._emit(raw, log)
            if pending:
                self._emit(pending, log)

    def _emit(self, raw: bytes, log: TextIO) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        log.write(text + "\n")
        log.flush()
        if self._echo_while_stopping or not self.stopping:
            self._console.line(self.name, text)


def open_log_file(path: Path) -> TextIO:
    """`path` for appending, created 0640; one an earlier version left readable to all is made 0640 too."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LOG_FILE_MODE)
    os.fchmod(descriptor, LOG_FILE_MODE)
    return os.fdopen(descriptor, "a", encoding="utf-8")
