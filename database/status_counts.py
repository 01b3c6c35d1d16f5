"""How many cases and hand-offs there are in each status, for the metrics a monitoring system reads.

Cases: the dashboard's day counts (database migration 0005) for the whole country, area 'TH',
which holds every case; summing them reads one index range, a few thousand entries a year, where
count(*) over `cases` would visit every case. Hand-offs are a small share of the cases: counted
from `handoffs` itself. Statuses without any are left out."""

from __future__ import annotations

import asyncpg


async def cases_by_status(connection: asyncpg.Connection, timeout: float) -> list[asyncpg.Record]:
    """(status, n) for every status some case has."""
    return await connection.fetch(
        "SELECT status, sum(cases)::bigint AS n FROM case_day_counts WHERE area = 'TH' GROUP BY status",
        timeout=timeout,
    )


async def handoffs_by_status(connection: asyncpg.Connection, timeout: float) -> list[asyncpg.Record]:
    """(status, n) for every status some hand-off has."""
    return await connection.fetch(
        "SELECT status, count(*) AS n FROM handoffs GROUP BY status", timeout=timeout
    )
