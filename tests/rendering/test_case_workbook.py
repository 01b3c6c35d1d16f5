"""The dashboard's "Download Excel": every case of the filter as an Excel sheet in Thai (real dates in
Thailand time, a frozen header, a filter on every column, the phone masked unless revealed), read
from the database as the download reads it.

Each test reads only cases of a station of its own (a station scope)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from openpyxl import load_workbook

from database.case_export import case_row_batches
from domain.clock import THAILAND
from domain.handoff import HandoffStatus
from domain.models import CaseStatus
from rendering.case_workbook import write_cases_workbook
from tests.export_station import HEADERS, MARCH_2001, NO_HANDOFF, PHONE, Station, export, own_station, thai


@pytest.fixture
async def station(pool: asyncpg.Pool) -> AsyncIterator[Station]:
    async with own_station(pool) as station:
        yield station


async def test_the_sheet_has_thai_headers_a_frozen_header_row_and_a_filter_over_the_rows(station: Station) -> None:
    for day in (10, 11, 12):
        await station.add_case(thai(day))

    workbook, rows = await export(station, **MARCH_2001)

    assert rows == 3
    assert workbook.sheetnames == ["เรื่องแจ้งเหตุ"]
    sheet = workbook["เรื่องแจ้งเหตุ"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:U4"
    assert sheet.max_row == 4


async def test_a_row_shows_the_case_as_the_database_has_it_in_thai(station: Station) -> None:
    reported = thai(10, 23, 30)  # 16:30 UTC: the sheet shows Thailand's clock
    case_no = await station.add_case(
        reported, CaseStatus.CLOSED, acknowledged_at=reported + timedelta(minutes=2),
        closed_at=reported + timedelta(hours=1), escalation_level=2, complete=False, review_flag=True,
        outcome_note="พบผู้แจ้ง ส่งต่อโรงพยาบาล", phone_e164=PHONE,
    )

    workbook, _ = await export(station, **MARCH_2001)

    row = [cell.value for cell in workbook.active[2]]
    stored = await station.connection.fetchrow(
        "SELECT c.*, t.label_th AS type_th, p.name_th AS province_th, d.name_th AS district_th FROM cases c"
        " JOIN incident_types t ON t.code = c.incident_type_code JOIN provinces p ON p.code = c.province_code"
        " JOIN districts d ON d.code = c.district_code WHERE c.case_no = $1",
        case_no,
    )
    assert row == [
        case_no,
        datetime(2001, 3, 10, 23, 30),
        stored["type_th"],
        "ปิดเหตุ",
        stored["province_th"],
        stored["district_th"],
        station.name_th,
        datetime(2001, 3, 10, 23, 32),
        datetime(2001, 3, 11, 0, 30),
        2,
        "ไม่ใช่",
        "ใช่",
        "พบผู้แจ้ง ส่งต่อโรงพยาบาล",
        "xxx-xxx-5678",
        stored["latitude"],
        stored["longitude"],
        *NO_HANDOFF,  # never forwarded to the team
    ]
    assert (stored["type_th"], stored["province_th"]) == ("กักขังหน่วงเหนี่ยว", "เชียงใหม่")
    assert stored["reported_at"].astimezone(THAILAND).replace(tzinfo=None) == row[1]


async def test_dates_are_real_date_cells_shown_day_first(station: Station) -> None:
    await station.add_case(thai(10), CaseStatus.ACKNOWLEDGED, acknowledged_at=thai(10, 10, 5))

    workbook, _ = await export(station, **MARCH_2001)

    sheet = workbook.active
    for column in ("B", "H"):
        cell = sheet[f"{column}2"]
        assert isinstance(cell.value, datetime)
        assert cell.is_date
        assert cell.number_format == "dd/mm/yyyy hh:mm"
    assert sheet["I2"].value is None  # not closed yet


async def test_the_phone_is_masked_unless_it_may_be_revealed(station: Station) -> None:
    await station.add_case(thai(10), phone_e164=PHONE)
    await station.add_case(thai(9), phone_e164=None)

    masked, _ = await export(station, **MARCH_2001)
    revealed, _ = await export(station, reveal_phone=True, **MARCH_2001)

    assert [masked.active["N2"].value, masked.active["N3"].value] == ["xxx-xxx-5678", None]
    assert [revealed.active["N2"].value, revealed.active["N3"].value] == ["081-234-5678", None]


async def test_for_the_team_the_phone_shows_no_digit_unless_the_reporter_agreed_to_be_contacted(
        station: Station) -> None:
    consents = {"GIVEN": thai(10), "ASKED": thai(9), "REFUSED": thai(8)}
    for consent, reported_at in consents.items():
        case_no = await station.add_case(reported_at, CaseStatus.FORWARDED, phone_e164=PHONE)
        await station.add_handoff(case_no, 1, reported_at, HandoffStatus.AWAITING, consent=consent)
    await station.add_case(thai(7), phone_e164=PHONE)  # never forwarded: no one asked the reporter

    teams, _ = await export(station, phone_needs_consent=True, **MARCH_2001)

    assert [teams.active[f"N{row}"].value for row in range(2, 6)] == ["xxx-xxx-5678", None, None, None]


async def test_a_note_that_looks_like_a_formula_stays_text(station: Station) -> None:
    await station.add_case(thai(10), outcome_note='=HYPERLINK("http://example.invalid","x")', incident_type_code=None)

    workbook, _ = await export(station, **MARCH_2001)

    note = workbook.active["M2"]
    assert note.data_type == "s"
    assert note.value == '=HYPERLINK("http://example.invalid","x")'
    assert workbook.active["C2"].value == "ไม่ระบุ"  # a case whose type was never stated


async def test_a_filter_without_cases_gives_the_header_only_and_a_path_works_too(
    station: Station, tmp_path: Path
) -> None:
    destination = tmp_path / "cases.xlsx"
    rows = await write_cases_workbook(case_row_batches(station.connection, station.filter(**MARCH_2001)),
                                      destination, False)

    sheet = load_workbook(destination).active
    assert rows == 0
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.auto_filter.ref == "A1:U1"
