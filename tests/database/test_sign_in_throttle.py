"""Sign-in throttling: the first failures are free, whatever the order in which concurrent attempts
of one name and address reach the database."""

from __future__ import annotations

import uuid

import asyncpg

from database.sign_in_throttle import FREE_FAILURES, begin_attempt


async def test_an_attempt_is_not_made_to_wait_for_a_free_failure_stamped_after_its_transaction_began(
        pool: asyncpg.Pool) -> None:
    """Two attempts at once: the second's transaction begins, then waits for the first's lock; the
    first's failure row is stamped later than the second transaction's now(). Before any failure is
    counted against the name, that order must not make the second wait."""
    name = f"race-{uuid.uuid4().hex[:10]}"
    await pool.execute("INSERT INTO sign_in_failures (username, client, at) VALUES ($1, $1, now() + interval '2 s')",
                       name)
    async with pool.acquire() as connection:
        assert await begin_attempt(connection, name, name, failures_per_minute=100_000) is None
    failures = await pool.fetchval("SELECT count(*) FROM sign_in_failures WHERE username = $1", name)
    assert failures == 2 < FREE_FAILURES
