"""The team's side for back-office tests: a team member's account, and hand-offs in the read model
as the hand-off workflow's activities leave them, written directly (for pages that only read)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from domain.accounts import AccountRole
from domain.handoff import HandoffStatus, TeamMember
from tests.api.back_office.conftest import Person, add_account, open_routed_case
from tests.scene import Scene


async def account_of(pool: asyncpg.Pool, member: TeamMember) -> Person:
    """A team's back-office account that acts as this member."""
    person = await add_account(pool, AccountRole.TEAM_MEMBER, province_code=member.province_code)
    await pool.execute("UPDATE accounts SET team_member_id = $2 WHERE username = $1", person.username, member.member_id)
    return person

async def handoff_row(scene: Scene, case_no: str, *, status: HandoffStatus = HandoffStatus.AWAITING,
                      consent: str = "ASKED", forwarded_at: datetime | None = None,
                      accept_due_at: datetime | None = None, case_worker: TeamMember | None = None,
                      note: str = "ผู้เสียหายต้องการที่พักพิง") -> str:
    """A hand-off of this case, as the hand-off workflow's activities record one."""
    handoff_id = f"{case_no}-1"
    forwarded_at = forwarded_at or datetime.now(UTC)
    accepted = status != HandoffStatus.AWAITING and status != HandoffStatus.REJECTED
    await scene.pool.execute(
        """
        INSERT INTO handoffs (handoff_id, case_no, attempt, province_code, station_id, status, consent, forwarded_at,
                              forwarded_by, forward_note, accept_due_at, accepted_at, accepted_by, case_worker_id,
                              care_outcome, care_note, closed_at)
        SELECT $1, c.case_no, 1, c.province_code, c.station_id, $3, $4, $5::timestamptz, $6, $7, $8,
               CASE WHEN $9 THEN $5::timestamptz + interval '1 hour' END, $10::int, $10::int,
               CASE WHEN $3 = 'CLOSED' THEN 'SHELTERED' END, CASE WHEN $3 = 'CLOSED' THEN 'เข้าบ้านพักแล้ว' END,
               CASE WHEN $3 = 'CLOSED' THEN now() END
        FROM cases c WHERE c.case_no = $2
        """,
        handoff_id, case_no, status.value, consent, forwarded_at, scene.station_officer.officer_id, note,
        accept_due_at or forwarded_at + timedelta(hours=24), accepted,
        case_worker.member_id if case_worker else None,
    )
    await scene.pool.execute(
        "INSERT INTO handoff_events (handoff_id, event_key, kind, at, actor, details)"
        " VALUES ($1, $2, 'OPENED', $3, $4, '{}')",
        handoff_id, f"{handoff_id}:opened", forwarded_at, f"officer:{scene.station_officer.officer_id}")
    return handoff_id


async def forwarded_rows(scene: Scene, **fields) -> tuple[str, str]:
    """A routed case with a hand-off row: (case number, hand-off id)."""
    case_no, _ = await open_routed_case(scene)
    return case_no, await handoff_row(scene, case_no, **fields)
