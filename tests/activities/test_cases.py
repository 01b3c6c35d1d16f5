"""The case store: numbers, the case row, its timeline and attachments — each safe to retry."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError

from activities.cases import CaseStore
from configuration.settings import Settings
from database.pool import create_pool
from domain.case_timeline import (
    Alerted,
    CaseTimelineEvent,
    Escalated,
    ReporterWrote,
    Routed,
    StatusChanged,
    TimelineEntry,
)
from domain.models import (
    ActionKind,
    AttachmentRequest,
    Audience,
    CaseEvent,
    CaseNumberRequest,
    CaseOpening,
    CaseStatus,
    IncidentType,
    Language,
    Location,
    OfficerRole,
    PhoneNumber,
    Place,
    Report,
    Reporter,
    ReporterNote,
    ReportStep,
)

REPORTED_AT = datetime(2026, 3, 14, 21, 5, tzinfo=UTC)


class LineContent:
    """Stands in for LINE's content endpoint: serves bytes per message id and counts downloads."""

    def __init__(self) -> None:
        self.downloads: list[str] = []

    async def download(self, message_id: str) -> tuple[bytes, str]:
        self.downloads.append(message_id)
        await asyncio.sleep(0.01)
        return f"photo {message_id}".encode(), "image/jpeg"


@pytest.fixture
def line_content() -> LineContent:
    return LineContent()


@pytest.fixture
def store(pool: asyncpg.Pool, line_content: LineContent) -> CaseStore:
    return CaseStore(pool, line_content.download)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def opening(case_no: str, *, reporter_key: str | None = None, complete: bool = True) -> CaseOpening:
    return CaseOpening(
        case_no=case_no,
        conversation_id=unique("conversation"),
        reporter=Reporter(user_id=unique("U"), reporter_key=reporter_key or unique("reporter"), language=Language.THAI),
        report=Report(
            incident_type=IncidentType(code="THREAT_ASSAULT", label_th="ข่มขู่จะทำร้าย / ทำร้าย", label_en="Threatened"),
            location=Location(latitude=13.72, longitude=100.58, title="ตลาดคลองเตย",
                              address="คลองเตย กรุงเทพมหานคร 10110"),
            place=Place(inside_thailand=True, province_code="10", district_code="1033"),
            phone=PhoneNumber(valid=True, e164="+66812345678", national="081-234-5678") if complete else None,
            complete=complete,
            reported_at=REPORTED_AT,
        ),
    )


async def opened_case(store: CaseStore, **kwargs: object) -> str:
    case_no = await store.allocate_case_number(CaseNumberRequest(conversation_id=unique("conversation"), year=2026))
    await store.record_case_opened(opening(case_no, **kwargs))
    return case_no


# --- case numbers ------------------------------------------------------------------------------


async def test_a_case_number_reads_aloud_as_prefix_year_and_six_digits(store: CaseStore) -> None:
    case_no = await store.allocate_case_number(CaseNumberRequest(conversation_id=unique("conversation"), year=2026))
    assert case_no.startswith("ESS-2026-")
    assert len(case_no.removeprefix("ESS-2026-")) == 6 and case_no[-6:].isdigit()


async def test_the_same_conversation_always_gets_the_same_number(store: CaseStore) -> None:
    request = CaseNumberRequest(conversation_id=unique("conversation"), year=2026)
    first = await store.allocate_case_number(request)
    assert await store.allocate_case_number(request) == first


async def test_concurrent_allocations_get_distinct_consecutive_numbers(store: CaseStore) -> None:
    year = 2100 + uuid.uuid4().int % 800  # a year no other test counts in
    requests = [CaseNumberRequest(conversation_id=unique("conversation"), year=year) for _ in range(20)]
    numbers = await asyncio.gather(*(store.allocate_case_number(r) for r in requests))
    assert sorted(numbers) == [f"ESS-{year}-{seq:06d}" for seq in range(1, 21)]


async def test_retries_racing_each_other_agree_on_one_number(store: CaseStore) -> None:
    year = 2100 + uuid.uuid4().int % 800
    request = CaseNumberRequest(conversation_id=unique("conversation"), year=year)
    numbers = await asyncio.gather(*(store.allocate_case_number(request) for _ in range(5)))
    assert set(numbers) == {f"ESS-{year}-000001"}
    # The racing attempts left no gap behind them.
    other = await store.allocate_case_number(CaseNumberRequest(conversation_id=unique("conversation"), year=year))
    assert other == f"ESS-{year}-000002"


async def test_each_year_counts_from_one(store: CaseStore) -> None:
    year = 2100 + uuid.uuid4().int % 800
    first = await store.allocate_case_number(CaseNumberRequest(conversation_id=unique("conversation"), year=year))
    assert first == f"ESS-{year}-000001"


# --- opening a case ----------------------------------------------------------------------------


async def test_an_opened_case_is_new_and_its_timeline_starts_with_the_report(
        store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    case = await pool.fetchrow("SELECT * FROM cases WHERE case_no = $1", case_no)
    assert case["status"] == "NEW"
    assert case["complete"] is True
    assert case["incident_type_code"] == "THREAT_ASSAULT"
    assert case["phone_e164"] == "+66812345678"
    assert (case["province_code"], case["district_code"]) == ("10", "1033")
    assert case["reported_at"] == REPORTED_AT
    timeline = await pool.fetch("SELECT event_key, kind, actor FROM case_events WHERE case_no = $1", case_no)
    assert [tuple(row) for row in timeline] == [(f"{case_no}:reported", "REPORTED", "reporter")]


async def test_recording_the_opening_again_changes_nothing(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await store.allocate_case_number(CaseNumberRequest(conversation_id=unique("conversation"), year=2026))
    the_opening = opening(case_no)
    await store.record_case_opened(the_opening)
    before = await pool.fetchrow("SELECT * FROM cases WHERE case_no = $1", case_no)
    await store.record_case_opened(the_opening)
    assert await pool.fetchrow("SELECT * FROM cases WHERE case_no = $1", case_no) == before
    assert await pool.fetchval("SELECT count(*) FROM case_events WHERE case_no = $1", case_no) == 1


async def test_the_reports_step_times_and_what_the_reporter_wrote_are_on_the_timeline_once(
    store: CaseStore, pool: asyncpg.Pool
) -> None:
    case_no = await store.allocate_case_number(CaseNumberRequest(conversation_id=unique("conversation"), year=2026))
    the_opening = opening(case_no, complete=False)
    the_opening.report.phone_declined = True
    the_opening.report.steps = [ReportStep(step="started", at=REPORTED_AT - timedelta(minutes=1)),
                                ReportStep(step="confirm_location", at=REPORTED_AT)]
    written_at = REPORTED_AT + timedelta(seconds=30)
    the_opening.report.notes = [ReporterNote(text="ช่วยด้วย เขาอยู่หน้าบ้าน", at=written_at, step="phone")]
    await store.record_case_opened(the_opening)
    await store.record_case_opened(the_opening)  # a retry

    timeline = await pool.fetch("SELECT kind, at, actor, details FROM case_events WHERE case_no = $1 ORDER BY at",
                                case_no)
    assert [(row["kind"], row["at"], row["actor"]) for row in timeline] == [
        ("REPORTED", REPORTED_AT, "reporter"), ("REPORTER_MESSAGE", written_at, "reporter")]
    reported, note = (row["details"] for row in timeline)
    assert reported["phone_declined"] is True
    assert reported["steps"] == [{"step": "started", "at": "2026-03-14T21:04:00+00:00"},
                                 {"step": "confirm_location", "at": "2026-03-14T21:05:00+00:00"}]
    assert note == {"message_type": "text", "text": "ช่วยด้วย เขาอยู่หน้าบ้าน", "during_step": "phone"}


async def test_an_incomplete_report_opens_a_case_without_a_phone(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store, complete=False)
    case = await pool.fetchrow("SELECT complete, phone_e164 FROM cases WHERE case_no = $1", case_no)
    assert (case["complete"], case["phone_e164"]) == (False, None)


async def test_an_unknown_incident_type_cannot_be_fixed_by_retrying(store: CaseStore) -> None:
    bad = opening("ESS-2026-999999")
    bad.report.incident_type = IncidentType(code="NO_SUCH_TYPE", label_th="-", label_en="-")
    with pytest.raises(ApplicationError) as raised:
        await store.record_case_opened(bad)
    assert raised.value.non_retryable
    assert bad.reporter.user_id not in str(raised.value)


# --- the timeline ------------------------------------------------------------------------------


def entry(case_no: str, minutes: int, event: CaseTimelineEvent, actor: str = "system") -> TimelineEntry:
    """A typed entry, as the workflows write them."""
    return TimelineEntry(key=unique(f"{case_no}:{event.kind}"), case_no=case_no,
                         at=REPORTED_AT + timedelta(minutes=minutes), actor=actor, event=event)


def event(case_no: str, kind: str, minutes: int, **details: object) -> CaseEvent:
    """An entry in the old shape (a kind and a dict), as workflows wrote them before the typed entries."""
    return CaseEvent(
        key=unique(f"{case_no}:{kind}"),
        case_no=case_no,
        kind=kind,
        at=REPORTED_AT + timedelta(minutes=minutes),
        actor="officer-17",
        details=details,
    )


async def test_an_event_is_written_once_however_often_it_is_retried(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    message = event(case_no, "REPORTER_MESSAGE", 3, text="ช่วยด้วย")
    await store.append_case_event(message)
    await store.append_case_event(message)
    rows = await pool.fetch(
        "SELECT kind, details::text AS details FROM case_events WHERE event_key = $1", message.key
    )
    assert len(rows) == 1
    assert rows[0]["kind"] == "REPORTER_MESSAGE"
    assert "ช่วยด้วย" in rows[0]["details"]


async def test_the_case_row_counts_whom_its_alerts_reached_rung_by_rung_once_each(
        store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    nobody = event(case_no, "ALERTED", 0, level=1, audiences=["STATION"], officer_ids=[], reached=0)
    await store.append_case_event(nobody)
    await store.append_case_event(nobody)  # a retry
    case = await pool.fetchrow("SELECT officers_reached, first_alerted_at FROM cases WHERE case_no = $1", case_no)
    assert case["officers_reached"] == 0 and case["first_alerted_at"] == nobody.at  # tried, reached nobody
    await store.append_case_event(event(case_no, "ALERTED", 3, level=2, officer_ids=[11, 12], reached=2))
    case = await pool.fetchrow("SELECT officers_reached, first_alerted_at FROM cases WHERE case_no = $1", case_no)
    assert case["officers_reached"] == 2 and case["first_alerted_at"] == nobody.at


async def test_a_status_change_moves_the_case_and_touches_updated_at(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    before = await pool.fetchval("SELECT updated_at FROM cases WHERE case_no = $1", case_no)
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 5, status="ACKNOWLEDGED"))
    case = await pool.fetchrow("SELECT status, updated_at FROM cases WHERE case_no = $1", case_no)
    assert case["status"] == "ACKNOWLEDGED"
    assert case["updated_at"] > before


async def test_a_late_retry_of_an_old_status_change_does_not_undo_a_newer_one(
        store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    acknowledged = event(case_no, "STATUS_CHANGED", 5, status="ACKNOWLEDGED")
    await store.append_case_event(acknowledged)
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 30, status="CLOSED"))
    await store.append_case_event(acknowledged)
    assert await pool.fetchval("SELECT status FROM cases WHERE case_no = $1", case_no) == "CLOSED"


async def test_a_status_change_written_late_does_not_undo_a_later_one(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 30, status="CLOSED"))
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 5, status="ACKNOWLEDGED"))
    assert await pool.fetchval("SELECT status FROM cases WHERE case_no = $1", case_no) == "CLOSED"
    assert await pool.fetchval("SELECT count(*) FROM case_events WHERE case_no = $1", case_no) == 3


async def test_other_events_leave_the_status_alone(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    await store.append_case_event(event(case_no, "OFFICER_NOTE", 5, status="CLOSED"))
    assert await pool.fetchval("SELECT status FROM cases WHERE case_no = $1", case_no) == "NEW"


async def test_a_status_change_to_an_unknown_status_is_refused_for_good(store: CaseStore) -> None:
    case_no = await opened_case(store)
    with pytest.raises(ApplicationError) as raised:
        await store.append_case_event(event(case_no, "STATUS_CHANGED", 5, status="SOLVED"))
    assert raised.value.non_retryable


async def test_an_event_for_a_case_that_does_not_exist_is_refused_for_good(store: CaseStore) -> None:
    with pytest.raises(ApplicationError) as raised:
        await store.append_case_event(event("ESS-1999-000001", "REPORTER_MESSAGE", 1))
    assert raised.value.non_retryable


# --- open cases --------------------------------------------------------------------------------


async def test_the_reporters_newest_open_case_is_found(store: CaseStore) -> None:
    reporter_key = unique("reporter")
    await opened_case(store, reporter_key=reporter_key)
    newer = await opened_case(store, reporter_key=reporter_key)
    assert await store.find_open_case(reporter_key) == newer


@pytest.mark.parametrize("status", ["ACKNOWLEDGED", "FORWARDED"])
async def test_acknowledged_and_forwarded_cases_are_still_open(store: CaseStore, status: str) -> None:
    reporter_key = unique("reporter")
    case_no = await opened_case(store, reporter_key=reporter_key)
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 5, status=status))
    assert await store.find_open_case(reporter_key) == case_no


@pytest.mark.parametrize("status", ["CLOSED", "NOT_FOUND", "PRANK"])
async def test_finished_cases_are_not_open(store: CaseStore, status: str) -> None:
    reporter_key = unique("reporter")
    case_no = await opened_case(store, reporter_key=reporter_key)
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 5, status=status))
    assert await store.find_open_case(reporter_key) is None


async def test_a_reporter_without_cases_has_no_open_case(store: CaseStore) -> None:
    assert await store.find_open_case(unique("reporter")) is None


# --- attachments -------------------------------------------------------------------------------


def attachment(case_no: str) -> AttachmentRequest:
    return AttachmentRequest(
        key=unique(f"{case_no}:attachment"), case_no=case_no, message_id=unique("m"), received_at=REPORTED_AT
    )


async def test_an_attachment_is_downloaded_and_kept_with_the_case(
    store: CaseStore, pool: asyncpg.Pool, line_content: LineContent
) -> None:
    case_no = await opened_case(store)
    request = attachment(case_no)
    attachment_id = await store.save_attachment(request)
    row = await pool.fetchrow("SELECT * FROM case_attachments WHERE id = $1", attachment_id)
    assert row["case_no"] == case_no
    assert row["line_message_id"] == request.message_id
    assert row["content"] == f"photo {request.message_id}".encode()
    assert row["content_type"] == "image/jpeg"
    assert row["size"] == len(row["content"])
    assert line_content.downloads == [request.message_id]


async def test_a_retried_attachment_is_not_downloaded_again(store: CaseStore, line_content: LineContent) -> None:
    case_no = await opened_case(store)
    request = attachment(case_no)
    first = await store.save_attachment(request)
    assert await store.save_attachment(request) == first
    assert line_content.downloads == [request.message_id]


async def test_attempts_racing_each_other_store_one_attachment(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    request = attachment(case_no)
    ids = await asyncio.gather(store.save_attachment(request), store.save_attachment(request))
    assert ids[0] == ids[1]
    assert await pool.fetchval("SELECT count(*) FROM case_attachments WHERE event_key = $1", request.key) == 1


async def test_an_attachment_for_a_case_that_does_not_exist_is_refused_for_good(store: CaseStore) -> None:
    with pytest.raises(ApplicationError) as raised:
        await store.save_attachment(attachment("ESS-1999-000002"))
    assert raised.value.non_retryable


async def test_the_applications_pool_with_its_jsonb_codec_writes_the_same_timeline(database_url: str) -> None:
    app_pool = await create_pool(Settings(DATABASE_URL=database_url))
    try:
        store = CaseStore(app_pool, LineContent().download)
        case_no = await opened_case(store)
        note = event(case_no, "OFFICER_NOTE", 2, note="ถึงที่เกิดเหตุแล้ว")
        await store.append_case_event(note)
        details = await app_pool.fetchval("SELECT details FROM case_events WHERE event_key = $1", note.key)
        assert details == {"note": "ถึงที่เกิดเหตุแล้ว"}
    finally:
        await app_pool.close()


# --- the read model follows dispatch -----------------------------------------------------------


async def station_id(pool: asyncpg.Pool, code: str) -> int:
    return await pool.fetchval("SELECT id FROM stations WHERE code = $1", code)


async def case_row(pool: asyncpg.Pool, case_no: str) -> asyncpg.Record:
    return await pool.fetchrow("SELECT * FROM cases WHERE case_no = $1", case_no)


async def demo_officer(pool: asyncpg.Pool) -> int:
    return await pool.fetchval("SELECT id FROM officers WHERE code = 'DEMO-OFFICER-1033-INSPECTOR'")


async def test_routing_sets_the_cases_station_centre_and_method(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    khlong_toei, centre = await station_id(pool, "DEMO-1033"), await station_id(pool, "DEMO-191-10")
    routed = event(case_no, "ROUTED", 0, station_id=khlong_toei, centre_id=centre, method="district")
    await store.append_case_event(routed)
    await store.append_case_event(routed)
    case = await case_row(pool, case_no)
    assert (case["station_id"], case["centre_id"], case["routing_method"]) == (khlong_toei, centre, "district")
    assert case["status"] == "NEW"


async def test_a_reassignment_moves_the_case_and_a_late_routing_does_not_undo_it(
    store: CaseStore, pool: asyncpg.Pool
) -> None:
    case_no = await opened_case(store)
    khlong_toei, vadhana, centre = (
        await station_id(pool, "DEMO-1033"), await station_id(pool, "DEMO-1039"), await station_id(pool, "DEMO-191-10")
    )
    await store.append_case_event(event(case_no, "REASSIGNED", 8, station_id=vadhana))
    await store.append_case_event(event(case_no, "ROUTED", 0, station_id=khlong_toei, centre_id=centre,
                                        method="district"))
    case = await case_row(pool, case_no)
    assert (case["station_id"], case["routing_method"]) == (vadhana, "reassigned")
    other = await opened_case(store)
    await store.append_case_event(event(other, "ROUTED", 0, station_id=khlong_toei, centre_id=centre, method="nearest"))
    await store.append_case_event(event(other, "REASSIGNED", 8, station_id=vadhana))
    case = await case_row(pool, other)
    assert (case["station_id"], case["centre_id"], case["routing_method"]) == (vadhana, centre, "reassigned")


async def test_the_escalation_level_only_rises(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    assert (await case_row(pool, case_no))["escalation_level"] == 0
    await store.append_case_event(event(case_no, "ESCALATED", 10, level=2))
    await store.append_case_event(event(case_no, "ESCALATED", 3, level=1))
    assert (await case_row(pool, case_no))["escalation_level"] == 2


async def test_an_acknowledgement_records_who_and_when(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    officer = await demo_officer(pool)
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 4, status="ACKNOWLEDGED", officer_id=officer))
    case = await case_row(pool, case_no)
    assert (case["status"], case["acknowledged_by"]) == ("ACKNOWLEDGED", officer)
    assert case["acknowledged_at"] == REPORTED_AT + timedelta(minutes=4)
    assert case["closed_at"] is None


@pytest.mark.parametrize("status", ["CLOSED", "NOT_FOUND", "PRANK", "FORWARDED"])
async def test_an_outcome_records_when_and_the_officers_note(store: CaseStore, pool: asyncpg.Pool, status: str) -> None:
    case_no = await opened_case(store)
    officer = await demo_officer(pool)
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 4, status="ACKNOWLEDGED", officer_id=officer))
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 30, status=status, officer_id=officer,
                                        note="ระงับเหตุแล้ว"))
    case = await case_row(pool, case_no)
    assert (case["status"], case["outcome_note"]) == (status, "ระงับเหตุแล้ว")
    assert case["closed_at"] == REPORTED_AT + timedelta(minutes=30)
    assert case["acknowledged_at"] == REPORTED_AT + timedelta(minutes=4)


async def test_an_acknowledgement_written_after_the_outcome_is_still_recorded_without_reopening(
    store: CaseStore, pool: asyncpg.Pool
) -> None:
    case_no = await opened_case(store)
    officer = await demo_officer(pool)
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 30, status="CLOSED", officer_id=officer, note="จบ"))
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 4, status="ACKNOWLEDGED", officer_id=officer))
    case = await case_row(pool, case_no)
    assert (case["status"], case["acknowledged_by"], case["outcome_note"]) == ("CLOSED", officer, "จบ")


async def test_an_acknowledgement_by_an_officer_unknown_to_the_directory_is_still_recorded(
    store: CaseStore, pool: asyncpg.Pool
) -> None:
    case_no = await opened_case(store)
    await store.append_case_event(event(case_no, "STATUS_CHANGED", 4, status="ACKNOWLEDGED", officer_id=987654321))
    case = await case_row(pool, case_no)
    assert (case["status"], case["acknowledged_by"]) == ("ACKNOWLEDGED", None)
    assert case["acknowledged_at"] == REPORTED_AT + timedelta(minutes=4)


async def test_a_review_flag_is_raised_by_its_event(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    assert (await case_row(pool, case_no))["review_flag"] is False
    await store.append_case_event(event(case_no, "REVIEW_FLAGGED", 1, earlier_pranks=3))
    assert (await case_row(pool, case_no))["review_flag"] is True


async def test_timeline_only_events_leave_the_dispatch_columns_alone(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    before = await case_row(pool, case_no)
    await store.append_case_event(event(case_no, "ALERTED", 1, station_id=1, level=3, officers=[1, 2]))
    after = await case_row(pool, case_no)
    columns = ["station_id", "centre_id", "routing_method", "escalation_level", "acknowledged_at", "closed_at",
               "review_flag"]
    assert [after[c] for c in columns] == [before[c] for c in columns]


@pytest.mark.parametrize(
    ("kind", "details"),
    [
        ("ROUTED", {"centre_id": None, "method": "district"}),
        ("ROUTED", {"station_id": 987654321, "method": "district"}),
        ("ROUTED", {"station_id": 1, "method": "guessed"}),
        ("ESCALATED", {"level": "high"}),
        ("STATUS_CHANGED", {"status": "ACKNOWLEDGED", "officer_id": "someone"}),
    ],
)
async def test_a_malformed_dispatch_event_is_refused_for_good_and_not_written(
    store: CaseStore, pool: asyncpg.Pool, kind: str, details: dict
) -> None:
    case_no = await opened_case(store)
    bad = event(case_no, kind, 1, **details)
    with pytest.raises(ApplicationError) as raised:
        await store.append_case_event(bad)
    assert raised.value.non_retryable
    assert await pool.fetchval("SELECT count(*) FROM case_events WHERE event_key = $1", bad.key) == 0


# --- typed entries, as the workflows write them now --------------------------------------------


async def test_a_typed_entry_is_written_once_with_the_details_the_timeline_has_always_kept(
    store: CaseStore, pool: asyncpg.Pool
) -> None:
    case_no = await opened_case(store)
    officer = await demo_officer(pool)
    acknowledged = entry(case_no, 4, StatusChanged(status=CaseStatus.ACKNOWLEDGED, action=ActionKind.ACKNOWLEDGE,
                                                   officer_id=officer, officer_role=OfficerRole.INSPECTOR, note=None),
                         actor=f"officer:{officer}")
    await store.append_case_event(acknowledged)
    await store.append_case_event(acknowledged)  # a retry
    rows = await pool.fetch("SELECT kind, actor, details FROM case_events WHERE event_key = $1", acknowledged.key)
    assert [(row["kind"], row["actor"], row["details"]) for row in rows] == [
        ("STATUS_CHANGED", f"officer:{officer}",
         {"action": "ACKNOWLEDGE", "officer_id": officer, "officer_role": "INSPECTOR", "note": None,
          "status": "ACKNOWLEDGED"})]
    case = await case_row(pool, case_no)
    assert (case["status"], case["acknowledged_by"]) == ("ACKNOWLEDGED", officer)
    assert case["acknowledged_at"] == acknowledged.at


async def test_typed_entries_move_the_case_row_as_they_say(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    khlong_toei, centre = await station_id(pool, "DEMO-1033"), await station_id(pool, "DEMO-191-10")
    await store.append_case_event(entry(case_no, 0, Routed(station_id=khlong_toei, centre_id=centre,
                                                           method="nearest")))
    await store.append_case_event(entry(case_no, 1, Alerted(level=0, audiences=[Audience.STATION],
                                                            officer_ids=[11, 12], reached=2, undelivered_ids=[13])))
    await store.append_case_event(entry(case_no, 10, Escalated(level=1, audiences=[Audience.SUPERINTENDENT])))
    await store.append_case_event(entry(case_no, 30, StatusChanged(status=CaseStatus.FORWARDED, note="ส่งต่อแล้ว",
                                                                   handoff_id=None)))
    case = await case_row(pool, case_no)
    assert (case["station_id"], case["centre_id"], case["routing_method"]) == (khlong_toei, centre, "nearest")
    assert (case["officers_reached"], case["escalation_level"]) == (2, 1)
    assert (case["status"], case["outcome_note"], case["closed_at"]) == (
        "FORWARDED", "ส่งต่อแล้ว", REPORTED_AT + timedelta(minutes=30))
    returned = entry(case_no, 90, StatusChanged(status=CaseStatus.RETURNED, handoff_id=f"{case_no}-1", note="ไม่ใช่"),
                     actor="member:7")
    await store.append_case_event(returned)
    case = await case_row(pool, case_no)
    assert (case["status"], case["outcome_note"], case["closed_at"]) == ("RETURNED", None, None)
    details = await pool.fetchval("SELECT details FROM case_events WHERE event_key = $1", returned.key)
    assert details == {"status": "RETURNED", "handoff_id": f"{case_no}-1", "note": "ไม่ใช่"}


async def test_a_typed_reporter_message_keeps_only_what_the_reporter_sent(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    message = entry(case_no, 3, ReporterWrote(message_type="image", attachment_id=None, text=None, follow_up=True),
                    actor="reporter")
    await store.append_case_event(message)
    details = await pool.fetchval("SELECT details FROM case_events WHERE event_key = $1", message.key)
    assert details == {"message_type": "image", "follow_up": True}
    assert (await case_row(pool, case_no))["status"] == "NEW"
