"""python -m tools.officer_codes, run as a process: a code for an officer already in the directory,
printed once; nothing printed and exit 1 for an unknown one. (Issuing for a team member just
imported is in tests/database/test_directory_import.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_module(module: str, *arguments: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        check=False,
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_line_issues_a_code_for_an_existing_officer(database_url: str) -> None:
    issued = run_module("tools.officer_codes", "ISSUE", "DEMO-OFFICER-NATIONAL-DESK-1", database_url=database_url)
    assert issued.returncode == 0, issued.stderr
    assert re.fullmatch(r"[A-Z2-9]{8}\n", issued.stdout)
    unknown = run_module("tools.officer_codes", "ISSUE", "NO-SUCH-OFFICER", database_url=database_url)
    assert unknown.returncode == 1 and unknown.stdout == ""
