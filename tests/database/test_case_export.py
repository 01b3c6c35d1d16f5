"""What the dashboard's "Download Excel" reads: only the filter's cases, newest first, batch after
batch of the cursor, each with its latest hand-off to the multidisciplinary team and none of the
team's people or notes (written out as the download writes them, and read back).

Each test reads only cases of a station of its own (a station scope)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg
import pytest

from database import case_export
from domain.clock import THAILAND
from domain.handoff import CareOutcome, HandoffStatus
from domain.models import CaseStatus
from tests.export_station import CHIANG_MAI, MARCH_2001, Station, export, own_station, thai


@pytest.fixture
async def station(pool: asyncpg.Pool) -> AsyncIterator[Station]:
    async with own_station(pool) as station:
        yield station


async def test_a_forwarded_case_shows_its_latest_hand_off_and_no_team_member(station: Station) -> None:
    returned_then_closed = await station.add_case(thai(10), CaseStatus.FORWARDED)
    await station.add_handoff(returned_then_closed, 1, thai(10, 12), HandoffStatus.REJECTED,
                              rejected_at=thai(10, 15), reject_reason="ไม่ใช่เรื่องของทีม")
    case_worker = await station.connection.fetchval(
        "INSERT INTO team_members (code, name, role, province_code) VALUES ($1, 'สมศรี ดูแลดี', 'SOCIAL_WORKER', $2)"
        " RETURNING id", f"TEST-{uuid.uuid4().hex[:10]}", CHIANG_MAI)
    await station.add_handoff(returned_then_closed, 2, thai(11, 9), HandoffStatus.CLOSED,
                              accepted_at=thai(11, 9, 45), accepted_by=case_worker, case_worker_id=case_worker,
                              closed_at=thai(20, 16), care_outcome=CareOutcome.SHELTERED.value,
                              care_note="เข้าบ้านพักเด็กและครอบครัว")
    awaiting = await station.add_case(thai(9), CaseStatus.FORWARDED)
    await station.add_handoff(awaiting, 1, thai(9, 23, 30), HandoffStatus.AWAITING)

    workbook, rows = await export(station, **MARCH_2001)

    assert rows == 2
    sheet = workbook.active
    handoff_columns = {row[0].value: [cell.value for cell in row[16:]] for row in sheet.iter_rows(min_row=2)}
    assert handoff_columns == {
        returned_then_closed: ["ปิดการดูแล", datetime(2001, 3, 11, 9), datetime(2001, 3, 11, 9, 45),
                               "เข้าบ้านพัก/สถานคุ้มครอง", datetime(2001, 3, 20, 16)],
        awaiting: ["รอทีมรับเรื่อง", datetime(2001, 3, 9, 23, 30), None, None, None],
    }
    for column in ("R", "S", "U"):
        assert sheet[f"{column}2"].is_date and sheet[f"{column}2"].number_format == "dd/mm/yyyy hh:mm"
    texts = " ".join(cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str))
    for kept_out in ("สมศรี", "ไม่ใช่เรื่องของทีม", "เข้าบ้านพักเด็กและครอบครัว"):  # the team's people and notes
        assert kept_out not in texts


async def test_rows_come_newest_first_only_within_the_filter_across_many_fetches(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_export, "ROWS_PER_FETCH", 2)  # several round trips of the cursor
    added = [await station.add_case(thai(day)) for day in range(1, 8)]
    await station.add_case(datetime(2001, 4, 1, 0, 0, tzinfo=THAILAND))  # outside the range

    workbook, rows = await export(station, **MARCH_2001)

    assert rows == 7
    assert [row[0].value for row in workbook.active.iter_rows(min_row=2)] == list(reversed(added))
