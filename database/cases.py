"""The case row, and what the officers' pages and API read of it: the list with its filters, one
case and its timeline (the incident map's reads are database.map_cases).

A case is one row of `cases` (the case store keeps it from the case workflow's timeline), its
timeline the rows of `case_events`. Whom a reader may see is a CaseScope (domain.scope), added to
every query here as SQL (database.sql.Conditions.add_scope)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import asyncpg

from database.live_desk import reached_nobody, unread_messages
from database.sql import Conditions
from domain.case_number_search import case_number_pattern
from domain.case_rules import ACTIONABLE
from domain.clock import thai_midnight
from domain.models import CaseJurisdiction, CaseStatus
from domain.scope import CaseScope

# A line of the officers' JSON API list: no phone number, no LINE user id.
SUMMARY_COLUMNS = """c.case_no, c.status, c.incident_type_code, c.province_code, c.district_code, c.station_id,
    c.reported_at, c.acknowledged_at, c.escalation_level, c.complete, c.review_flag"""
# A line of the back office's case desk, with the names of its type and places (DESK_JOINS).
DESK_COLUMNS = f"""c.case_no, c.status, c.reported_at, c.acknowledged_at, c.escalation_level, c.complete,
    c.review_flag, t.label_th AS type_th, t.label_en AS type_en, p.name_th AS province_th,
    p.name_en AS province_en, d.name_th AS district_th, d.name_en AS district_en,
    s.name_th AS station_th, s.name_en AS station_en, {reached_nobody()} AS reached_nobody"""
DESK_JOINS = """LEFT JOIN incident_types t ON t.code = c.incident_type_code
    LEFT JOIN provinces p ON p.code = c.province_code
    LEFT JOIN districts d ON d.code = c.district_code
    LEFT JOIN stations s ON s.id = c.station_id"""

# The back office's status filter: every case the police can still act on, or those whose alerts
# reached nobody.
OPEN = "OPEN"
REACHING_NOBODY = "UNREACHED"


def add_status_filter(where: Conditions, status: str | None) -> None:
    """The back office's status filter: OPEN, one status by name, or (anything else) every status."""
    if status == OPEN:
        where.add("c.status = any({}::text[])", [s.value for s in ACTIONABLE])
    elif status in CaseStatus.__members__:
        where.add("c.status = {}", status)


def _add_number_prefix(where: Conditions, number_prefix: str | None) -> None:
    """The case numbers the typed text means: their start, their last digits, a Buddhist-era year
    (domain.case_number_search)."""
    pattern = case_number_pattern(number_prefix or "")
    if pattern:
        where.add("c.case_no LIKE {}", pattern)


# --- The officers' JSON API ------------------------------------------------------------------------


async def case_summaries(
    connection: asyncpg.Connection, scope: CaseScope, *, statuses: Sequence[CaseStatus] | None = None,
    incident_type: str | None = None, province_code: str | None = None, station_id: int | None = None,
    reported_from: date | None = None, reported_to: date | None = None, number_prefix: str | None = None,
    before: tuple[datetime, str] | None = None, limit: int,
) -> list[asyncpg.Record]:
    """At most `limit` cases within the scope and every filter given, newest first; `before` (reported
    at, case number) starts after the last line of the previous page. Days are Thailand's."""
    where = Conditions()
    where.add_scope(scope)
    if statuses:
        where.add("c.status = any({}::text[])", [s.value for s in statuses])
    if incident_type:
        where.add("c.incident_type_code = {}", incident_type)
    if province_code:
        where.add("c.province_code = {}", province_code)
    if station_id is not None:
        where.add("c.station_id = {}", station_id)
    if reported_from:
        where.add("c.reported_at >= {}", thai_midnight(reported_from))
    if reported_to:
        where.add("c.reported_at < {}", thai_midnight(reported_to + timedelta(days=1)))
    _add_number_prefix(where, number_prefix)
    if before:
        where.add("(c.reported_at, c.case_no) < ({}, {})", *before)
    where.parameters.append(limit)
    sql = (
        f"SELECT {SUMMARY_COLUMNS} FROM cases c WHERE {where.sql()} "
        f"ORDER BY c.reported_at DESC, c.case_no DESC LIMIT ${len(where.parameters)}"
    )
    return await connection.fetch(sql, *where.parameters)


async def case_row(connection: asyncpg.Connection, case_no: str) -> asyncpg.Record | None:
    """Every column of the case (its phone number included), whoever may see it: the caller checks."""
    return await connection.fetchrow("SELECT * FROM cases WHERE case_no = $1", case_no)


async def case_jurisdiction(connection: asyncpg.Connection, case_no: str) -> CaseJurisdiction | None:
    """Where a case belongs (its station, else the province it was reported in); None for no such case."""
    row = await connection.fetchrow(
        """
        SELECT coalesce(s.province_code, c.province_code) AS province_code, c.station_id
        FROM cases AS c LEFT JOIN stations AS s ON s.id = c.station_id WHERE c.case_no = $1
        """,
        case_no,
    )
    return CaseJurisdiction(**dict(row)) if row else None


async def timeline(connection: asyncpg.Connection, case_no: str) -> list[asyncpg.Record]:
    """The case's timeline, oldest first: kind, at, actor, details."""
    return await connection.fetch(
        "SELECT kind, at, actor, details FROM case_events WHERE case_no = $1 ORDER BY at, id", case_no
    )


# --- The back office -------------------------------------------------------------------------------


async def desk_cases(connection: asyncpg.Connection, scope: CaseScope, account_id: int, *, status: str | None,
                     number_prefix: str | None, limit: int) -> list[asyncpg.Record]:
    """The case desk's list: at most `limit` cases within the scope, newest first, with how many of the
    reporter's messages the account has not read (`unread`)."""
    where = Conditions()
    where.add_scope(scope)
    if status == REACHING_NOBODY:
        where.add(reached_nobody())
    else:
        add_status_filter(where, status)
    _add_number_prefix(where, number_prefix)
    parameters = [*where.parameters, account_id]
    return await connection.fetch(
        f"SELECT {DESK_COLUMNS}, {unread_messages(f'${len(parameters)}')} AS unread FROM cases c {DESK_JOINS} "
        f"WHERE {where.sql()} ORDER BY c.reported_at DESC, c.case_no DESC LIMIT {limit}",
        *parameters,
    )


async def desk_case(connection: asyncpg.Connection, case_no: str) -> asyncpg.Record | None:
    """Every column of the case and the desk's names for it, whoever may see it: the caller checks."""
    return await connection.fetchrow(
        f"SELECT c.*, {DESK_COLUMNS} FROM cases c {DESK_JOINS} WHERE c.case_no = $1", case_no
    )


async def case_numbers_in_province(connection: asyncpg.Connection, case_nos: Sequence[str],
                                   province_code: str) -> set[str]:
    """Those of the case numbers that are the province's cases."""
    rows = await connection.fetch(
        "SELECT case_no FROM cases WHERE case_no = ANY($1::text[]) AND province_code = $2",
        case_nos, province_code,
    )
    return {row["case_no"] for row in rows}


# The cases whose current hand-off (the newest attempt) the team accepted while the row still reads
# FORWARDED, and nothing after the acceptance moved the status: they are HANDED_OVER, once the release
# step 'handed-over-status' is done (database.release_steps: no process of release 0.1.0, which cannot
# read the status, runs any more). Completing the step runs it for the cases accepted before; each
# start of the API or a worker runs it again (database.startup), for an acceptance a worker of the
# previous release recorded late. An anonymised timeline entry no longer names
# its hand-off: then the hand-off row says it was accepted, and the entry comes after its forward.
# Read from the FORWARDED cases, each through its timeline's index.
_ACCEPTED_YET_FORWARDED = """
    UPDATE cases AS c
    SET status = 'HANDED_OVER', closed_at = coalesce(c.closed_at, accepted.at),
        updated_at = greatest(c.updated_at, now())
    FROM cases AS f
    JOIN LATERAL (
        SELECT h.handoff_id, h.forwarded_at, h.accepted_at
        FROM handoffs AS h WHERE h.case_no = f.case_no ORDER BY h.attempt DESC LIMIT 1
    ) AS current ON true
    JOIN LATERAL (
        SELECT e.at FROM case_events AS e
        WHERE e.case_no = f.case_no AND e.kind = 'HANDOFF_ACCEPTED'
          AND (e.details ->> 'handoff_id' = current.handoff_id
               OR (e.details ->> 'handoff_id' IS NULL AND current.accepted_at IS NOT NULL
                   AND e.at >= current.forwarded_at))
        ORDER BY e.at, e.id
        LIMIT 1
    ) AS accepted ON true
    WHERE f.status = 'FORWARDED'
      AND c.case_no = f.case_no
      AND NOT EXISTS (
          SELECT 1 FROM case_events AS later
          WHERE later.case_no = c.case_no AND later.kind = 'STATUS_CHANGED' AND later.at > accepted.at
      )
      AND EXISTS (SELECT 1 FROM release_steps WHERE name = 'handed-over-status')
"""


async def hand_over_accepted_cases(connection: asyncpg.Connection) -> int:
    """Moves the cases the team accepted but whose row still reads FORWARDED to HANDED_OVER; how many."""
    status = await connection.execute(_ACCEPTED_YET_FORWARDED)
    return int(status.rsplit(" ", 1)[-1])
