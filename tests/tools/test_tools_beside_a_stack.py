"""Command-line tools beside `make run`: run with another ESS_DATA_DIR (here: the default one, where
nothing runs), a tool finds the running stack's database; with none running it says what to set and
exits 2, without a traceback, and never starts a PostgreSQL of its own (none is left behind)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psutil

from tests.devstack.test_main import make_run, stack_environment  # noqa: F401 (a fixture)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OFFICER = "DEMO-OFFICER-NATIONAL-DESK-1"


def tool(*arguments: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m tools.…` as an operator runs it from a folder with no running stack in its `.data`."""
    return subprocess.run([sys.executable, "-m", *arguments], cwd=cwd, env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
                          capture_output=True, text=True, timeout=60, check=False)


def servers_on(folder: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            if process.info["name"] == "postgres" and str(folder) in " ".join(process.info["cmdline"] or []):
                found.append(process)
        except psutil.Error:
            continue
    return found


def operator_environment(stack_environment: dict[str, str]) -> dict[str, str]:  # noqa: F811
    """The operator's shell: no DATABASE_URL, no ESS_DATA_DIR (the default `.data`)."""
    return {name: value for name, value in stack_environment.items() if name != "ESS_DATA_DIR"}


async def test_a_tool_uses_the_database_of_the_stack_running_with_another_data_dir(
    stack_environment: dict[str, str], tmp_path: Path,  # noqa: F811
) -> None:
    # Running stacks are recorded under the temporary folder: this test's own, so that stacks of
    # other tests running at the same time are not found.
    (tmp_path / "tmp").mkdir()
    stack_environment["TMPDIR"] = str(tmp_path / "tmp")
    elsewhere = tmp_path / "operator"
    elsewhere.mkdir()
    env = operator_environment(stack_environment)

    async with make_run(stack_environment) as stack:
        await stack.until_api_answers(int(stack_environment["ESS_API_PORT"]))

        issued = tool("tools.officer_codes", "ISSUE", OFFICER, cwd=elsewhere, env=env)
        assert issued.returncode == 0, issued.stderr
        assert re.fullmatch(r"[A-Z2-9]{8}\n", issued.stdout)
        assert stack_environment["ESS_DATA_DIR"] in issued.stderr  # says whose database it used

        assert await stack.press_ctrl_c() == 0, stack.text[-4000:]

    stopped = tool("tools.officer_codes", "ISSUE", OFFICER, cwd=elsewhere, env=env)
    assert stopped.returncode == 2
    assert "Traceback" not in stopped.stderr
    assert "make run" in stopped.stderr and "ESS_DATA_DIR" in stopped.stderr and "DATABASE_URL" in stopped.stderr
    assert not (elsewhere / ".data" / "postgres").exists(), "no server of its own was set up"
    assert servers_on(elsewhere) == [] and servers_on(Path(stack_environment["ESS_DATA_DIR"])) == []


def test_with_no_database_running_every_tool_says_what_to_set_and_starts_none(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("ESS_", "DATABASE_URL"))}
    (tmp_path / "tmp").mkdir()
    env["TMPDIR"] = str(tmp_path / "tmp")
    for arguments in (("tools.officer_codes", "ISSUE", OFFICER), ("tools.demo_data", "count"),
                      ("tools.dead_letters", "list"), ("tools.release_steps", "list")):
        ran = tool(*arguments, cwd=tmp_path, env=env)
        assert ran.returncode == 2, (arguments, ran.stderr)
        assert "Traceback" not in ran.stderr, arguments
        assert "DATABASE_URL" in ran.stderr and "ESS_DATA_DIR" in ran.stderr, arguments
        assert ran.stdout == "", arguments
    assert not (tmp_path / ".data" / "postgres").exists()
    assert servers_on(tmp_path) == []
