"""Faults injected into the fake LINE platform's endpoints: the next calls failing, answers lost
after the work was done, slow answers, and stretches of time in which an endpoint is down."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

# The endpoints that faults can be injected into.
ENDPOINTS = ("reply", "push", "loading", "profile", "content",
             "richmenu_validate", "richmenu_create", "richmenu_content", "richmenu_default", "richmenu_delete")


@dataclass
class Fault:
    kind: str  # "error", "lose_response" or "delay"
    status: int = 500
    message: str | None = None
    seconds: float = 0.0


@dataclass
class _Outage:
    """A stretch of time in which every call to an endpoint fails (see fail_for)."""

    fault: Fault
    until: float  # time.monotonic()


@dataclass
class Faults:
    _queued: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    _outages: dict[str, list[_Outage]] = field(default_factory=lambda: defaultdict(list))

    def fail_next(self, endpoint: str, status: int = 500, times: int = 1, message: str | None = None) -> None:
        """The next `times` calls to `endpoint` answer `status` without doing anything."""
        self._queue(endpoint, times, Fault("error", status=status, message=message))

    def lose_next_response(self, endpoint: str, times: int = 1) -> None:
        """The next calls do their work, then answer 500 as if the response were lost on the way."""
        self._queue(endpoint, times, Fault("lose_response"))

    def delay_next(self, endpoint: str, seconds: float, times: int = 1) -> None:
        """The next calls wait `seconds` before doing their work (for client timeouts)."""
        self._queue(endpoint, times, Fault("delay", seconds=seconds))

    def fail_for(self, endpoint: str, seconds: float, status: int = 500, *, after_work: bool = False) -> None:
        """Every call to `endpoint` in the next `seconds` answers `status` (LINE down, or rate
        limiting with 429). With `after_work` each call does its work first and only the answer is
        lost: a message is delivered, yet the bot hears 5xx. Outages may overlap; the one that
        ends last wins. Queued faults (fail_next, ...) wait until the outage is over."""
        _check(endpoint)
        kind = "lose_response" if after_work else "error"
        self._outages[endpoint].append(_Outage(Fault(kind, status=status), until=time.monotonic() + seconds))

    def clear(self) -> None:
        self._queued.clear()
        self._outages.clear()

    def next_fault(self, endpoint: str) -> Fault | None:
        """The fault this call meets: an outage under way, else the next queued one."""
        now = time.monotonic()
        outages = [outage for outage in self._outages.get(endpoint, []) if outage.until > now]
        if outages:
            self._outages[endpoint] = outages
            return max(outages, key=lambda outage: outage.until).fault
        self._outages.pop(endpoint, None)
        return self._queued[endpoint].popleft() if self._queued.get(endpoint) else None

    def _queue(self, endpoint: str, times: int, fault: Fault) -> None:
        _check(endpoint)
        self._queued[endpoint].extend([fault] * times)


def _check(endpoint: str) -> None:
    if endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}; one of {ENDPOINTS}")
