"""A reporter's phone number unmasked on a case page: granted only by the audited unmask, held here
on the server for one session and one case, for a few minutes; after that the page masks it again.

Nothing in the page's address can grant or widen it: the case page asks this table, not the browser.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from database.sessions import session_key

# Long enough to dial the number and note it, short enough that a screen left open masks it again.
UNMASK_LIFETIME = timedelta(minutes=5)


async def grant_unmask(connection: asyncpg.Connection, session_token: str, case_no: str) -> datetime:
    """Shows the case's phone number to this session until the returned moment (a new unmask of
    the same case starts the period again). Clears the grants that have expired meanwhile."""
    await connection.execute("DELETE FROM phone_unmask_grants WHERE expires_at <= now()")
    return await connection.fetchval(
        """
        INSERT INTO phone_unmask_grants (session_token_hash, case_no, expires_at)
        VALUES ($1, $2, now() + $3::interval)
        ON CONFLICT (session_token_hash, case_no) DO UPDATE SET expires_at = excluded.expires_at
        RETURNING expires_at
        """,
        session_key(session_token), case_no, UNMASK_LIFETIME,
    )


async def unmasked_until(connection: asyncpg.Connection, session_token: str, case_no: str) -> datetime | None:
    """Until when this session may see the case's phone number; None when it may not (now)."""
    return await connection.fetchval(
        "SELECT expires_at FROM phone_unmask_grants WHERE session_token_hash = $1 AND case_no = $2 "
        "AND expires_at > now()",
        session_key(session_token), case_no,
    )
