"""The hand-off store in PostgreSQL: the hand-off read model, its own timeline and its care plan.

Every activity here may run more than once (Temporal retries it after a crash or a timeout):
each write is keyed so that running it again changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypeVar

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from database.timeline import insert_entry
from domain.handoff import (
    CareOutcome,
    Consent,
    FollowUpKind,
    FollowUpStatus,
    HandoffEvent,
    HandoffOpened,
    HandoffStatus,
)

OPENED = "OPENED"
ESCALATED = "ESCALATED"
CONSENT = "CONSENT"
ACCEPTED = "ACCEPTED"
REJECTED = "REJECTED"
ASSIGNED = "ASSIGNED"
PLANNED = "PLANNED"
RECORDED = "RECORDED"
CLOSED = "CLOSED"

EnumValue = TypeVar("EnumValue", bound=StrEnum)

TEAM_ACCEPT_LEVEL = "TEAM_ACCEPT"
DEFAULT_TEAM_ACCEPT_MINUTES = 24 * 60
# Foreign keys naming a team member: breaking one means the workflow sent an unknown member id.
_MEMBER_REFERENCES = frozenset(
    {"handoffs_accepted_by_fkey", "handoffs_case_worker_id_fkey", "follow_ups_planned_by_fkey"}
)


class HandoffStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="record_handoff_opened")
    async def record_handoff_opened(self, opened: HandoffOpened) -> None:
        """The hand-off row and its OPENED timeline entry; running it again changes nothing."""
        opening = opened.opening
        report = opening.report
        async with self._pool.acquire() as connection, connection.transaction():
            try:
                await connection.execute(
                    """
                    INSERT INTO handoffs (
                        handoff_id, case_no, attempt, province_code, station_id, forwarded_at,
                        forwarded_by, forward_note, accept_due_at
                    ) VALUES ($1, $2, $3, $4, $5, $6, (SELECT id FROM officers WHERE id = $7), $8, $9)
                    ON CONFLICT (handoff_id) DO NOTHING
                    """,
                    opening.handoff_id,
                    opening.case_no,
                    opening.attempt,
                    opening.province_code,
                    opening.station_id,
                    opening.forwarded_at,
                    # An officer since removed from the directory stays named on the timeline only.
                    opening.forwarded_by.officer_id,
                    opening.forward_note,
                    opened.accept_due_at,
                )
            except asyncpg.ForeignKeyViolationError as error:
                raise ApplicationError(
                    f"hand-off {opening.handoff_id} refers to an unknown {error.constraint_name}",
                    type="UnknownReference",
                    non_retryable=True,
                ) from None
            except asyncpg.UniqueViolationError:
                raise ApplicationError(
                    f"hand-off {opening.handoff_id}: case {opening.case_no} already has attempt {opening.attempt}",
                    type="HandoffAttemptTaken",
                    non_retryable=True,
                ) from None
            await _insert_event(
                connection,
                HandoffEvent(
                    key=f"{opening.handoff_id}:opened",
                    handoff_id=opening.handoff_id,
                    case_no=opening.case_no,
                    kind=OPENED,
                    at=opening.forwarded_at,
                    actor=f"officer:{opening.forwarded_by.officer_id}",
                    details={
                        "incident_type": report.incident_type.code if report.incident_type else None,
                        "attempt": opening.attempt,
                        "province_code": opening.province_code,
                        "district_code": report.place.district_code,
                    },
                ),
            )

    @activity.defn(name="append_handoff_event")
    async def append_handoff_event(self, event: HandoffEvent) -> None:
        """Adds a timeline entry once, and the hand-off row and its care plan follow it: ESCALATED
        raises the level, CONSENT records the reporter's answer, ACCEPTED / REJECTED / CLOSED move the
        status, ASSIGNED names the case worker, PLANNED and RECORDED write a follow-up; other kinds
        are timeline only. A retry of an entry already written changes nothing."""
        async with self._pool.acquire() as connection, connection.transaction():
            if not await _insert_event(connection, event):
                return
            await _check_members_exist(connection, event)
            try:
                await _follow_event(connection, event)
            except asyncpg.ForeignKeyViolationError as error:
                if error.constraint_name in _MEMBER_REFERENCES:
                    raise ApplicationError(
                        f"{event.kind} on hand-off {event.handoff_id} names an unknown team member",
                        type="UnknownTeamMember",
                        non_retryable=True,
                    ) from None
                raise _bad_event(event, f"refers to an unknown {error.constraint_name}") from None
            except asyncpg.CheckViolationError as error:
                raise _bad_event(event, f"breaks the rule {error.constraint_name}") from None

    @activity.defn(name="team_accept_minutes")
    async def team_accept_minutes(self) -> int:
        """How long the team has to accept a hand-off, as the administrators set it."""
        async with self._pool.acquire() as connection:
            minutes = await connection.fetchval("SELECT minutes FROM service_levels WHERE code = $1", TEAM_ACCEPT_LEVEL)
        return minutes if minutes is not None else DEFAULT_TEAM_ACCEPT_MINUTES


async def _insert_event(connection: asyncpg.Connection, event: HandoffEvent) -> bool:
    """True when written now, False when an earlier attempt already wrote it."""
    try:
        return await insert_entry(connection, "handoff_events", event.handoff_id, event.key, event.kind, event.at,
                                  event.actor, event.details)
    except asyncpg.ForeignKeyViolationError:
        raise ApplicationError(
            f"no hand-off {event.handoff_id} for timeline entry {event.kind}", type="UnknownHandoff", non_retryable=True
        ) from None


async def _check_members_exist(connection: asyncpg.Connection, event: HandoffEvent) -> None:
    """The members an entry names (who acted, the case worker) are in the directory."""
    named = {
        value for value in (_optional_int(event, "member_id"), _optional_int(event, "case_worker_id"))
        if value is not None
    }
    if not named:
        return
    known = await connection.fetchval("SELECT count(*) FROM team_members WHERE id = ANY($1::int[])", list(named))
    if known != len(named):
        raise ApplicationError(
            f"{event.kind} on hand-off {event.handoff_id} names an unknown team member",
            type="UnknownTeamMember",
            non_retryable=True,
        )


async def _follow_event(connection: asyncpg.Connection, event: HandoffEvent) -> None:
    """Brings the hand-off row and its follow-ups in line with a timeline entry just written.
    Entries may be written late (a retry after an outage): one never undoes a later one."""
    details = event.details
    if event.kind == ESCALATED:
        await connection.execute(
            "UPDATE handoffs SET escalation_level = greatest(escalation_level, $2) WHERE handoff_id = $1",
            event.handoff_id,
            _required_int(event, "level"),
        )
    elif event.kind == CONSENT:
        consent = _enum_detail(event, "consent", Consent)
        if not await _newer_event_exists(connection, event, CONSENT):
            await connection.execute(
                "UPDATE handoffs SET consent = $2 WHERE handoff_id = $1", event.handoff_id, consent.value
            )
    elif event.kind == ACCEPTED:
        member_id = _required_int(event, "member_id")
        case_worker_id = _optional_int(event, "case_worker_id") or member_id
        await connection.execute(
            """
            UPDATE handoffs SET
                status = CASE WHEN status = $5 THEN $6 ELSE status END,
                accepted_at = coalesce(accepted_at, $2), accepted_by = coalesce(accepted_by, $3),
                case_worker_id = CASE WHEN $7 THEN case_worker_id ELSE $4 END
            WHERE handoff_id = $1
            """,
            event.handoff_id,
            event.at,
            member_id,
            case_worker_id,
            HandoffStatus.AWAITING.value,
            HandoffStatus.IN_CARE.value,
            await _newer_event_exists(connection, event, ACCEPTED, ASSIGNED),
        )
    elif event.kind == REJECTED:
        _required_int(event, "member_id")
        await connection.execute(
            """
            UPDATE handoffs SET status = $4, rejected_at = $2, reject_reason = $3
            WHERE handoff_id = $1 AND status = $5
            """,
            event.handoff_id,
            event.at,
            details.get("reason"),
            HandoffStatus.REJECTED.value,
            HandoffStatus.AWAITING.value,
        )
    elif event.kind == ASSIGNED:
        _required_int(event, "member_id")
        case_worker_id = _required_int(event, "case_worker_id")
        if not await _newer_event_exists(connection, event, ACCEPTED, ASSIGNED):
            await connection.execute(
                "UPDATE handoffs SET case_worker_id = $2 WHERE handoff_id = $1", event.handoff_id, case_worker_id
            )
    elif event.kind == PLANNED:
        await _plan_follow_up(connection, event)
    elif event.kind == RECORDED:
        _required_int(event, "member_id")
        number = _required_int(event, "number")
        found = await connection.fetchval(
            """
            UPDATE follow_ups SET status = $4, outcome = $3, recorded_at = $5
            WHERE handoff_id = $1 AND number = $2
            RETURNING number
            """,
            event.handoff_id,
            number,
            details.get("outcome"),
            FollowUpStatus.DONE.value,
            event.at,
        )
        if found is None:
            raise ApplicationError(
                f"{RECORDED} on hand-off {event.handoff_id}: no follow-up {number}",
                type="UnknownFollowUp",
                non_retryable=True,
            )
    elif event.kind == CLOSED:
        _required_int(event, "member_id")
        outcome = _enum_detail(event, "outcome", CareOutcome)
        await connection.execute(
            """
            UPDATE handoffs SET status = $2, closed_at = $3, care_outcome = $4, care_note = $5
            WHERE handoff_id = $1
            """,
            event.handoff_id,
            HandoffStatus.CLOSED.value,
            event.at,
            outcome.value,
            details.get("note"),
        )
        await connection.execute(
            "UPDATE follow_ups SET status = $2 WHERE handoff_id = $1 AND status = $3",
            event.handoff_id,
            FollowUpStatus.CANCELLED.value,
            FollowUpStatus.PLANNED.value,
        )
    # Every other kind (ALERTED, REMINDED, NOTE, REPORTER_TOLD, ...) is timeline only.


async def _plan_follow_up(connection: asyncpg.Connection, event: HandoffEvent) -> None:
    """A new follow-up; one planned after the care was closed (written late) is cancelled at once."""
    due_text = event.details.get("due_at")
    try:
        due_at = datetime.fromisoformat(str(due_text))
    except ValueError:
        raise _bad_event(event, "has no readable due_at") from None
    if due_at.tzinfo is None:
        raise _bad_event(event, "has a due_at without a time zone")
    await connection.execute(
        """
        INSERT INTO follow_ups (handoff_id, number, kind, due_at, note, planned_by, planned_at, status)
        SELECT $1, $2, $3, $4, $5, $6, $7,
               CASE WHEN h.status = $9 THEN $10 ELSE $8 END
        FROM handoffs AS h WHERE h.handoff_id = $1
        ON CONFLICT (handoff_id, number) DO NOTHING
        """,
        event.handoff_id,
        _required_int(event, "number"),
        _enum_detail(event, "kind", FollowUpKind).value,
        due_at,
        event.details.get("note") or "",
        _required_int(event, "member_id"),
        event.at,
        FollowUpStatus.PLANNED.value,
        HandoffStatus.CLOSED.value,
        FollowUpStatus.CANCELLED.value,
    )


async def _newer_event_exists(connection: asyncpg.Connection, event: HandoffEvent, *kinds: str) -> bool:
    """An entry written late (a retry after a long outage) must not undo a later one."""
    newer: bool = await connection.fetchval(
        """
        SELECT EXISTS (
            SELECT 1 FROM handoff_events
            WHERE handoff_id = $1 AND kind = ANY($2::text[]) AND at > $3 AND event_key <> $4
        )
        """,
        event.handoff_id,
        list(kinds),
        event.at,
        event.key,
    )
    return newer


def _bad_event(event: HandoffEvent, problem: str) -> ApplicationError:
    return ApplicationError(
        f"{event.kind} on hand-off {event.handoff_id} {problem}", type="BadHandoffEvent", non_retryable=True
    )


def _optional_int(event: HandoffEvent, name: str) -> int | None:
    value = event.details.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad_event(event, f"has a {name} that is not a number") from None


def _required_int(event: HandoffEvent, name: str) -> int:
    value = _optional_int(event, name)
    if value is None:
        raise _bad_event(event, f"lacks {name}")
    return value


def _enum_detail(event: HandoffEvent, name: str, enum: type[EnumValue]) -> EnumValue:
    """The detail `name` as a member of `enum`."""
    try:
        return enum(str(event.details.get(name)))
    except ValueError:
        raise _bad_event(event, f"names no known {name}") from None
