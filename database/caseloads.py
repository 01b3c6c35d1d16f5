"""A province team's caseloads: per member, the cares they are case worker of, their follow-ups due
soon and overdue, and the longest time since one of those cares had contact; and the open cares
themselves, with their risk level and what waits for a supervisor. "Contact" is a follow-up recorded
as done, or the acceptance for a care with none yet."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

# A follow-up due within this time is "due soon".
DUE_SOON = timedelta(hours=48)

_OPEN_CARES = """
    SELECT h.handoff_id, h.case_no, h.case_worker_id, m.name AS case_worker_name, h.accepted_at,
           f.next_due_at, f.overdue, f.due_soon, greatest(h.accepted_at, f.last_done_at) AS last_contact_at,
           h.risk_level,
           (SELECT count(*) FROM care_approvals a WHERE a.handoff_id = h.handoff_id AND a.answer IS NULL)
               AS waiting_approvals
    FROM handoffs h LEFT JOIN team_members m ON m.id = h.case_worker_id
    CROSS JOIN LATERAL (
        SELECT min(due_at) FILTER (WHERE status = 'PLANNED') AS next_due_at,
               count(*) FILTER (WHERE status = 'PLANNED' AND due_at < $2) AS overdue,
               count(*) FILTER (WHERE status = 'PLANNED' AND due_at >= $2 AND due_at < $2 + $3::interval) AS due_soon,
               max(recorded_at) FILTER (WHERE status = 'DONE') AS last_done_at
        FROM follow_ups WHERE follow_ups.handoff_id = h.handoff_id
    ) f
    WHERE h.status = 'IN_CARE' AND h.province_code = $1
"""


async def open_cares(connection: asyncpg.Connection, province_code: str, now: datetime,
                     case_worker_id: int | None = None) -> list[asyncpg.Record]:
    """The province's cares in progress, the most overdue first, then the longest without contact."""
    return await connection.fetch(
        f"""
        SELECT * FROM ({_OPEN_CARES}) c WHERE $4::int IS NULL OR c.case_worker_id = $4
        ORDER BY c.overdue DESC, c.last_contact_at NULLS FIRST, c.case_no
        """,
        province_code, now, DUE_SOON, case_worker_id,
    )


async def caseloads(connection: asyncpg.Connection, province_code: str, now: datetime) -> list[asyncpg.Record]:
    """Each active member of the province's team with their load, the busiest first."""
    return await connection.fetch(
        f"""
        SELECT m.id AS member_id, m.name, m.role, count(c.handoff_id) AS open_cares,
               count(c.handoff_id) FILTER (WHERE c.risk_level = 'HIGH') AS high_risk,
               count(c.handoff_id) FILTER (WHERE c.risk_level IS NULL) AS not_assessed,
               coalesce(sum(c.due_soon), 0)::int AS due_soon, coalesce(sum(c.overdue), 0)::int AS overdue,
               -- Never negative: the clocks of the database and the application may differ a little.
               greatest($2 - min(c.last_contact_at), interval '0') AS longest_without_contact
        FROM team_members m LEFT JOIN ({_OPEN_CARES}) c ON c.case_worker_id = m.id
        WHERE m.province_code = $1 AND m.active
        GROUP BY m.id, m.name, m.role
        ORDER BY count(c.handoff_id) DESC, coalesce(sum(c.overdue), 0) DESC, m.name
        """,
        province_code, now, DUE_SOON,
    )
