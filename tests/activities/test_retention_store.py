"""The retention activity: batch after batch until no case is left or its share for one run is
done, the count so far in its heartbeat, so an attempt after a crash counts on from there.

Its cases are over in the first half of 1963, before a cut-off of 1 July 1963 that no other test's
case is over by (the other retention tests use other years); each test first anonymises whatever
earlier tests left due."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.retention import AnonymisedCases, AnonymiseRequest, RetentionStore
from domain.clock import THAILAND
from domain.models import CaseStatus
from tests.retention import Reporter

CUT_OFF = datetime(1963, 7, 1, tzinfo=THAILAND)
CLOSED_AT = datetime(1963, 3, 1, tzinfo=THAILAND)


class Run:
    """The activity as the worker runs it, with the heartbeats it sends."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.store = RetentionStore(pool)
        self.environment = ActivityEnvironment()
        self.heartbeats: list[int] = []
        self.environment.on_heartbeat = lambda count: self.heartbeats.append(count)

    async def anonymise(self, batch_size: int, max_batches: int = 25) -> AnonymisedCases:
        request = AnonymiseRequest(closed_before=CUT_OFF, batch_size=batch_size, max_batches=max_batches)
        return await self.environment.run(self.store.anonymise_closed_cases, request)


@pytest.fixture
async def run(pool: asyncpg.Pool) -> Run:
    await Run(pool).anonymise(batch_size=100, max_batches=1000)  # what earlier tests left due
    return Run(pool)


@pytest.fixture
async def reporter(pool: asyncpg.Pool) -> AsyncIterator[Reporter]:
    async with pool.acquire() as connection:
        yield Reporter(connection)


async def due_cases(reporter: Reporter, count: int) -> list[str]:
    return [await reporter.case(CaseStatus.CLOSED, CLOSED_AT + timedelta(minutes=n)) for n in range(count)]


async def anonymised(pool: asyncpg.Pool, cases: list[str]) -> list[str]:
    return [row["case_no"] for row in await pool.fetch(
        "SELECT case_no FROM cases WHERE case_no = ANY($1) AND anonymised_at IS NOT NULL ORDER BY case_no", cases)]


async def test_it_goes_batch_by_batch_until_none_is_left_heartbeating_the_count(
        pool: asyncpg.Pool, run: Run, reporter: Reporter) -> None:
    cases = await due_cases(reporter, 4)

    assert await run.anonymise(batch_size=2) == AnonymisedCases(count=4, more=False)

    assert run.heartbeats == [2, 4, 4]  # the third batch found none left
    assert await anonymised(pool, cases) == sorted(cases)


async def test_it_stops_after_its_share_and_says_there_are_more(pool: asyncpg.Pool, run: Run,
                                                                 reporter: Reporter) -> None:
    cases = await due_cases(reporter, 3)

    assert await run.anonymise(batch_size=1, max_batches=2) == AnonymisedCases(count=2, more=True)
    assert await anonymised(pool, cases) == sorted(cases[:2])  # the oldest first

    assert await run.anonymise(batch_size=1, max_batches=2) == AnonymisedCases(count=1, more=False)
    assert await anonymised(pool, cases) == sorted(cases)


async def test_an_attempt_after_a_crash_counts_on_from_the_last_heartbeat(pool: asyncpg.Pool, run: Run,
                                                                          reporter: Reporter) -> None:
    cases = await due_cases(reporter, 1)
    run.environment.info = dataclasses.replace(run.environment.info, attempt=2, heartbeat_details=[4])

    assert await run.anonymise(batch_size=2) == AnonymisedCases(count=5, more=False)
    assert await anonymised(pool, cases) == cases
