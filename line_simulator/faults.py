"""Faults injected into the fake LINE platform's endpoints: the next calls failing, answers lost
after the work was done, slow answers, and stretches of time in which an endpoint is down; a 429 or
5xx may carry a Retry-After, and the monthly quota can run out (LINE's own 429 for it)."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from line_simulator.errors import MONTHLY_LIMIT_MESSAGE

# The endpoints that faults can be injected into.
ENDPOINTS = ("reply", "push", "loading", "profile", "content",
             "richmenu_validate", "richmenu_create", "richmenu_content", "richmenu_default", "richmenu_delete")


@dataclass
class Fault:
    kind: str  # "error", "lose_response" or "delay"
    status: int = 500
    message: str | None = None
    seconds: float = 0.0
    retry_after: int | None = None  # seconds, sent as LINE's Retry-After header


@dataclass
class _Outage:
    """A stretch of time in which every call to an endpoint fails (see fail_for)."""

    fault: Fault
    until: float  # time.monotonic()


@dataclass
class Faults:
    _queued: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    _outages: dict[str, list[_Outage]] = field(default_factory=lambda: defaultdict(list))

    def fail_next(self, endpoint: str, status: int = 500, times: int = 1, message: str | None = None,
                  retry_after: int | None = None) -> None:
        """The next `times` calls to `endpoint` answer `status` without doing anything (with a
        Retry-After of `retry_after` seconds, if given)."""
        self._queue(endpoint, times, Fault("error", status=status, message=message, retry_after=retry_after))

    def lose_next_response(self, endpoint: str, times: int = 1) -> None:
        """The next calls do their work, then answer 500 as if the response were lost on the way."""
        self._queue(endpoint, times, Fault("lose_response"))

    def delay_next(self, endpoint: str, seconds: float, times: int = 1) -> None:
        """The next calls wait `seconds` before doing their work (for client timeouts)."""
        self._queue(endpoint, times, Fault("delay", seconds=seconds))

    def fail_for(self, endpoint: str, seconds: float, status: int = 500, *, after_work: bool = False,
                 message: str | None = None, retry_after: int | None = None) -> None:
        """Every call to `endpoint` in the next `seconds` answers `status` (LINE down, or rate
        limiting with 429), with LINE's `message` and a Retry-After if given. With `after_work`
        each call does its work first and only the answer is lost: a message is delivered, yet the
        bot hears 5xx. Outages may overlap; the one that ends last wins. Queued faults (fail_next,
        ...) wait until the outage is over."""
        _check(endpoint)
        kind = "lose_response" if after_work else "error"
        fault = Fault(kind, status=status, message=message, retry_after=retry_after)
        self._outages[endpoint].append(_Outage(fault, until=time.monotonic() + seconds))

    def exhaust_quota(self, seconds: float) -> None:
        """The channel's monthly message quota is used up for the next `seconds`: every push answers
        LINE's 429 "You have reached your monthly limit." (replies are free, so they still work)."""
        self.fail_for("push", seconds, status=429, message=MONTHLY_LIMIT_MESSAGE)

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
