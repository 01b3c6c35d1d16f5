"""Drives the bare Temporal skeleton like the full stack is driven: each report sends its signals
one at a time (signal-with-start, as the webhook does), and the next only after the previous
step's activities have run; reports run side by side up to the same concurrency."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from temporalio.client import Client
from temporalio.worker import Worker

from bench import skeleton_workflow
from bench.skeleton_workflow import SkeletonReport

STEP_TIMEOUT = 60.0


@dataclass
class SkeletonRun:
    seconds: float  # for all the reports
    step_seconds: dict[int, list[float]] = field(default_factory=dict)  # signal sent → step's work done


async def run_skeleton(
    client: Client, activities_per_step: list[list[int]], reports: int, concurrency: int
) -> SkeletonRun:
    """`reports` skeleton reports on the server `client` talks to."""
    task_queue = f"bench-skeleton-{uuid.uuid4().hex[:8]}"
    waiting: dict[tuple[str, int], asyncio.Future] = {}
    run = SkeletonRun(seconds=0.0, step_seconds={step: [] for step in range(len(activities_per_step))})
    loop = asyncio.get_running_loop()

    def step_done(report_id: str, step: int) -> None:
        future = waiting.get((report_id, step))
        if future is not None:
            loop.call_soon_threadsafe(_resolve, future)

    skeleton_workflow.on_step_done(step_done)
    worker = Worker(client, task_queue=task_queue, workflows=[SkeletonReport], activities=[skeleton_workflow.noop])
    async with worker:
        slots = asyncio.Semaphore(concurrency)

        async def one(number: int) -> None:
            async with slots:
                await _report(client, task_queue, f"bench-skeleton-{uuid.uuid4().hex}", activities_per_step,
                              waiting, loop.create_future, run.step_seconds)

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(reports)))
        run.seconds = time.perf_counter() - started
        return run


async def _report(
    client: Client,
    task_queue: str,
    report_id: str,
    activities_per_step: list[list[int]],
    waiting: dict,
    new_future: Callable[[], asyncio.Future],
    step_seconds: dict[int, list[float]],
) -> None:
    for step in range(len(activities_per_step)):
        done = waiting[(report_id, step)] = new_future()
        started = time.perf_counter()
        try:
            await client.start_workflow(
                SkeletonReport.run, activities_per_step, id=report_id, task_queue=task_queue,
                start_signal="event", start_signal_args=[step],
            )
            await asyncio.wait_for(done, STEP_TIMEOUT)
            step_seconds[step].append(time.perf_counter() - started)
        finally:
            del waiting[(report_id, step)]


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)
