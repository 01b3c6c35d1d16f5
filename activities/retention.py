"""Retention (PDPA) in PostgreSQL: anonymising the cases over for longer than the retention period
(database/retention.py says what goes and what stays), batch by batch.

Running it again changes nothing already done: an anonymised case is never due again. The models
here are the retention workflow's contract too (its input, and this activity's request and answer).
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
from pydantic import BaseModel, Field
from temporalio import activity

from database.retention import anonymise_closed_cases

DEFAULT_BATCH_SIZE = 200
DEFAULT_BATCHES_PER_RUN = 25


class RetentionPolicy(BaseModel):
    """The retention workflow's input, from the settings (ESS_RETENTION_DAYS)."""

    retention_days: int = Field(ge=1)
    batch_size: int = Field(DEFAULT_BATCH_SIZE, ge=1, le=10_000)
    # Batches per activity run: the workflow asks again while a run stops with cases left.
    batches_per_run: int = Field(DEFAULT_BATCHES_PER_RUN, ge=1)


class AnonymiseRequest(BaseModel):
    """Anonymise the cases over before `closed_before`: up to `max_batches` batches of `batch_size`
    cases, one transaction each."""

    closed_before: datetime
    batch_size: int = Field(DEFAULT_BATCH_SIZE, ge=1, le=10_000)
    max_batches: int = Field(DEFAULT_BATCHES_PER_RUN, ge=1)


class AnonymisedCases(BaseModel):
    count: int  # cases anonymised by this activity (across its attempts)
    more: bool  # stopped at max_batches with a full batch: there may be cases left


class RetentionStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="anonymise_closed_cases")
    async def anonymise_closed_cases(self, request: AnonymiseRequest) -> AnonymisedCases:
        """Batches until none is left or max_batches is reached. The heartbeat between batches
        carries the count so far: an attempt after a crash goes on from it (the audit log names
        each case exactly, whatever the count says)."""
        earlier = activity.info().heartbeat_details
        count = int(earlier[0]) if earlier else 0
        for _ in range(request.max_batches):
            async with self._pool.acquire() as connection:
                done = await anonymise_closed_cases(connection, request.closed_before, request.batch_size)
            count += len(done)
            activity.heartbeat(count)
            if len(done) < request.batch_size:
                return AnonymisedCases(count=count, more=False)
        return AnonymisedCases(count=count, more=True)
