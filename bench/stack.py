"""The stack a benchmark measures: started here as `make run` starts it, or one already running.

Our own stack is `python -m devstack` in a temporary data folder on free loopback ports, in a
session of its own, so a Ctrl-C reaches only the benchmark, which then stops it in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.cpu import CpuMeter
from devstack.config import LOCAL_HOST, PROJECT_ROOT

READY_LINE = "ESS Help Me is running"
START_SECONDS = 180
# devstack gives the worker 30 s to finish in-flight activities, the others 10 s each.
STOP_SECONDS = 75
# Settings that would point the stack elsewhere than its own embedded servers and the simulator.
_POINTS_ELSEWHERE = ("DATABASE_URL", "TEMPORAL_ADDRESS", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_CHANNEL_SECRET",
                     "LINE_API_BASE_URL", "ESS_ENV")


@dataclass(frozen=True)
class Stack:
    api_url: str
    temporal_address: str
    namespace: str
    database_url: str
    log_dir: Path | None = None
    cpu: CpuMeter | None = None  # only for a stack of our own


class OwnStack:
    """`python -m devstack` under a temporary folder; `stop()` is safe to call at any time, twice."""

    def __init__(self, namespace: str = "default", keep_data: bool = False) -> None:
        self._namespace = namespace
        self._keep_data = keep_data
        self.data_dir = Path(tempfile.mkdtemp(prefix="ess-bench-"))
        self._output_path = self.data_dir / "devstack.out"
        self._process: subprocess.Popen | None = None

    def start(self) -> Stack:
        api_port, temporal_port, ui_port = _free_ports(3)
        env = {name: value for name, value in os.environ.items() if name not in _POINTS_ELSEWHERE}
        env.update(
            ESS_ENV="development",
            ESS_DATA_DIR=str(self.data_dir),
            ESS_API_PORT=str(api_port),
            ESS_TEMPORAL_PORT=str(temporal_port),
            ESS_TEMPORAL_UI_PORT=str(ui_port),
            NO_COLOR="1",
            PYTHONUNBUFFERED="1",
        )
        with open(self._output_path, "wb") as output:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "devstack"], cwd=PROJECT_ROOT, env=env,
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )
        banner = self._wait_for_banner()
        database_url = re.search(r"^\s*PostgreSQL\s+(\S+)\s*$", banner, re.MULTILINE)
        if database_url is None:
            raise RuntimeError("the development stack did not name its PostgreSQL")
        return Stack(
            api_url=f"http://{LOCAL_HOST}:{api_port}",
            temporal_address=f"{LOCAL_HOST}:{temporal_port}",
            namespace=self._namespace,
            database_url=database_url.group(1),
            log_dir=self.data_dir / "logs",
            cpu=CpuMeter(self._process.pid, self.data_dir / "postgres"),
        )

    def _wait_for_banner(self) -> str:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            text = self.output()
            if READY_LINE in text:
                time.sleep(0.2)  # the rest of the banner follows in the same write
                return self.output()
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the development stack exited while starting; its output:\n{text[-3000:]}")
            time.sleep(0.25)
        raise RuntimeError(f"the development stack was not ready within {START_SECONDS} s")

    @property
    def keeps_data(self) -> bool:
        return self._keep_data

    def output(self) -> str:
        try:
            return self._output_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            descendants = _descendants(process.pid)
            process.send_signal(signal.SIGTERM)
            try:
                stopped = _waited(process, STOP_SECONDS)
            except KeyboardInterrupt:  # Ctrl-C while stopping: hurry, as devstack itself does
                stopped = False
            if not stopped:
                process.send_signal(signal.SIGINT)  # a second request: devstack hurries
                if not _waited(process, 15):
                    process.kill()
                    process.wait()
                    # devstack could not stop its children itself: they are ours to end.
                    for pid in descendants:
                        _kill_if_alive(pid)
                    _stop_embedded_postgres(self.data_dir)
        if not self._keep_data and self.data_dir.exists():
            shutil.rmtree(self.data_dir, ignore_errors=True)


def run_measuring(bench: Callable[[Stack], Coroutine[Any, Any, int]], attached: Stack | None, own: OwnStack | None,
                  say: Callable[[str], None]) -> int:
    """Runs `bench` on the attached stack, or on `own`, started here and stopped in order on exit,
    Ctrl-C, SIGTERM or error. The exit code: the bench's, 1 on error, 130 when interrupted."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        stack = attached
        if own is not None:
            say(f"starting the embedded stack in {own.data_dir} …")
            stack = own.start()
            say(f"stack ready: API {stack.api_url}, Temporal {stack.temporal_address}")
        if stack is None:
            raise ValueError("no stack to measure: none attached and none started here")
        return asyncio.run(bench(stack))
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except Exception as error:
        say(f"failed: {type(error).__name__}: {error}")
        if own is not None:
            say(f"stack output (last lines):\n{own.output()[-2000:]}")
        return 1
    finally:
        if own is not None:
            say("stopping the stack …")
            own.stop()
            say("stopped" + (f"; data and logs kept in {own.data_dir}" if own.keeps_data else ""))


def _waited(process: subprocess.Popen, seconds: float) -> bool:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((LOCAL_HOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc), deepest last."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def _kill_if_alive(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _stop_embedded_postgres(data_dir: Path) -> None:
    """devstack stops PostgreSQL last; if it died before that, stop it here (no-op otherwise)."""
    from configuration.settings import Settings
    from database.pool import stop_embedded_postgres

    with contextlib.suppress(Exception):
        stop_embedded_postgres(Settings(ESS_DATA_DIR=data_dir, ESS_ENV="development"))
