"""python -m tools.officer_codes, run as a process: a code for an officer already in the directory,
printed once; nothing printed and exit 1 for an unknown one. (Issuing for a team member just
imported is in tests/database/test_directory_import.py.)"""

from __future__ import annotations

import re

from tests.commands import run_module


def test_the_command_line_issues_a_code_for_an_existing_officer(database_url: str) -> None:
    issued = run_module("tools.officer_codes", "ISSUE", "DEMO-OFFICER-NATIONAL-DESK-1", database_url=database_url)
    assert issued.returncode == 0, issued.stderr
    assert re.fullmatch(r"[A-Z2-9]{8}\n", issued.stdout)
    unknown = run_module("tools.officer_codes", "ISSUE", "NO-SUCH-OFFICER", database_url=database_url)
    assert unknown.returncode == 1 and unknown.stdout == ""
