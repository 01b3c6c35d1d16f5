"""A child process of `make run`: its output reaches the terminal and a log file, and it is
stopped politely first, firmly only when it will not listen."""

from __future__ import annotations

import asyncio
import io
import stat
import sys
from pathlib import Path

import pytest

from devstack.children import ChildProcess
from devstack.console import Console

POLITE = """
import signal, sys, time
def leave(*_):
    print("finishing in-flight work", flush=True)
    sys.exit(0)
signal.signal(signal.SIGINT, leave)
print("ready", flush=True)
time.sleep(60)
"""

IGNORES_CTRL_C = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""

DEAF = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""


def child(tmp_path: Path, terminal: io.StringIO, script: str, grace: float = 5.0) -> ChildProcess:
    return ChildProcess(
        "worker",
        [sys.executable, "-c", script],
        env={"PYTHONUNBUFFERED": "1"},
        cwd=tmp_path,
        console=Console(terminal),
        log_file=tmp_path / "logs" / "worker.log",
        stop_grace_seconds=grace,
    )


async def until_printed(terminal: io.StringIO, text: str) -> None:
    async with asyncio.timeout(10):
        while text not in terminal.getvalue():
            await asyncio.sleep(0.05)


async def test_output_is_prefixed_with_the_process_name_and_kept_in_its_log_file(tmp_path: Path) -> None:
    terminal = io.StringIO()
    process = child(tmp_path, terminal, "print('สวัสดี'); print('second line')")
    await process.start()

    assert await process.wait() == 0
    assert terminal.getvalue().splitlines() == ["worker   │ สวัสดี", "worker   │ second line"]
    log = (tmp_path / "logs" / "worker.log").read_text(encoding="utf-8")
    assert log.splitlines()[1:] == ["สวัสดี", "second line"]


@pytest.mark.parametrize("left_by_an_earlier_version", [False, True])
async def test_the_log_file_is_readable_by_its_owner_and_group_only(tmp_path: Path,
                                                                   left_by_an_earlier_version: bool) -> None:
    """Logs may hold what people typed to the bot: no other user of the machine reads them (0640)."""
    log_file = tmp_path / "logs" / "worker.log"
    if left_by_an_earlier_version:
        log_file.parent.mkdir()
        log_file.write_text("earlier run\n")
        log_file.chmod(0o644)
    process = child(tmp_path, io.StringIO(), "print('hello')")
    await process.start()

    assert await process.wait() == 0
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o640


async def test_stop_asks_with_sigint_and_waits_for_the_child_to_finish(tmp_path: Path) -> None:
    terminal = io.StringIO()
    process = child(tmp_path, terminal, POLITE)
    await process.start()
    await until_printed(terminal, "ready")

    code = await process.stop(asyncio.Event())

    assert code == 0
    assert "finishing in-flight work" in terminal.getvalue()


async def test_a_child_that_ignores_sigint_gets_sigterm_after_its_grace_period(tmp_path: Path) -> None:
    terminal = io.StringIO()
    process = child(tmp_path, terminal, IGNORES_CTRL_C, grace=0.5)
    await process.start()
    await until_printed(terminal, "ready")

    assert await process.stop(asyncio.Event()) == -15


async def test_hurrying_kills_a_child_that_listens_to_nothing(tmp_path: Path) -> None:
    terminal = io.StringIO()
    process = child(tmp_path, terminal, DEAF, grace=30)
    await process.start()
    await until_printed(terminal, "ready")
    hurry = asyncio.Event()

    stopping = asyncio.create_task(process.stop(hurry))
    await asyncio.sleep(0.3)
    hurry.set()  # a second Ctrl-C

    async with asyncio.timeout(5):
        assert await stopping == -9
