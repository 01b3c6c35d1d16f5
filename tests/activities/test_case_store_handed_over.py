"""The case row follows the team's acceptance: HANDOFF_ACCEPTED on the timeline moves a forwarded case to
HANDED_OVER (the police part over, the team caring), and the reporter's next conversation no longer
finds it open."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from activities.cases import CaseStore
from domain.case_timeline import CaseTimelineEvent, HandoffAccepted, HandoffStarted, StatusChanged, TimelineEntry
from domain.models import (
    ActionKind,
    CaseNumberRequest,
    CaseOpening,
    CaseStatus,
    IncidentType,
    Language,
    Location,
    Place,
    Report,
    Reporter,
)

REPORTED_AT = datetime(2026, 5, 2, 20, 10, tzinfo=UTC)
FORWARD_NOTE = "ผู้เสียหายอายุ 14 ปี ต้องการที่พักปลอดภัย"


async def no_content(message_id: str) -> tuple[bytes, str]:
    raise AssertionError("nothing is downloaded here")


@pytest.fixture
def store(pool: asyncpg.Pool) -> CaseStore:
    return CaseStore(pool, no_content)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def opened_case(store: CaseStore, reporter_key: str | None = None) -> str:
    case_no = await store.allocate_case_number(CaseNumberRequest(conversation_id=unique("conversation"), year=2026))
    await store.record_case_opened(CaseOpening(
        case_no=case_no,
        conversation_id=unique("conversation"),
        reporter=Reporter(user_id=unique("U"), reporter_key=reporter_key or unique("reporter"), language=Language.THAI),
        report=Report(
            incident_type=IncidentType(code="THREAT_ASSAULT", label_th="ข่มขู่จะทำร้าย / ทำร้าย", label_en="Threatened"),
            location=Location(latitude=13.72, longitude=100.58, title="ตลาดคลองเตย"),
            place=Place(inside_thailand=True, province_code="10", district_code="1033"),
            complete=True,
            reported_at=REPORTED_AT,
        ),
    ))
    return case_no


def entry(case_no: str, minutes: int, event: CaseTimelineEvent, actor: str = "system") -> TimelineEntry:
    return TimelineEntry(key=unique(f"{case_no}:{event.kind}"), case_no=case_no,
                         at=REPORTED_AT + timedelta(minutes=minutes), actor=actor, event=event)


async def forwarded_case(store: CaseStore, reporter_key: str | None = None) -> str:
    """A case an officer forwarded at minute 30, its hand-off started."""
    case_no = await opened_case(store, reporter_key)
    await store.append_case_event(entry(case_no, 5, StatusChanged(status=CaseStatus.ACKNOWLEDGED,
                                                                  action=ActionKind.ACKNOWLEDGE)))
    await store.append_case_event(entry(case_no, 30, StatusChanged(status=CaseStatus.FORWARDED, note=FORWARD_NOTE,
                                                                   action=ActionKind.FORWARD)))
    await store.append_case_event(entry(case_no, 30, HandoffStarted(handoff_id=f"{case_no}-1")))
    return case_no


async def case_row(pool: asyncpg.Pool, case_no: str) -> asyncpg.Record:
    return await pool.fetchrow("SELECT status, closed_at, outcome_note FROM cases WHERE case_no = $1", case_no)


async def test_the_teams_acceptance_moves_the_case_to_handed_over_keeping_the_forwards_stamp_and_note(
    store: CaseStore, pool: asyncpg.Pool
) -> None:
    case_no = await forwarded_case(store)
    accepted = entry(case_no, 95, HandoffAccepted(handoff_id=f"{case_no}-1"), actor="member:7")

    await store.append_case_event(accepted)
    await store.append_case_event(accepted)  # a retry changes nothing

    assert dict(await case_row(pool, case_no)) == {
        "status": "HANDED_OVER", "closed_at": REPORTED_AT + timedelta(minutes=30), "outcome_note": FORWARD_NOTE}


async def test_the_case_workflows_own_status_change_to_handed_over_keeps_the_forwards_stamp_and_note(
    store: CaseStore, pool: asyncpg.Pool
) -> None:
    case_no = await forwarded_case(store)
    await store.append_case_event(entry(case_no, 95, HandoffAccepted(handoff_id=f"{case_no}-1"), actor="member:7"))
    await store.append_case_event(entry(case_no, 95, StatusChanged(status=CaseStatus.HANDED_OVER,
                                                                   handoff_id=f"{case_no}-1")))

    assert dict(await case_row(pool, case_no)) == {
        "status": "HANDED_OVER", "closed_at": REPORTED_AT + timedelta(minutes=30), "outcome_note": FORWARD_NOTE}


async def test_an_acceptance_written_late_does_not_undo_a_later_status(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await forwarded_case(store)
    await store.append_case_event(entry(case_no, 200, StatusChanged(status=CaseStatus.RETURNED,
                                                                    handoff_id=f"{case_no}-1", note="ไม่ใช่")))
    await store.append_case_event(entry(case_no, 95, HandoffAccepted(handoff_id=f"{case_no}-1")))

    assert (await case_row(pool, case_no))["status"] == "RETURNED"


async def test_a_forward_written_late_does_not_undo_the_acceptance(store: CaseStore, pool: asyncpg.Pool) -> None:
    case_no = await opened_case(store)
    await store.append_case_event(entry(case_no, 95, HandoffAccepted(handoff_id=f"{case_no}-1")))
    await store.append_case_event(entry(case_no, 30, StatusChanged(status=CaseStatus.FORWARDED, note=FORWARD_NOTE)))

    assert (await case_row(pool, case_no))["status"] == "HANDED_OVER"


async def test_the_counted_figures_move_with_the_row(store: CaseStore, pool: asyncpg.Pool) -> None:
    # The dashboard's precounted figures (migration 0005's triggers) follow the new status.
    def counted(status: str) -> str:
        return ("SELECT coalesce(sum(cases), 0) FROM case_day_counts WHERE area = 'TH' AND status = '" + status
                + "' AND day = thai_day($1)")

    case_no = await forwarded_case(store)
    forwarded_before = await pool.fetchval(counted("FORWARDED"), REPORTED_AT)
    handed_over_before = await pool.fetchval(counted("HANDED_OVER"), REPORTED_AT)
    await store.append_case_event(entry(case_no, 95, HandoffAccepted(handoff_id=f"{case_no}-1")))

    assert await pool.fetchval(counted("FORWARDED"), REPORTED_AT) == forwarded_before - 1
    assert await pool.fetchval(counted("HANDED_OVER"), REPORTED_AT) == handed_over_before + 1


async def test_a_case_handed_over_is_not_the_reporters_open_case(store: CaseStore) -> None:
    reporter_key = unique("reporter")
    case_no = await forwarded_case(store, reporter_key)
    assert await store.find_open_case(reporter_key) == case_no  # still waiting for the team's answer

    await store.append_case_event(entry(case_no, 95, HandoffAccepted(handoff_id=f"{case_no}-1")))

    assert await store.find_open_case(reporter_key) is None
