"""LINE's webhook event ids already handed on, so that an event LINE delivers again is handed on once."""

from __future__ import annotations

import asyncpg


async def delivered_before(pool: asyncpg.Pool, event_id: str) -> bool:
    return await pool.fetchval("select exists(select 1 from webhook_events where event_id = $1)", event_id)


async def remember(pool: asyncpg.Pool, event_id: str) -> None:
    await pool.execute(
        "insert into webhook_events (event_id, received_at) values ($1, now()) on conflict do nothing", event_id
    )
