"""Running one of the project's command-line tools as an operator would, against a test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def run_module(module: str, *arguments: str, database_url: str,
               cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m module arguments` from `cwd` (another copy of the code, say), against the database."""
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        check=False,
        cwd=cwd,
        env={**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=60,
    )
