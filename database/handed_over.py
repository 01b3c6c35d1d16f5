"""A reporter's latest case once the province's team has accepted it, with its hand-off: where
what the reporter writes after the acceptance goes (the conversation asks, activities.cases)."""

from __future__ import annotations

import asyncpg

from domain.handed_over import HandedOverCase


async def latest_handed_over(connection: asyncpg.Connection, reporter_key: str) -> HandedOverCase | None:
    """The reporter's latest case when the province's team has accepted it: status HANDED_OVER, or a
    row still FORWARDED whose latest hand-off was accepted (accepted before the store moved rows to
    HANDED_OVER). With that hand-off's id and the reporter's consent; None otherwise."""
    row = await connection.fetchrow(
        """
        SELECT c.case_no, c.status, h.handoff_id, h.consent, h.accepted_at
        FROM (SELECT case_no, status FROM cases WHERE reporter_key = $1
              ORDER BY opened_at DESC, case_no DESC LIMIT 1) AS c
        LEFT JOIN LATERAL (SELECT handoff_id, consent, accepted_at FROM handoffs
                           WHERE case_no = c.case_no ORDER BY attempt DESC LIMIT 1) AS h ON true
        """,
        reporter_key,
    )
    if row is None or row["handoff_id"] is None:
        return None
    if row["status"] != "HANDED_OVER" and not (row["status"] == "FORWARDED" and row["accepted_at"] is not None):
        return None
    return HandedOverCase(case_no=row["case_no"], handoff_id=row["handoff_id"], consent=row["consent"])
