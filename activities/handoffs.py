"""The hand-off store in PostgreSQL: the hand-off read model, its own timeline and its care plan.

Every activity here may run more than once (Temporal retries it after a crash or a timeout):
each write is keyed so that running it again changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import pydantic
from temporalio import activity
from temporalio.exceptions import ApplicationError

from database.timeline import insert_entry
from domain.handoff import FollowUpKind, FollowUpStatus, HandoffEvent, HandoffOpened, HandoffStatus
from domain.handoff_timeline import (
    Accepted,
    ApprovalGiven,
    ApprovalRequested,
    ApprovalWithdrawn,
    Assigned,
    BaseHandoffEvent,
    ByMember,
    ConsentAnswered,
    Escalated,
    FollowUpMoved,
    FollowUpPlanned,
    FollowUpRecorded,
    HandoffClosed,
    HandoffTimelineEntry,
    HandoffTimelineEvent,
    Opened,
    ReferralAnswered,
    Referred,
    Rejected,
    RiskAssessed,
    SentBack,
    TransferAccepted,
    TransferDeclined,
    TransferRequested,
    event_from_details,
)

TEAM_ACCEPT_LEVEL = "TEAM_ACCEPT"
DEFAULT_TEAM_ACCEPT_MINUTES = 24 * 60
# Foreign keys naming a team member: breaking one means the workflow sent an unknown member id.
_MEMBER_REFERENCES = frozenset(
    {"handoffs_accepted_by_fkey", "handoffs_case_worker_id_fkey", "follow_ups_planned_by_fkey",
     "care_approvals_requested_by_fkey", "care_approvals_answered_by_fkey", "referrals_referred_by_fkey",
     "handoff_transfers_requested_by_fkey", "handoff_transfers_answered_by_fkey"}
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
            event = Opened(
                incident_type=report.incident_type.code if report.incident_type else None,
                attempt=opening.attempt,
                province_code=opening.province_code,
                district_code=report.place.district_code,
            )
            await _insert_timeline_row(connection, opening.handoff_id, f"{opening.handoff_id}:opened", event.kind,
                                       opening.forwarded_at, f"officer:{opening.forwarded_by.officer_id}",
                                       event.details())

    @activity.defn(name="append_handoff_event")
    async def append_handoff_event(self, entry: HandoffTimelineEntry | HandoffEvent) -> None:
        """Adds a timeline entry once, and the hand-off row and its care plan follow it, from the event's
        own fields: an escalation raises the level, the reporter's answer sets the consent, an acceptance,
        a rejection or a closing moves the status, an acceptance or an assignment names the case worker,
        a follow-up planned or recorded writes the care plan; other kinds are timeline only. A retry of an
        entry already written changes nothing. An entry in the old shape (a kind and a dict, from a caller
        written against it) is kept as it came and read for what it does to the hand-off."""
        if isinstance(entry, HandoffEvent):
            kind, details = entry.kind, entry.details
        else:
            kind, details = entry.event.kind, entry.event.details()
        async with self._pool.acquire() as connection, connection.transaction():
            if not await _insert_timeline_row(connection, entry.handoff_id, entry.key, kind, entry.at, entry.actor,
                                              details):
                return
            event = _read_old_shape(entry) if isinstance(entry, HandoffEvent) else entry.event
            if event is None:
                return
            await _check_members_exist(connection, entry.handoff_id, event)
            try:
                await _follow_event(connection, entry.handoff_id, entry.key, entry.at, event)
            except asyncpg.ForeignKeyViolationError as error:
                if error.constraint_name in _MEMBER_REFERENCES:
                    raise ApplicationError(
                        f"{kind} on hand-off {entry.handoff_id} names an unknown team member",
                        type="UnknownTeamMember",
                        non_retryable=True,
                    ) from None
                raise _bad_event(kind, entry.handoff_id, f"refers to an unknown {error.constraint_name}") from None
            except asyncpg.CheckViolationError as error:
                raise _bad_event(kind, entry.handoff_id, f"breaks the rule {error.constraint_name}") from None

    @activity.defn(name="team_accept_minutes")
    async def team_accept_minutes(self) -> int:
        """How long the team has to accept a hand-off, as the administrators set it."""
        async with self._pool.acquire() as connection:
            minutes = await connection.fetchval("SELECT minutes FROM service_levels WHERE code = $1", TEAM_ACCEPT_LEVEL)
        return minutes if minutes is not None else DEFAULT_TEAM_ACCEPT_MINUTES


async def _insert_timeline_row(connection: asyncpg.Connection, handoff_id: str, key: str, kind: str, at: datetime,
                               actor: str, details: dict[str, Any]) -> bool:
    """True when written now, False when an earlier attempt already wrote it."""
    try:
        return await insert_entry(connection, "handoff_events", handoff_id, key, kind, at, actor, details)
    except asyncpg.ForeignKeyViolationError:
        raise ApplicationError(
            f"no hand-off {handoff_id} for timeline entry {kind}", type="UnknownHandoff", non_retryable=True
        ) from None


async def _check_members_exist(connection: asyncpg.Connection, handoff_id: str, event: HandoffTimelineEvent) -> None:
    """The members an entry names (who acted, the case worker) are in the directory."""
    named: set[int] = set()
    if isinstance(event, ByMember):
        named.add(event.member_id)
    if isinstance(event, Accepted | Assigned | TransferAccepted):
        named.add(event.case_worker_id)
    if not named:
        return
    known = await connection.fetchval("SELECT count(*) FROM team_members WHERE id = ANY($1::int[])", list(named))
    if known != len(named):
        raise ApplicationError(
            f"{event.kind} on hand-off {handoff_id} names an unknown team member",
            type="UnknownTeamMember",
            non_retryable=True,
        )


async def _follow_event(connection: asyncpg.Connection, handoff_id: str, key: str, at: datetime,
                        event: HandoffTimelineEvent) -> None:
    """Brings the hand-off row and its follow-ups in line with a timeline entry just written, from its
    event's own fields. Entries may be written late (a retry after an outage): one never undoes a later one."""
    match event:
        case Escalated():
            await connection.execute(
                "UPDATE handoffs SET escalation_level = greatest(escalation_level, $2) WHERE handoff_id = $1",
                handoff_id,
                event.level,
            )
        case ConsentAnswered():
            if not await _newer_entry_exists(connection, handoff_id, key, at, ConsentAnswered):
                await connection.execute(
                    "UPDATE handoffs SET consent = $2 WHERE handoff_id = $1", handoff_id, event.consent.value
                )
        case Accepted():
            # Only a hand-off still waiting is taken into care; the first acceptance is the one kept.
            await connection.execute(
                """
                UPDATE handoffs SET
                    status = CASE WHEN status = $5 THEN $6 ELSE status END,
                    accepted_at = coalesce(accepted_at, $2), accepted_by = coalesce(accepted_by, $3),
                    case_worker_id = CASE WHEN $7 THEN case_worker_id ELSE $4 END
                WHERE handoff_id = $1
                """,
                handoff_id,
                at,
                event.member_id,
                event.case_worker_id,
                HandoffStatus.AWAITING.value,
                Accepted.status.value,
                await _newer_entry_exists(connection, handoff_id, key, at, Accepted, Assigned),
            )
        case Rejected():
            await connection.execute(
                """
                UPDATE handoffs SET status = $4, rejected_at = $2, reject_reason = $3
                WHERE handoff_id = $1 AND status = $5
                """,
                handoff_id,
                at,
                event.reason,
                Rejected.status.value,
                HandoffStatus.AWAITING.value,
            )
        case Assigned():
            if not await _newer_entry_exists(connection, handoff_id, key, at, Accepted, Assigned):
                await connection.execute(
                    "UPDATE handoffs SET case_worker_id = $2 WHERE handoff_id = $1", handoff_id, event.case_worker_id
                )
        case FollowUpPlanned():
            await _plan_follow_up(connection, handoff_id, at, event)
        case FollowUpRecorded():
            found = await connection.fetchval(
                """
                UPDATE follow_ups SET status = $4, outcome = $3, recorded_at = $5
                WHERE handoff_id = $1 AND number = $2
                RETURNING number
                """,
                handoff_id,
                event.number,
                event.outcome,
                FollowUpStatus.DONE.value,
                at,
            )
            if found is None:
                raise ApplicationError(
                    f"{event.kind} on hand-off {handoff_id}: no follow-up {event.number}",
                    type="UnknownFollowUp",
                    non_retryable=True,
                )
        case HandoffClosed():
            await connection.execute(
                """
                UPDATE handoffs SET status = $2, closed_at = $3, care_outcome = $4, care_note = $5
                WHERE handoff_id = $1
                """,
                handoff_id,
                HandoffClosed.status.value,
                at,
                event.outcome.value,
                event.note,
            )
            await connection.execute(
                "UPDATE follow_ups SET status = $2 WHERE handoff_id = $1 AND status = $3",
                handoff_id,
                FollowUpStatus.CANCELLED.value,
                FollowUpStatus.PLANNED.value,
            )
        case RiskAssessed():
            if not await _newer_entry_exists(connection, handoff_id, key, at, RiskAssessed):
                await connection.execute(
                    "UPDATE handoffs SET risk_level = $2, risk_assessed_at = $3 WHERE handoff_id = $1",
                    handoff_id,
                    event.assessment.level.value,
                    at,
                )
        case FollowUpMoved():
            await connection.execute(
                "UPDATE follow_ups SET due_at = $3 WHERE handoff_id = $1 AND number = $2 AND status = $4",
                handoff_id,
                event.number,
                event.due_at,
                FollowUpStatus.PLANNED.value,
            )
        case ApprovalRequested():
            await connection.execute(
                """
                INSERT INTO care_approvals (event_key, handoff_id, subject, requested_by, requested_at)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_key) DO NOTHING
                """,
                key,
                handoff_id,
                event.subject.value,
                event.member_id,
                at,
            )
        case ApprovalGiven() | SentBack() | ApprovalWithdrawn():
            # The oldest request of its kind still waiting is the one answered (one waits at a time).
            await connection.execute(
                """
                UPDATE care_approvals SET answer = $3, answered_by = $4, answered_at = $5, reason = $6
                WHERE event_key = (
                    SELECT event_key FROM care_approvals
                    WHERE handoff_id = $1 AND subject = $2 AND answer IS NULL AND requested_at <= $5
                    ORDER BY requested_at LIMIT 1
                )
                """,
                handoff_id,
                event.subject.value,
                {ApprovalGiven: "APPROVED", SentBack: "SENT_BACK", ApprovalWithdrawn: "WITHDRAWN"}[type(event)],
                event.member_id,
                at,
                event.reason if isinstance(event, SentBack) else None,
            )
        case Referred():
            await _plan_follow_up(connection, handoff_id, at, FollowUpPlanned(
                member_id=event.member_id, number=event.number, follow_up_kind=FollowUpKind.REFERRAL,
                due_at=event.due_at, note=event.note))
            await connection.execute(
                """
                INSERT INTO referrals (handoff_id, number, agency_id, agency_kind, agency_name_th, referred_by,
                                       referred_at, due_at)
                VALUES ($1, $2, (SELECT id FROM agencies WHERE id = $3), $4, $5, $6, $7, $8)
                ON CONFLICT (handoff_id, number) DO NOTHING
                """,
                handoff_id, event.number, event.agency_id, event.agency_kind.value, event.agency_name_th,
                event.member_id, at, event.due_at,
            )
        case ReferralAnswered():
            await connection.execute(
                "UPDATE referrals SET answer = $3, reason = $4, answered_at = $5 WHERE handoff_id = $1 AND number = $2",
                handoff_id, event.number, event.answer.value, event.reason, at,
            )
            await connection.execute(
                """
                UPDATE follow_ups SET status = $3, outcome = $4, recorded_at = $5
                WHERE handoff_id = $1 AND number = $2 AND status = $6
                """,
                handoff_id, event.number, FollowUpStatus.DONE.value, event.reason or event.answer.value, at,
                FollowUpStatus.PLANNED.value,
            )
        case TransferRequested():
            await connection.execute(
                """
                INSERT INTO handoff_transfers (event_key, handoff_id, from_province_code, to_province_code,
                                               requested_by, requested_at, accept_due_at, note)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_key) DO NOTHING
                """,
                key, handoff_id, event.from_province_code, event.to_province_code, event.member_id, at,
                event.accept_due_at, event.note,
            )
        case TransferAccepted():
            await _answer_transfer(connection, handoff_id, at, event, "ACCEPTED", None)
            await connection.execute(
                "UPDATE handoffs SET province_code = $2, case_worker_id = $3 WHERE handoff_id = $1",
                handoff_id, event.to_province_code, event.case_worker_id,
            )
        case TransferDeclined():
            await _answer_transfer(connection, handoff_id, at, event, "DECLINED", event.reason)
    # Every other kind (ALERTED, REMINDED, NOTE, REPORTER_TOLD, ...) is timeline only.


async def _answer_transfer(connection: asyncpg.Connection, handoff_id: str, at: datetime,
                           event: TransferAccepted | TransferDeclined, answer: str, reason: str | None) -> None:
    """The oldest offer to that province still waiting is the one answered (one waits at a time)."""
    await connection.execute(
        """
        UPDATE handoff_transfers SET answer = $3, answered_by = $4, answered_at = $5, reason = $6
        WHERE event_key = (SELECT event_key FROM handoff_transfers
                           WHERE handoff_id = $1 AND to_province_code = $2 AND answer IS NULL
                           ORDER BY requested_at LIMIT 1)
        """,
        handoff_id, event.to_province_code, answer, event.member_id, at, reason,
    )


async def _plan_follow_up(connection: asyncpg.Connection, handoff_id: str, at: datetime,
                          event: FollowUpPlanned) -> None:
    """A new follow-up; one planned after the care was closed (written late) is cancelled at once."""
    await connection.execute(
        """
        INSERT INTO follow_ups (handoff_id, number, kind, due_at, note, planned_by, planned_at, status)
        SELECT $1, $2, $3, $4, $5, $6, $7,
               CASE WHEN h.status = $9 THEN $10 ELSE $8 END
        FROM handoffs AS h WHERE h.handoff_id = $1
        ON CONFLICT (handoff_id, number) DO NOTHING
        """,
        handoff_id,
        event.number,
        event.follow_up_kind.value,
        event.due_at,
        event.note,
        event.member_id,
        at,
        FollowUpStatus.PLANNED.value,
        HandoffClosed.status.value,
        FollowUpStatus.CANCELLED.value,
    )


async def _newer_entry_exists(connection: asyncpg.Connection, handoff_id: str, key: str, at: datetime,
                              *kinds: type[BaseHandoffEvent]) -> bool:
    """An entry written late (a retry after a long outage) must not undo a later one."""
    newer: bool = await connection.fetchval(
        """
        SELECT EXISTS (
            SELECT 1 FROM handoff_events
            WHERE handoff_id = $1 AND kind = ANY($2::text[]) AND at > $3 AND event_key <> $4
        )
        """,
        handoff_id,
        [kind.kind_name() for kind in kinds],
        at,
        key,
    )
    return newer


def _read_old_shape(event: HandoffEvent) -> HandoffTimelineEvent | None:
    """An old-shaped entry read into its event; one the store cannot follow is refused for good."""
    try:
        return event_from_details(event)
    except pydantic.ValidationError as error:
        # The fields' names only: what they held may be personal (a note, a reason).
        fields = sorted({str(problem["loc"][1]) for problem in error.errors() if len(problem["loc"]) > 1})
        raise _bad_event(event.kind, event.handoff_id, f"has {', '.join(fields) or 'its details'} missing or malformed"
                         ) from None


def _bad_event(kind: str, handoff_id: str, problem: str) -> ApplicationError:
    return ApplicationError(f"{kind} on hand-off {handoff_id} {problem}", type="BadHandoffEvent", non_retryable=True)
