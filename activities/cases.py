"""The case store in PostgreSQL: case numbers, the case read model and its timeline.

Every activity here may run more than once (Temporal retries it after a crash or a timeout):
each write is keyed so that running it again changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
import pydantic
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.metrics import ESCALATIONS, UNRECORDED_REPORTS
from database import audit, cases, dead_letters, handed_over, release_steps
from database.timeline import insert_entry
from domain.case_rules import ENDED_BY_POLICE, IN_PROGRESS
from domain.case_timeline import (
    Alerted,
    Escalated,
    HandoffAccepted,
    Reassigned,
    Reported,
    ReporterWrote,
    ReviewFlagged,
    Routed,
    StatusChanged,
    TimelineEntry,
    TimelineEvent,
    event_from_details,
)
from domain.handed_over import HandedOverCase
from domain.models import (
    AttachmentRequest,
    CaseEvent,
    CaseJurisdiction,
    CaseNumberRequest,
    CaseOpening,
    CaseStatus,
    IncidentType,
    LineActionTaken,
    Location,
    RecentCase,
    RecentCaseRequest,
    RefusedView,
    Report,
)
from domain.phone import read_phone_number
from domain.unrecorded_reports import UnrecordedReport
from places.geography import place_of

CASE_NUMBER_PREFIX = "ESS"
logger = logging.getLogger(__name__)

T = TypeVar("T")
# (content bytes, content type) of a LINE message's photo/video/audio/file.
DownloadContent = Callable[[str], Awaitable[tuple[bytes, str]]]


def format_case_number(year: int, seq: int) -> str:
    """ESS-2026-000123: short enough to read aloud on the phone."""
    return f"{CASE_NUMBER_PREFIX}-{year}-{seq:06d}"


class CaseStore:
    def __init__(self, pool: asyncpg.Pool, download_content: DownloadContent) -> None:
        self._pool = pool
        self._download_content = download_content

    @activity.defn(name="allocate_case_number")
    async def allocate_case_number(self, request: CaseNumberRequest) -> str:
        """The conversation's case number; the same conversation always gets the same one."""
        async with self._pool.acquire() as connection, connection.transaction():
            # Allocations of one year queue on the year's counter row. Holding its lock, a retry
            # that raced its own first attempt sees the number that attempt committed.
            await connection.execute(
                "INSERT INTO case_number_counters (year) VALUES ($1) ON CONFLICT (year) DO NOTHING", request.year
            )
            await connection.execute("SELECT 1 FROM case_number_counters WHERE year = $1 FOR UPDATE", request.year)
            existing = await _case_number_of(connection, request.conversation_id)
            if existing is not None:
                return existing
            seq = await connection.fetchval(
                "UPDATE case_number_counters SET last_value = last_value + 1 WHERE year = $1 RETURNING last_value",
                request.year,
            )
            await connection.execute(
                "INSERT INTO case_numbers (case_no, conversation_id, year, seq) VALUES ($1, $2, $3, $4)",
                format_case_number(request.year, seq),
                request.conversation_id,
                request.year,
                seq,
            )
            return format_case_number(request.year, seq)

    @activity.defn(name="record_case_opened")
    async def record_case_opened(self, opening: CaseOpening) -> None:
        """The case row and its REPORTED timeline entry; running it again changes nothing."""
        report = opening.report
        async with self._pool.acquire() as connection, connection.transaction():
            try:
                await connection.execute(
                    """
                    INSERT INTO cases (
                        case_no, conversation_id, reporter_key, line_user_id, language,
                        incident_type_code, status, complete, phone_e164,
                        latitude, longitude, location_title, location_address,
                        province_code, district_code, reported_at
                    ) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                    ON CONFLICT (case_no) DO NOTHING
                    """,
                    opening.case_no,
                    opening.conversation_id,
                    opening.reporter.reporter_key,
                    opening.reporter.user_id,
                    opening.reporter.language.value,
                    report.incident_type.code if report.incident_type else None,
                    CaseStatus.NEW.value,
                    report.complete,
                    report.phone.e164 if report.phone and report.phone.valid else None,
                    report.location.latitude,
                    report.location.longitude,
                    report.location.title,
                    report.location.address,
                    report.place.province_code,
                    report.place.district_code,
                    report.reported_at,
                )
            except asyncpg.ForeignKeyViolationError as error:
                raise ApplicationError(
                    f"case {opening.case_no} refers to an unknown {error.constraint_name}",
                    type="UnknownReference",
                    non_retryable=True,
                ) from None
            except asyncpg.UniqueViolationError:
                raise ApplicationError(
                    f"case {opening.case_no}: its conversation already has another case",
                    type="ConversationHasCase",
                    non_retryable=True,
                ) from None
            except asyncpg.CheckViolationError as error:  # the database refuses the report as it is
                raise ApplicationError(
                    f"case {opening.case_no} breaks the rule {error.constraint_name}",
                    type="ReportRefused",
                    non_retryable=True,
                ) from None
            await _insert_entry(connection, TimelineEntry(
                key=f"{opening.case_no}:reported", case_no=opening.case_no, at=report.reported_at, actor="reporter",
                event=Reported(
                    incident_type=report.incident_type.code if report.incident_type else None,
                    complete=report.complete, province_code=report.place.province_code,
                    district_code=report.place.district_code, phone_declined=report.phone_declined,
                    steps=[{"step": step.step, "at": step.at.isoformat()} for step in report.steps],
                    repeat_of=report.repeat_of or None,
                ),
            ))
            # What the reporter wrote beside the answers: on the timeline as their messages are.
            for n, note in enumerate(report.notes):
                await _insert_entry(connection, TimelineEntry(
                    key=f"{opening.case_no}:note:{n}", case_no=opening.case_no, at=note.at, actor="reporter",
                    event=ReporterWrote(message_type="text", text=note.text, during_step=note.step),
                ))

    @activity.defn(name="append_case_event")
    async def append_case_event(self, entry: TimelineEntry | CaseEvent) -> None:
        """Adds a timeline entry once, and the case row follows it: a status change moves the status
        (and stamps acknowledgement or outcome), the team's acceptance hands the case over (HANDED_OVER),
        a routing or reassignment the station, an escalation the escalation level, a review flag the
        flag, an alert whom the ladder reached. Other kinds
        are timeline only. An entry in the old shape (a kind and a dict, from a caller written before
        the typed entries) is kept as it came and read for what it does to the row."""
        if isinstance(entry, CaseEvent):
            kind, details, event = entry.kind, entry.details, _read_old_shape(entry)
        else:
            kind, details, event = entry.event.kind, entry.event.details(), entry.event
        async with self._pool.acquire() as connection, connection.transaction():
            with _refused_for_good(f"{kind} on case {entry.case_no} was refused"):
                inserted = await _insert_timeline_row(connection, entry.case_no, entry.key, kind, entry.at,
                                                      entry.actor, details)
            if not inserted or event is None:
                return
            try:
                await _follow_event(connection, entry.case_no, entry.at, event)
            except (asyncpg.ForeignKeyViolationError, asyncpg.CheckViolationError) as error:
                raise ApplicationError(
                    f"{kind} on case {entry.case_no} breaks the rule {error.constraint_name}",
                    type="UnknownReference",
                    non_retryable=True,
                ) from None
        if isinstance(event, Escalated):  # counted once, when the entry is first written
            ESCALATIONS.labels(str(event.level)).inc()

    @activity.defn(name="case_jurisdiction")
    async def case_jurisdiction(self, case_no: str) -> CaseJurisdiction | None:
        """Where a case belongs (its station, else the province it was reported in); None for no such case."""
        async with self._pool.acquire() as connection:
            return await cases.case_jurisdiction(connection, case_no)

    @activity.defn(name="record_refused_view")
    async def record_refused_view(self, refused: RefusedView) -> None:
        """Writes to the audit log that an officer was refused a case, once per tap."""
        async with self._pool.acquire() as connection:
            await audit.record_refused_view(connection, refused)

    @activity.defn(name="record_line_action")
    async def record_line_action(self, taken: LineActionTaken) -> None:
        """Writes to the audit log, under the officer, an action they took from LINE, once per tap."""
        async with self._pool.acquire() as connection:
            with _refused_for_good(f"{taken.kind} on case {taken.case_no} could not be audited"):
                await audit.record_line_action(connection, taken.officer_id, taken.case_no, taken.kind,
                                               taken.event_id)

    @activity.defn(name="find_open_case")
    async def find_open_case(self, reporter_key: str) -> str | None:
        """The reporter's newest case still in progress, to attach later messages to it."""
        async with self._pool.acquire() as connection:
            case_no: str | None = await connection.fetchval(
                """
                SELECT case_no FROM cases
                WHERE reporter_key = $1 AND status = ANY($2::text[])
                ORDER BY opened_at DESC, case_no DESC
                LIMIT 1
                """,
                reporter_key,
                [status.value for status in IN_PROGRESS],
            )
            return case_no

    @activity.defn(name="find_recent_case")
    async def find_recent_case(self, request: RecentCaseRequest) -> RecentCase | None:
        """The reporter's newest case that is still open or ended since `ended_since`, with its
        report as recorded: to follow it up, or to report the same again."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                """
                SELECT c.case_no, c.status, c.closed_at, c.complete, c.reported_at, c.phone_e164, c.latitude,
                       c.longitude, c.location_title, c.location_address, c.province_code, c.district_code,
                       t.code, t.label_th, t.label_en, t.escalation
                FROM cases AS c LEFT JOIN incident_types AS t ON t.code = c.incident_type_code
                WHERE c.reporter_key = $1 AND (c.closed_at IS NULL OR c.closed_at >= $2)
                ORDER BY c.opened_at DESC, c.case_no DESC
                LIMIT 1
                """,
                request.reporter_key,
                request.ended_since,
            )
        if row is None or row["latitude"] is None:  # none, or anonymised
            return None
        incident_type = (IncidentType(code=row["code"], label_th=row["label_th"], label_en=row["label_en"],
                                      escalation=row["escalation"] or []) if row["code"] else None)
        report = Report(
            incident_type=incident_type,
            location=Location(latitude=row["latitude"], longitude=row["longitude"], title=row["location_title"],
                              address=row["location_address"]),
            place=place_of(row["province_code"], row["district_code"]),
            phone=read_phone_number(row["phone_e164"]) if row["phone_e164"] else None,
            complete=row["complete"],
            reported_at=row["reported_at"],
        )
        return RecentCase(case_no=row["case_no"], status=row["status"], ended_at=row["closed_at"], report=report)

    @activity.defn(name="keep_unrecorded_report")
    async def keep_unrecorded_report(self, unrecorded: UnrecordedReport) -> int:
        """Keeps a report the conversation could not record in the dead-letter table, once per
        conversation's report; its id. Logged and counted when first kept, without personal data."""
        async with self._pool.acquire() as connection:
            kept_id, first_time = await dead_letters.keep(connection, unrecorded)
        if first_time:
            UNRECORDED_REPORTS.labels(unrecorded.reason).inc()
            logger.error("report not recorded (%s): kept as unrecorded report %d for an operator to replay "
                         "(python -m tools.dead_letters)", unrecorded.reason, kept_id)
        return kept_id

    @activity.defn(name="find_handed_over_case")
    async def find_handed_over_case(self, reporter_key: str) -> HandedOverCase | None:
        """The reporter's latest case when the province's team has accepted it, with its hand-off and
        the reporter's consent: where what they write now goes."""
        async with self._pool.acquire() as connection:
            return await handed_over.latest_handed_over(connection, reporter_key)

    @activity.defn(name="save_attachment")
    async def save_attachment(self, request: AttachmentRequest) -> int:
        """Downloads a photo/video/audio/file from LINE once and keeps it with the case."""
        async with self._pool.acquire() as connection:
            existing: int | None = await connection.fetchval(
                "SELECT id FROM case_attachments WHERE event_key = $1", request.key
            )
        if existing is not None:
            return existing
        # Outside any transaction: the download may take seconds and must not hold a connection.
        content, content_type = await _heartbeating(self._download_content(request.message_id))
        async with self._pool.acquire() as connection:
            try:
                attachment_id: int | None = await connection.fetchval(
                    """
                    INSERT INTO case_attachments
                        (case_no, event_key, line_message_id, content_type, content, received_at)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (event_key) DO NOTHING
                    RETURNING id
                    """,
                    request.case_no,
                    request.key,
                    request.message_id,
                    content_type,
                    content,
                    request.received_at,
                )
            except asyncpg.ForeignKeyViolationError:
                raise ApplicationError(
                    f"no case {request.case_no} to attach to", type="UnknownCase", non_retryable=True
                ) from None
            if attachment_id is None:  # an earlier attempt stored it while this one downloaded
                stored: int = await connection.fetchval(
                    "SELECT id FROM case_attachments WHERE event_key = $1", request.key
                )
                return stored
        return attachment_id


async def _heartbeating(work: Awaitable[T], every: float = 5.0) -> T:
    """Tells Temporal the attempt is alive while `work` runs (a video takes a while to download),
    so a worker that died mid-download is noticed in seconds, not at the attempt's timeout."""
    task = asyncio.ensure_future(work)
    try:
        while activity.in_activity():
            done, _ = await asyncio.wait({task}, timeout=every)
            if done:
                break
            activity.heartbeat()
        return await task
    finally:
        task.cancel()  # the attempt was cancelled (e.g. timed out): the download goes with it


async def _case_number_of(connection: asyncpg.Connection, conversation_id: str) -> str | None:
    case_no: str | None = await connection.fetchval("SELECT case_no FROM case_numbers WHERE conversation_id = $1",
                                                    conversation_id)
    return case_no


async def _insert_entry(connection: asyncpg.Connection, entry: TimelineEntry) -> bool:
    return await _insert_timeline_row(connection, entry.case_no, entry.key, entry.event.kind, entry.at, entry.actor,
                                      entry.event.details())


async def _insert_timeline_row(connection: asyncpg.Connection, case_no: str, key: str, kind: str, at: datetime,
                               actor: str, details: dict[str, Any]) -> bool:
    """True when written now, False when an earlier attempt already wrote it."""
    try:
        return await insert_entry(connection, "case_events", case_no, key, kind, at, actor, details)
    except asyncpg.ForeignKeyViolationError:
        raise ApplicationError(
            f"no case {case_no} for timeline entry {kind}", type="UnknownCase", non_retryable=True
        ) from None


async def _follow_event(connection: asyncpg.Connection, case_no: str, at: datetime, event: TimelineEvent) -> None:
    """Brings the case row in line with a timeline entry just written, from its event's own fields."""
    new_status: CaseStatus | None = None
    # The team's acceptance moves the status too (HANDED_OVER): a status entry written late, after it,
    # must not undo it, nor it a later status.
    if isinstance(event, StatusChanged) and not await _newer_entry_exists(connection, case_no, at, "STATUS_CHANGED",
                                                                          "HANDOFF_ACCEPTED"):
        new_status = event.status  # else only the timeline learns about it
    elif (isinstance(event, HandoffAccepted)
          and not await _newer_entry_exists(connection, case_no, at, "STATUS_CHANGED")
          # Until the previous release is gone (it cannot read HANDED_OVER) the row stays FORWARDED;
          # completing the release step moves it then.
          and await release_steps.is_done(connection, release_steps.HANDED_OVER_STATUS)):
        new_status = CaseStatus.HANDED_OVER
    await connection.execute(
        "UPDATE cases SET updated_at = greatest(updated_at, now()), status = coalesce($2, status) WHERE case_no = $1",
        case_no,
        new_status.value if new_status else None,
    )
    match event:
        case StatusChanged(status=CaseStatus.ACKNOWLEDGED):
            # The first acknowledgement counts (the escalation stopped then), even when written late.
            # An officer since removed from the directory stays named on the timeline only.
            await connection.execute(
                """
                UPDATE cases SET acknowledged_at = $2, acknowledged_by = (SELECT id FROM officers WHERE id = $3)
                WHERE case_no = $1 AND acknowledged_at IS NULL
                """,
                case_no,
                at,
                event.officer_id,
            )
        case StatusChanged() if new_status == CaseStatus.RETURNED:
            # Open again: the forward's stamp no longer stands; the team's reason is on the timeline.
            await connection.execute("UPDATE cases SET closed_at = NULL, outcome_note = NULL WHERE case_no = $1",
                                     case_no)
        case StatusChanged() | HandoffAccepted() if new_status == CaseStatus.HANDED_OVER:
            # The police part ended with the forward: its stamp and the officer's note stand.
            await connection.execute("UPDATE cases SET closed_at = coalesce(closed_at, $2) WHERE case_no = $1",
                                     case_no, at)
        case StatusChanged() if new_status in ENDED_BY_POLICE:
            await connection.execute(
                "UPDATE cases SET closed_at = $2, outcome_note = $3 WHERE case_no = $1",
                case_no,
                at,
                event.note,
            )
        case Routed() | Reassigned():
            # A routing written late must not undo a later reassignment.
            if await _newer_entry_exists(connection, case_no, at, "ROUTED", "REASSIGNED"):
                return
            await connection.execute(
                """
                UPDATE cases SET station_id = $2, centre_id = CASE WHEN $5 THEN $3 ELSE centre_id END,
                                 routing_method = $4
                WHERE case_no = $1
                """,
                case_no,
                event.station_id,
                event.centre_id if isinstance(event, Routed) else None,
                event.method if isinstance(event, Routed) else "reassigned",
                isinstance(event, Routed),  # a reassignment keeps the province's centre
            )
        case Escalated():
            await connection.execute(
                "UPDATE cases SET escalation_level = greatest(escalation_level, $2) WHERE case_no = $1",
                case_no,
                event.level,
            )
        case ReviewFlagged():
            await connection.execute("UPDATE cases SET review_flag = true WHERE case_no = $1", case_no)
        case Alerted():
            # Whom the ladder reached so far: a rung with no officer_ids reached nobody.
            await connection.execute(
                "UPDATE cases SET officers_reached = officers_reached + $2, "
                "first_alerted_at = least(first_alerted_at, $3) WHERE case_no = $1",
                case_no, len(event.officer_ids), at,
            )


async def _newer_entry_exists(connection: asyncpg.Connection, case_no: str, at: datetime, *kinds: str) -> bool:
    """An entry written late (a retry after a long outage) must not undo a later one."""
    newer: bool = await connection.fetchval(
        "SELECT EXISTS (SELECT 1 FROM case_events WHERE case_no = $1 AND kind = ANY($2::text[]) AND at > $3)",
        case_no,
        list(kinds),
        at,
    )
    return newer


def _read_old_shape(event: CaseEvent) -> TimelineEvent | None:
    """An old-shaped entry read into its event; one the row cannot follow is refused for good."""
    try:
        return event_from_details(event)
    except pydantic.ValidationError as error:
        fields = sorted({str(problem["loc"][0]) for problem in error.errors() if problem["loc"]})
        raise ApplicationError(
            f"{event.kind} on case {event.case_no}: {', '.join(fields) or 'its details'} missing or malformed",
            type="BadCaseEvent",
            non_retryable=True,
        ) from None


@contextmanager
def _refused_for_good(what: str) -> Iterator[None]:
    """A row the database refuses by a rule or for its data is a bug of ours, not a blip: retrying
    would be refused for ever and hold up the case, so it fails once, non-retryable."""
    try:
        yield
    except (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError) as error:
        raise ApplicationError(f"{what} ({type(error).__name__})", type="UnrecordableEntry",
                               non_retryable=True) from None
