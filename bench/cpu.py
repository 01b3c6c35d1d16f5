"""Where the CPU went: seconds of CPU per process of our own stack (Linux /proc), so a missed
target points at the process that was busy."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
MACHINE = "machine"  # every process on the machine, ours and anyone else's


class CpuMeter:
    """Processes of the stack under `devstack_pid` by role, plus PostgreSQL and this process."""

    def __init__(self, devstack_pid: int, postgres_dir: Path) -> None:
        self._devstack_pid = devstack_pid
        self._postgres_dir = postgres_dir

    def sample(self) -> dict[str, float]:
        used: dict[str, float] = {}
        for pid, role in self._roles().items():
            used[role] = used.get(role, 0.0) + _cpu_seconds(pid)
        used[MACHINE] = _machine_busy_seconds()
        return used

    def _roles(self) -> dict[int, str]:
        table = _process_table()
        roles = {os.getpid(): "bench"}
        for pid in _below(table, self._devstack_pid):
            command = _command(pid)
            if "start-dev" in command:
                roles[pid] = "temporal"
            elif "worker.py" in command:
                roles[pid] = "worker"
            elif "uvicorn" in command:
                roles[pid] = "api"
        postmaster = _postmaster_pid(self._postgres_dir)
        if postmaster is not None:
            for pid in [postmaster, *_below(table, postmaster)]:
                roles[pid] = "postgres"
        return roles


def cores_used(before: dict[str, float], after: dict[str, float], seconds: float) -> str:
    """'temporal 0.92, worker 0.41, …' in cores (1.00 = one core busy all the time)."""
    if seconds <= 0:
        return "—"
    parts = [(role, (after.get(role, 0.0) - before.get(role, 0.0)) / seconds) for role in after if role != MACHINE]
    total = sum(value for _, value in parts)
    listed = ", ".join(f"{role} {value:.2f}" for role, value in sorted(parts, key=lambda p: -p[1]))
    machine = (after.get(MACHINE, 0.0) - before.get(MACHINE, 0.0)) / seconds
    return f"{listed} (ours {total:.2f}; other processes {max(0.0, machine - total):.2f}; of {os.cpu_count()} cores)"


def _process_table() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    return children


def _below(table: dict[int, list[int]], pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        for child in table.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and of its children that it waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / _TICKS


def _postmaster_pid(postgres_dir: Path) -> int | None:
    try:
        return int((postgres_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat: all but idle and iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / _TICKS
