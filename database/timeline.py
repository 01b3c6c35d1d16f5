"""Timelines kept in PostgreSQL (a case's, a hand-off's): each entry written once, by its key."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import asyncpg

# The timeline tables, and the column naming what each entry belongs to.
OWNERS = {"case_events": "case_no", "handoff_events": "handoff_id"}


async def insert_entry(connection: asyncpg.Connection, table: Literal["case_events", "handoff_events"], owner: str,
                       key: str, kind: str, at: datetime, actor: str, details: dict[str, Any]) -> bool:
    """True when written now, False when an earlier attempt already wrote it. An unknown owner
    raises asyncpg.ForeignKeyViolationError."""
    written = await connection.fetchval(
        f"""
        INSERT INTO {table} ({OWNERS[table]}, event_key, kind, at, actor, details)
        VALUES ($1, $2, $3, $4, $5, $6::text::jsonb)
        ON CONFLICT (event_key) DO NOTHING
        RETURNING id
        """,
        owner, key, kind, at, actor,
        # As text, so this works with or without a jsonb codec on the connection.
        json.dumps(details, ensure_ascii=False, default=str),
    )
    return written is not None
