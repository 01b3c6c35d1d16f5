"""The bare Temporal skeleton of a report: signals in, no-op activities out, nothing else.

Stdlib and temporalio only: the workflow sandbox re-imports this module for every run.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="bench_noop")
async def noop(report_id: str, step: int, last_of_step: bool) -> None:
    """Does nothing; the driver in the same process is told when a step's last one ran."""
    if last_of_step and _step_done is not None:
        _step_done(report_id, step)


# Set by the driver: called with (report id, step) when a step's work is finished.
_step_done = None


def on_step_done(callback) -> None:
    global _step_done
    _step_done = callback


@workflow.defn(name="BenchSkeletonReport")
class SkeletonReport:
    """One report: for each step, wait for its signal, then run that step's activities in turn."""

    @workflow.init
    def __init__(self, activities_per_step: list[list[int]]) -> None:
        self._inbox: deque[int] = deque()

    @workflow.signal
    def event(self, step: int) -> None:
        self._inbox.append(step)

    @workflow.run
    async def run(self, activities_per_step: list[list[int]]) -> None:
        """Each step's [regular, local] activities, local first, one after another."""
        report_id = workflow.info().workflow_id
        for regular, local in activities_per_step:
            await workflow.wait_condition(lambda: bool(self._inbox))
            step = self._inbox.popleft()
            for n in range(local):
                await workflow.execute_local_activity(
                    noop, args=[report_id, step, regular == 0 and n == local - 1],
                    start_to_close_timeout=timedelta(seconds=30),
                )
            for n in range(regular):
                await workflow.execute_activity(
                    noop, args=[report_id, step, n == regular - 1], start_to_close_timeout=timedelta(seconds=30)
                )
