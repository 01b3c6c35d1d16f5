"""Ports for the servers a test starts: below the kernel's ephemeral range. A port picked inside it
(binding to port 0) is free only for a moment: any outgoing connection of the parallel suite may take
it as its source port before the test's server binds it ("address already in use")."""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000


def _first_ephemeral_port() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def _bindable(port: int, host: str) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def unused_ports(count: int, host: str = "127.0.0.1", consecutive: bool = False) -> list[int]:
    """`count` ports free now, outside the ephemeral range (`consecutive`: one after another)."""
    top = _first_ephemeral_port() - count
    for _ in range(500):
        if consecutive:
            start = random.randrange(LOWEST, top)
            candidates = list(range(start, start + count))
        else:
            candidates = random.sample(range(LOWEST, top), count)
        if all(_bindable(port, host) for port in candidates):
            return candidates
    raise RuntimeError(f"no {count} free ports below {top}")
