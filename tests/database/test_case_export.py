"""The dashboard's downloads: every case of the filter as an Excel sheet in Thai (real dates in
Thailand time, a frozen header, a filter on every column, the phone masked unless revealed, the
latest hand-off to the multidisciplinary team without its people's names), and the printable
report with the filter, the counters, a chart per figure and the hand-offs.

Each test reads only cases of a station of its own (a station scope)."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from database import case_export
from database.case_export import write_cases_workbook, write_summary_workbook
from database.case_statistics import CaseFilter
from domain.clock import THAILAND
from domain.handoff import CareOutcome, HandoffStatus
from domain.models import CaseStatus
from domain.scope import CaseScope

CHIANG_MAI = "50"
CHIANG_MAI_DISTRICT = "5001"  # เมืองเชียงใหม่
PHONE = "+66812345678"
HEADERS = [
    "เลขที่เรื่อง", "วันเวลาที่แจ้ง", "ประเภทเหตุ", "สถานะ", "จังหวัด", "อำเภอ/เขต", "สถานีที่รับผิดชอบ", "รับทราบเมื่อ",
    "ปิดเมื่อ", "ระดับการแจ้งเตือนขึ้น", "ข้อมูลครบ", "ต้องตรวจสอบ (แจ้งเล่นซ้ำ)", "ผลการดำเนินการ", "เบอร์ผู้แจ้ง",
    "ละติจูด", "ลองจิจูด", "สถานะการส่งต่อทีมสหวิชาชีพ", "ส่งต่อทีมเมื่อ", "ทีมรับเรื่องเมื่อ", "ผลการดูแล",
    "ปิดการดูแลเมื่อ",
]
NO_HANDOFF = [None] * 5
MARCH_2001 = {"reported_from": date(2001, 3, 1), "reported_to": date(2001, 3, 31)}


def thai(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2001, 3, day, hour, minute, tzinfo=THAILAND)


class Station:
    """A station of the test's own with the cases routed to it."""

    def __init__(self, connection: asyncpg.Connection, station_id: int, name_th: str) -> None:
        self.connection, self.station_id, self.name_th = connection, station_id, name_th

    def filter(self, **choices) -> CaseFilter:
        return CaseFilter(scope=CaseScope(station_id=self.station_id), **choices)

    async def add_case(self, reported_at: datetime, status: CaseStatus = CaseStatus.NEW, **columns) -> str:
        values = {
            "case_no": f"ESS-T{uuid.uuid4().hex[:12].upper()}", "reporter_key": uuid.uuid4().hex,
            "line_user_id": f"U{uuid.uuid4().hex}", "incident_type_code": "DETENTION", "status": status.value,
            "complete": True, "latitude": 18.7883, "longitude": 98.9853, "province_code": CHIANG_MAI,
            "district_code": CHIANG_MAI_DISTRICT, "reported_at": reported_at, "station_id": self.station_id,
        } | columns
        values["conversation_id"] = f"conversation-{values['case_no']}"
        names = ", ".join(values)
        placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        await self.connection.execute(f"INSERT INTO cases ({names}) VALUES ({placeholders})", *values.values())
        return values["case_no"]

    async def add_handoff(self, case_no: str, attempt: int, forwarded_at: datetime, status: HandoffStatus,
                          **columns) -> None:
        """A hand-off of the case to Chiang Mai's team, due to be accepted within a day."""
        values = {
            "handoff_id": f"{case_no}-{attempt}", "case_no": case_no, "attempt": attempt,
            "province_code": CHIANG_MAI, "station_id": self.station_id, "status": status.value,
            "forwarded_at": forwarded_at, "accept_due_at": forwarded_at + timedelta(days=1),
        } | columns
        names = ", ".join(values)
        placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        await self.connection.execute(f"INSERT INTO handoffs ({names}) VALUES ({placeholders})", *values.values())


@pytest.fixture
async def station(pool: asyncpg.Pool):
    name_th = f"สถานีตำรวจทดสอบ {uuid.uuid4().hex[:6]}"
    async with pool.acquire() as connection:
        station_id = await connection.fetchval(
            "INSERT INTO stations (code, name_th, name_en, province_code)"
            " VALUES ($1, $2, 'Export test station', $3) RETURNING id",
            f"TEST-{uuid.uuid4().hex[:10]}", name_th, CHIANG_MAI,
        )
        yield Station(connection, station_id, name_th)


async def export(station: Station, reveal_phone: bool = False, phone_needs_consent: bool = False, **choices):
    """The workbook written for the station's cases, read back, and the row count returned."""
    buffer = io.BytesIO()
    rows = await write_cases_workbook(station.connection, station.filter(**choices), buffer, reveal_phone,
                                      phone_needs_consent=phone_needs_consent)
    buffer.seek(0)
    return load_workbook(buffer), rows


# --- Every case ----------------------------------------------------------------------------------


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


async def test_rows_come_newest_first_only_within_the_filter_across_many_fetches(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_export, "ROWS_PER_FETCH", 2)  # several round trips of the cursor
    added = [await station.add_case(thai(day)) for day in range(1, 8)]
    await station.add_case(datetime(2001, 4, 1, 0, 0, tzinfo=THAILAND))  # outside the range

    workbook, rows = await export(station, **MARCH_2001)

    assert rows == 7
    assert [row[0].value for row in workbook.active.iter_rows(min_row=2)] == list(reversed(added))


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
    rows = await write_cases_workbook(station.connection, station.filter(**MARCH_2001), destination, False)

    sheet = load_workbook(destination).active
    assert rows == 0
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.auto_filter.ref == "A1:U1"


# --- The printable report -----------------------------------------------------------------------


def chart_title(chart: BarChart | LineChart) -> str:
    return "".join(run.t for paragraph in chart.title.tx.rich.p for run in paragraph.r or [])


async def test_the_report_describes_the_filter_and_has_a_chart_per_figure(station: Station) -> None:
    await station.add_case(thai(10), CaseStatus.CLOSED, acknowledged_at=thai(10, 10, 2),
                           closed_at=thai(10, 11))
    await station.add_case(thai(12), CaseStatus.NEW, incident_type_code="GATHERING")
    await station.add_case(thai(12), CaseStatus.ACKNOWLEDGED, acknowledged_at=thai(12, 10, 20))
    buffer = io.BytesIO()

    await write_summary_workbook(station.connection, station.filter(**MARCH_2001), buffer, today=date(2001, 3, 12))

    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames == ["สรุป", "รายวัน", "ประเภทเหตุ", "จังหวัด", "เวลารับทราบ", "ส่งต่อทีมสหวิชาชีพ"]
    summary = {row[0]: row[1] for row in workbook["สรุป"].iter_rows(values_only=True) if row[0]}
    assert summary["จังหวัด"] == "ทุกจังหวัด"
    assert summary["ขอบเขตข้อมูล"] == f"สถานี {station.name_th}"
    assert summary["ช่วงวันที่แจ้ง"] == "01/03/2544 ถึง 31/03/2544"  # Buddhist era
    assert summary["วันที่ออกรายงาน"] == "12/03/2544"
    assert (summary["เรื่องทั้งหมด"], summary["แจ้งวันนี้"]) == (3, 2)
    assert (summary["แจ้งเหตุใหม่"], summary["รับทราบ"], summary["ปิดเหตุ"], summary["ทักเล่น"]) == (1, 1, 1, 0)

    per_day = list(workbook["รายวัน"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert per_day == [("10/03/2544", 1), ("11/03/2544", 0), ("12/03/2544", 2)]
    per_type = dict(workbook["ประเภทเหตุ"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert (per_type["กักขังหน่วงเหนี่ยว"], per_type["มั่วสุมจนก่อให้เกิดเหตุร้าย"]) == (2, 1)
    assert list(workbook["จังหวัด"].iter_rows(min_row=2, max_col=2, values_only=True)) == [("เชียงใหม่", 3)]
    waits = dict(workbook["เวลารับทราบ"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert (waits["ไม่เกิน 1 นาที"], waits["มากกว่า 1 ถึง 3 นาที"], waits["มากกว่า 10 ถึง 30 นาที"]) == (0, 1, 1)
    assert waits["ค่ามัธยฐาน (นาที)"] == 11.0  # the middle of 2 and 20 minutes

    titles = {}
    for name in ("รายวัน", "ประเภทเหตุ", "จังหวัด", "เวลารับทราบ", "ส่งต่อทีมสหวิชาชีพ"):
        charts = workbook[name]._charts
        assert len(charts) == 1, name
        titles[name] = (type(charts[0]), chart_title(charts[0]))
    assert titles == {
        "รายวัน": (LineChart, "จำนวนเรื่องแจ้งเหตุรายวัน"),
        "ประเภทเหตุ": (BarChart, "จำนวนเรื่องตามประเภทเหตุ"),
        "จังหวัด": (BarChart, "จำนวนเรื่องตามจังหวัด"),
        "เวลารับทราบ": (BarChart, "ระยะเวลาตั้งแต่แจ้งจนรับทราบ"),
        "ส่งต่อทีมสหวิชาชีพ": (BarChart, "ผลการดูแลตามประเภท"),
    }


async def test_the_report_counts_the_hand_offs_forwarded_in_the_period(station: Station) -> None:
    cases = [await station.add_case(thai(day), CaseStatus.FORWARDED) for day in (2, 3, 4, 5, 6)]
    await station.add_handoff(cases[0], 1, thai(2, 11), HandoffStatus.CLOSED, accepted_at=thai(2, 11, 30),
                              closed_at=thai(9), care_outcome=CareOutcome.SAFE_WITH_FAMILY.value)
    await station.add_handoff(cases[1], 1, thai(3, 11), HandoffStatus.IN_CARE, accepted_at=thai(3, 12, 30))
    await station.add_handoff(cases[2], 1, thai(4, 11), HandoffStatus.REJECTED, rejected_at=thai(4, 15))
    await station.add_handoff(cases[2], 2, thai(5, 11), HandoffStatus.AWAITING)  # overdue on the 6th at noon
    await station.add_handoff(cases[3], 1, thai(6, 11), HandoffStatus.AWAITING)
    await station.add_handoff(cases[4], 1, datetime(2001, 4, 1, 9, tzinfo=THAILAND), HandoffStatus.AWAITING)
    buffer = io.BytesIO()

    await write_summary_workbook(station.connection, station.filter(**MARCH_2001), buffer, today=date(2001, 3, 6),
                                 now=thai(6, 12))

    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["ส่งต่อทีมสหวิชาชีพ"]
    table = {row[0]: row[1] for row in sheet.iter_rows(max_col=2, values_only=True) if row[0]}
    assert (table["ส่งต่อทีมสหวิชาชีพ"], table["ทีมรับเรื่องแล้ว"], table["อยู่ในความดูแล"], table["ปิดการดูแล"],
            table["ทีมส่งคืน"], table["รอทีมรับเรื่อง"], table["เกินกำหนดรับเรื่อง"]) == (5, 2, 1, 1, 1, 2, 1)
    assert (table["รับเรื่องทันกำหนด"], table["สัดส่วนที่รับเรื่องทันกำหนด (%)"]) == (2, 100.0)
    assert table["เวลาจนทีมรับเรื่อง ค่ามัธยฐาน (นาที)"] == 60.0  # the middle of 30 and 90 minutes
    assert table["ปลอดภัย อยู่กับครอบครัว"] == 1
    assert table["เข้าบ้านพัก/สถานคุ้มครอง"] == 0


async def test_the_report_names_the_chosen_province_and_open_ended_dates(station: Station) -> None:
    buffer = io.BytesIO()

    await write_summary_workbook(
        station.connection, station.filter(province_code=CHIANG_MAI, reported_from=date(2001, 3, 1)), buffer,
        today=date(2001, 3, 12),
    )

    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    summary = {row[0]: row[1] for row in workbook["สรุป"].iter_rows(values_only=True) if row[0]}
    assert summary["จังหวัด"] == "เชียงใหม่"
    assert summary["ช่วงวันที่แจ้ง"] == "ตั้งแต่ 01/03/2544"
    assert summary["เรื่องทั้งหมด"] == 0
    assert all(len(workbook[name]._charts) == 1 for name in workbook.sheetnames[1:])
