"""The audit log: who (a back-office account and the officer it acts as, or an API officer), did
what, to which case, and reading it back for the national administrator."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import asyncpg

from database.directory_names import officer_display_name
from database.sql import Conditions
from domain.accounts import Account
from domain.clock import thai_midnight
from domain.models import RefusedView

CASE_VIEW_REFUSED = "CASE_VIEW_REFUSED"
CASE_ACTION = "CASE_ACTION"


async def record(connection: asyncpg.Connection, action: str, *, account: Account | None = None,
                 case_no: str | None = None, **details: Any) -> None:
    """An entry from the back office (or a signed link: no account)."""
    await connection.execute(
        "INSERT INTO audit_log (account_id, officer_id, action, case_no, details) VALUES ($1, $2, $3, $4, $5)",
        account.account_id if account else None,
        account.officer_id if account else None,
        action,
        case_no,
        details,
    )


async def record_once_a_while(connection: asyncpg.Connection, action: str, *, account: Account, case_no: str,
                              within: timedelta, **details: Any) -> bool:
    """An entry unless this account already has one of this action for this case within `within`:
    a case page's thumbnails load at once, and one look at a case's photos is one entry, not one per
    photo. Whether it was written. (The lock keeps the page's parallel requests from each writing one.)"""
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))",
                                 f"audit:{action}:{account.account_id}:{case_no}")
        written = await connection.fetchval(
            """
            INSERT INTO audit_log (account_id, officer_id, action, case_no, details)
            SELECT $1, $2, $3, $4, $5
            WHERE NOT EXISTS (SELECT 1 FROM audit_log WHERE account_id = $1 AND action = $3 AND case_no = $4
                                                        AND at > now() - $6::interval)
            RETURNING true
            """,
            account.account_id, account.officer_id, action, case_no, details, within,
        )
    return bool(written)


async def record_line_action(connection: asyncpg.Connection, officer_id: int, case_no: str, kind: str,
                             event_id: str) -> None:
    """An officer's action tapped on LINE (an acknowledgement), once per tap: LINE's redelivery of
    the tap, or the workflow's retry, finds its event id already there."""
    await connection.execute(
        """
        INSERT INTO audit_log (officer_id, action, case_no, details)
        SELECT $1, $2, $3, jsonb_build_object('via', 'line', 'kind', $4::text, 'event_id', $5::text)
        WHERE NOT EXISTS (SELECT 1 FROM audit_log
                          WHERE case_no = $3 AND action = $2 AND details ->> 'event_id' = $5)
        """,
        officer_id, CASE_ACTION, case_no, kind, event_id,
    )


async def record_for_officer(connection: asyncpg.Connection, officer_id: int, action: str, case_no: str,
                             details: dict[str, Any]) -> None:
    """An entry from the officers' JSON API, where an officer's token is who acted."""
    await connection.execute(
        "INSERT INTO audit_log (officer_id, action, case_no, details) VALUES ($1, $2, $3, $4)",
        officer_id,
        action,
        case_no,
        details,
    )


async def record_refused_view(connection: asyncpg.Connection, refused: RefusedView) -> None:
    """An officer on LINE was refused a case: written once per tap (a retry, or LINE's redelivery of
    the tap, finds its event id already there)."""
    await connection.execute(
        """
        INSERT INTO audit_log (officer_id, action, case_no, details)
        SELECT $1, $2, $3, jsonb_build_object('via', $4::text, 'event_id', $5::text)
        WHERE NOT EXISTS (SELECT 1 FROM audit_log
                          WHERE case_no = $3 AND action = $2 AND details ->> 'event_id' = $5)
        """,
        refused.officer_id, CASE_VIEW_REFUSED, refused.case_no, refused.via, refused.event_id,
    )


async def entries(connection: asyncpg.Connection, *, action: str | None, case_no: str | None, username: str | None,
                  day: date | None, limit: int) -> list[asyncpg.Record]:
    """The newest entries that match every filter given (the texts as typed: trimmed and cased here)."""
    where = Conditions()
    if action:
        where.add("l.action = {}", action.strip().upper())
    if case_no:
        where.add("l.case_no = {}", case_no.strip().upper())
    if username:
        where.add("u.username = {}", username.strip().lower())
    if day:
        where.add("l.at >= {}", thai_midnight(day))
        where.add("l.at < {}", thai_midnight(day + timedelta(days=1)))
    return await connection.fetch(
        f"""SELECT l.at, l.action, l.case_no, l.details, u.username, u.display_name, o.code AS officer_code,
                       {officer_display_name()} AS officer_name, s.name_th AS station_th, s.name_en AS station_en
                FROM audit_log l LEFT JOIN accounts u ON u.id = l.account_id LEFT JOIN officers o ON o.id = l.officer_id
                LEFT JOIN stations s ON s.id = o.station_id
                WHERE {where.sql()} ORDER BY l.at DESC, l.id DESC LIMIT {limit}""",
        *where.parameters,
    )


async def actions(connection: asyncpg.Connection) -> list[str]:
    """Every action the log holds, for the filter's choices."""
    return [row["action"] for row in await connection.fetch("SELECT DISTINCT action FROM audit_log ORDER BY 1")]
