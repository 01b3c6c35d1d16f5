"""The hand-off row (a case forwarded to a province's multidisciplinary team), and what the back
office reads of it: the team's inbox, one hand-off's page with its timeline and follow-ups, and a
case's latest hand-off as the police see it.

A hand-off is one row of `handoffs` per attempt (a case handed back and forwarded again has
several), its timeline the rows of `handoff_events`, its care plan the rows of `follow_ups`."""

from __future__ import annotations

import asyncpg

from database.directory_names import officer_display_name
from database.sql import Conditions
from domain.handoff import OPEN_HANDOFF_STATUSES, HandoffStatus
from domain.scope import HandoffScope

# The inbox's filter word for the hand-offs still in the team's hands (domain.handoff.OPEN_HANDOFF_STATUSES).
OPEN = "OPEN"
INBOX_COLUMNS = """h.handoff_id, h.case_no, h.attempt, h.status, h.forwarded_at, h.accept_due_at,
    h.accept_due_at - now() AS accept_left, h.escalation_level, h.case_worker_id, h.risk_level,
    t.label_th AS type_th, t.label_en AS type_en, d.name_th AS district_th, d.name_en AS district_en,
    p.name_th AS province_th, p.name_en AS province_en, w.name AS case_worker_name,
    (SELECT min(f.due_at) FROM follow_ups f WHERE f.handoff_id = h.handoff_id AND f.status = 'PLANNED')
        AS next_follow_up_at"""
INBOX_JOINS = """JOIN cases c ON c.case_no = h.case_no
    LEFT JOIN incident_types t ON t.code = c.incident_type_code
    LEFT JOIN districts d ON d.code = c.district_code
    LEFT JOIN provinces p ON p.code = h.province_code
    LEFT JOIN team_members w ON w.id = h.case_worker_id"""
# What the hand-off page reads of the case: the reporter's phone only with their consent.
PAGE_COLUMNS = f"""{INBOX_COLUMNS}, h.province_code, h.station_id, h.consent, h.forward_note, h.accepted_at,
    h.rejected_at, h.reject_reason, h.closed_at, h.care_outcome, h.care_note, h.risk_assessed_at,
    c.latitude, c.longitude, c.location_address, c.location_title,
    CASE WHEN h.consent = 'GIVEN' THEN c.phone_e164 END AS reporter_phone,
    s.name_th AS station_th, s.name_en AS station_en, {officer_display_name()} AS forwarded_by_name,
    w.role AS case_worker_role"""
PAGE_JOINS = f"""{INBOX_JOINS}
    LEFT JOIN stations s ON s.id = h.station_id
    LEFT JOIN officers o ON o.id = h.forwarded_by"""


def add_handoff_scope(where: Conditions, scope: HandoffScope, alias: str = "h") -> None:
    """Only the hand-offs the scope allows (HandoffScope.allows, as SQL)."""
    if scope.nothing:
        where.add("false")
    elif scope.station_id is not None:
        where.add(f"{alias}.station_id = {{}}", scope.station_id)
    elif scope.province_code is not None:
        where.add(f"{alias}.province_code = {{}}", scope.province_code)


async def inbox(connection: asyncpg.Connection, scope: HandoffScope, *, status: str, mine: bool,
                case_worker_id: int | None, limit: int, offset: int) -> list[asyncpg.Record]:
    """Hand-offs within the scope, newest first: OPEN ones, of one status by name, or (anything else)
    all; with `mine`, only those whose case worker is case_worker_id (None: nobody's)."""
    where = Conditions()
    add_handoff_scope(where, scope)
    if status == OPEN:
        where.add("h.status = any({}::text[])", sorted(open_status.value for open_status in OPEN_HANDOFF_STATUSES))
    elif status in HandoffStatus.__members__:
        where.add("h.status = {}", status)
    if mine:
        if case_worker_id is None:
            where.add("false")  # nobody's case worker
        else:
            where.add("h.case_worker_id = {}", case_worker_id)
    return await connection.fetch(
        f"SELECT {INBOX_COLUMNS} FROM handoffs h {INBOX_JOINS} WHERE {where.sql()} "
        f"ORDER BY h.forwarded_at DESC, h.handoff_id DESC LIMIT {limit} OFFSET {offset}",
        *where.parameters,
    )


async def handoff_for_page(connection: asyncpg.Connection, handoff_id: str) -> asyncpg.Record | None:
    """The hand-off with what its page shows of the case, whoever may see it: the caller checks."""
    return await connection.fetchrow(
        f"SELECT {PAGE_COLUMNS} FROM handoffs h {PAGE_JOINS} WHERE h.handoff_id = $1", handoff_id
    )


async def timeline_with_names(connection: asyncpg.Connection,
                              handoff_id: str) -> tuple[list[asyncpg.Record], dict[int, str]]:
    """The hand-off's timeline, oldest first (kind, at, actor, details), and the names of the team
    members it mentions: those who acted ("member:<id>"), the case workers assigned, and those an
    alert or a reminder reached."""
    events = await connection.fetch(
        "SELECT kind, at, actor, details FROM handoff_events WHERE handoff_id = $1 ORDER BY at, id", handoff_id
    )
    member_ids = {int(e["actor"].split(":", 1)[1]) for e in events
                  if e["actor"].startswith("member:") and e["actor"].split(":", 1)[1].isdigit()}
    member_ids |= {e["details"]["case_worker_id"] for e in events
                   if isinstance((e["details"] or {}).get("case_worker_id"), int)}
    # Whom an alert or a reminder reached.
    member_ids |= {i for e in events for i in (e["details"] or {}).get("member_ids") or [] if isinstance(i, int)}
    names = {row["id"]: row["name"] for row in await connection.fetch(
        "SELECT id, name FROM team_members WHERE id = any($1::int[])", list(member_ids))}
    return events, names


async def follow_ups(connection: asyncpg.Connection, handoff_id: str) -> list[asyncpg.Record]:
    """The hand-off's care plan in order, with who planned each follow-up (planned_by_name)."""
    return await connection.fetch(
        "SELECT f.number, f.kind, f.due_at, f.note, f.status, f.outcome, f.recorded_at, m.name AS planned_by_name "
        "FROM follow_ups f LEFT JOIN team_members m ON m.id = f.planned_by WHERE f.handoff_id = $1 ORDER BY f.number",
        handoff_id,
    )


async def latest_of_case(connection: asyncpg.Connection, case_no: str) -> asyncpg.Record | None:
    """The case's latest hand-off as the police see it: where the team stands, without the team's
    own timeline."""
    return await connection.fetchrow(
        "SELECT handoff_id, attempt, status, province_code, station_id, forwarded_at, accepted_at, rejected_at, "
        "reject_reason, closed_at, care_outcome, care_note, risk_level FROM handoffs WHERE case_no = $1 "
        "ORDER BY attempt DESC LIMIT 1", case_no
    )


async def waiting_approvals(connection: asyncpg.Connection, handoff_id: str) -> list[asyncpg.Record]:
    """What waits for a supervisor on this hand-off (subject, requested_at, requested_by_name), oldest first."""
    return await connection.fetch(
        "SELECT a.subject, a.requested_at, m.name AS requested_by_name FROM care_approvals a "
        "LEFT JOIN team_members m ON m.id = a.requested_by WHERE a.handoff_id = $1 AND a.answer IS NULL "
        "ORDER BY a.requested_at",
        handoff_id,
    )


async def referrals_of(connection: asyncpg.Connection, handoff_id: str) -> list[asyncpg.Record]:
    """The hand-off's referrals in order, each with its agency's answer (NULL while waiting) and whether
    its due time passed without one."""
    return await connection.fetch(
        "SELECT number, agency_kind, agency_name_th, referred_at, due_at, answer, reason, answered_at, "
        "answer IS NULL AND due_at < now() AS no_answer_by_due FROM referrals WHERE handoff_id = $1 ORDER BY number",
        handoff_id,
    )


_OFFER_COLUMNS = """t.handoff_id, h.case_no, t.from_province_code, t.to_province_code, t.requested_at, t.accept_due_at,
    t.note, h.risk_level, ty.label_th AS type_th, ty.label_en AS type_en,
    fp.name_th AS from_province_th, fp.name_en AS from_province_en,
    tp.name_th AS to_province_th, tp.name_en AS to_province_en"""
_OFFER_JOINS = """FROM handoff_transfers t JOIN handoffs h USING (handoff_id) JOIN cases c ON c.case_no = h.case_no
    LEFT JOIN incident_types ty ON ty.code = c.incident_type_code
    JOIN provinces fp ON fp.code = t.from_province_code JOIN provinces tp ON tp.code = t.to_province_code"""


async def waiting_transfer(connection: asyncpg.Connection, handoff_id: str) -> asyncpg.Record | None:
    """The care's offer to another province's team still waiting for its answer, if any."""
    return await connection.fetchrow(
        f"SELECT {_OFFER_COLUMNS} {_OFFER_JOINS} WHERE t.handoff_id = $1 AND t.answer IS NULL"
        " ORDER BY t.requested_at DESC LIMIT 1", handoff_id)


async def transfers_offered(connection: asyncpg.Connection, scope: HandoffScope) -> list[asyncpg.Record]:
    """Cares other provinces' teams offer to a team within the scope, waiting for its answer, oldest first."""
    where = Conditions()
    if scope.nothing or scope.station_id is not None:
        where.add("false")  # the police receive no care
    elif scope.province_code is not None:
        where.add("t.to_province_code = {}", scope.province_code)
    where.add("t.answer IS NULL")
    return await connection.fetch(
        f"SELECT {_OFFER_COLUMNS} {_OFFER_JOINS} WHERE {where.sql()} ORDER BY t.requested_at", *where.parameters)
