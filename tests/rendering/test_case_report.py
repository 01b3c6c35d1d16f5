"""The dashboard's printable report: the filter, the counters, a chart per figure, the hand-offs
and their care (risk levels, referrals, transfers between provinces, approvals waiting: counts
only), as a workbook in Thai.

Each test reads only cases of a station of its own (a station scope); the transfers, which a station
never counts, are offered in a month no other test offers one in."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import asyncpg
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from database.case_export import report_figures
from database.case_statistics import CaseFilter
from domain.agencies import AGENCY_KIND_LABELS, AgencyKind
from domain.clock import THAILAND
from domain.handoff import CareOutcome, HandoffStatus
from domain.models import CaseStatus
from domain.scope import CaseScope
from rendering.case_report import write_case_report
from tests.export_station import (
    CHIANG_MAI,
    MARCH_2001,
    TRANSFER_DECLINED_BECAUSE,
    TRANSFER_NOTE,
    Station,
    own_station,
    thai,
)

PHUKET, BANGKOK = "83", "10"


@pytest.fixture
async def station(pool: asyncpg.Pool) -> AsyncIterator[Station]:
    async with own_station(pool) as station:
        yield station


def chart_title(chart: BarChart | LineChart) -> str:
    return "".join(run.t for paragraph in chart.title.tx.rich.p for run in paragraph.r or [])


async def test_the_report_describes_the_filter_and_has_a_chart_per_figure(station: Station) -> None:
    await station.add_case(thai(10), CaseStatus.CLOSED, acknowledged_at=thai(10, 10, 2),
                           closed_at=thai(10, 11))
    await station.add_case(thai(12), CaseStatus.NEW, incident_type_code="GATHERING")
    await station.add_case(thai(12), CaseStatus.ACKNOWLEDGED, acknowledged_at=thai(12, 10, 20))
    buffer = io.BytesIO()

    write_case_report(await report_figures(station.connection, station.filter(**MARCH_2001), today=date(2001, 3, 12)),
                      buffer)

    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames == ["สรุป", "รายวัน", "ประเภทเหตุ", "จังหวัด", "เวลารับทราบ", "ส่งต่อทีมสหวิชาชีพ",
                                   "การดูแลต่อเนื่อง"]
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

    write_case_report(await report_figures(station.connection, station.filter(**MARCH_2001), today=date(2001, 3, 6),
                                           now=thai(6, 12)), buffer)

    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["ส่งต่อทีมสหวิชาชีพ"]
    table = {row[0]: row[1] for row in sheet.iter_rows(max_col=2, values_only=True) if row[0]}
    assert (table["ส่งต่อทีมสหวิชาชีพ"], table["ทีมรับเรื่องแล้ว"], table["อยู่ในความดูแล"], table["ปิดการดูแล"],
            table["ทีมส่งคืน"], table["รอทีมรับเรื่อง"], table["เกินกำหนดรับเรื่อง"]) == (5, 2, 1, 1, 1, 2, 1)
    assert (table["รับเรื่องทันกำหนด"], table["สัดส่วนที่รับเรื่องทันกำหนด (%)"]) == (2, 100.0)
    assert table["เวลาจนทีมรับเรื่อง ค่ามัธยฐาน (นาที)"] == 60.0  # the middle of 30 and 90 minutes
    assert table["ปลอดภัย อยู่กับครอบครัว"] == 1
    assert table["เข้าบ้านพัก/สถานคุ้มครอง"] == 0


async def test_the_care_sheet_counts_risk_levels_referrals_and_approvals_and_nothing_personal(
        station: Station) -> None:
    cases = [await station.add_case(thai(day), CaseStatus.FORWARDED) for day in (2, 3, 4)]
    await station.add_handoff(cases[0], 1, thai(2, 11), HandoffStatus.IN_CARE, accepted_at=thai(2, 12),
                              risk_level="HIGH", risk_assessed_at=thai(2, 13))
    await station.add_handoff(cases[1], 1, thai(3, 11), HandoffStatus.IN_CARE, accepted_at=thai(3, 12))
    await station.add_handoff(cases[2], 1, thai(4, 11), HandoffStatus.AWAITING)
    agency = await station.connection.fetchval(
        "INSERT INTO agencies (code, province_code, kind, name_th, name_en, is_demo)"
        " VALUES ($1, $2, 'SHELTER', 'บ้านพักพิงทดสอบรายงาน', 'Report test shelter', true) RETURNING id",
        f"TEST-{cases[0]}", CHIANG_MAI)
    reason = "เหตุผลส่วนตัวที่ไม่ควรอยู่ในรายงาน"
    for number, (answer, referred_day) in enumerate([("ACCEPTED", 3), ("DECLINED", 3), (None, 4), (None, 9)], 1):
        await station.connection.execute(
            "INSERT INTO referrals (handoff_id, number, agency_id, agency_kind, agency_name_th, referred_at, due_at,"
            " answer, reason) VALUES ($1, $2, $3, 'SHELTER', 'บ้านพักพิงทดสอบรายงาน', $4, $5, $6, $7)",
            f"{cases[0]}-1", number, agency, thai(referred_day), thai(referred_day) + timedelta(days=3), answer,
            reason if answer else None)
    await station.connection.execute(
        "INSERT INTO care_approvals (event_key, handoff_id, subject, requested_at) VALUES ($1, $2, 'CLOSURE', $3)",
        f"{cases[1]}-1:approval", f"{cases[1]}-1", thai(9, 9))
    buffer = io.BytesIO()

    write_case_report(await report_figures(station.connection, station.filter(province_code=CHIANG_MAI, **MARCH_2001),
                                           today=date(2001, 3, 10), now=thai(10, 12)), buffer)

    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["การดูแลต่อเนื่อง"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0]]
    table = {row[0]: row[1:] for row in rows}
    assert [table[label][0] for label in ("ความเสี่ยงสูง", "ความเสี่ยงปานกลาง", "ความเสี่ยงต่ำ",
                                          "ยังไม่ได้ประเมินความเสี่ยง")] == [1, 0, 0, 1]
    header = next(row for row in rows if row[0] == "การส่งต่อหน่วยงาน ตามประเภทหน่วยงาน")
    assert header[1:6] == ("ส่งต่อหน่วยงานทั้งหมด", "หน่วยงานรับ", "หน่วยงานปฏิเสธ", "รอคำตอบ (ยังไม่ถึงกำหนด)",
                           "ไม่ตอบภายในกำหนด")
    # Referred on the 3rd, 3rd, 4th and 9th, due three days later: at noon on the 10th the 4th's is past due.
    assert table["สถานคุ้มครอง/บ้านพักพิง"][:5] == (4, 1, 1, 1, 1)
    assert table["ศูนย์พึ่งได้ (OSCC)"][:5] == (0, 0, 0, 0, 0)
    assert table["รวม"][:5] == (4, 1, 1, 1, 1)
    assert table["บ้านพักพิงทดสอบรายงาน"] == (4, 1, 1, 1, 1, "สถานคุ้มครอง/บ้านพักพิง")  # one province: named
    assert table["ขออนุมัติปิดการดูแล"][:2] == (1, "27 ชั่วโมง")  # since 09:00 on the 9th
    assert table["แผนความเสี่ยงสูงรออนุมัติ"][:2] == (0, "-")
    kinds = [row[0] for row in rows[rows.index(header) + 1:] if row[0] != "รวม"][:len(AgencyKind)]
    assert kinds == [AGENCY_KIND_LABELS[kind][0] for kind in AgencyKind]  # every kind, in order, at 0 when none
    everything = " ".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row if value)
    assert reason not in everything and cases[0] not in everything


async def test_the_care_sheet_counts_the_transfers_offered_in_the_period_by_direction_and_answer(
        station: Station) -> None:
    """Offered in March 1964; seen by Chiang Mai's account, by the national one, by the station."""
    def in_march(day: int, hour: int = 10) -> datetime:
        return datetime(1964, 3, day, hour, tzinfo=THAILAND)

    case_numbers, cares = [], []
    for province in (CHIANG_MAI, CHIANG_MAI, PHUKET, BANGKOK, PHUKET):
        case_no = await station.add_case(in_march(1, 8), CaseStatus.HANDED_OVER)
        await station.add_handoff(case_no, 1, in_march(1, 9), HandoffStatus.IN_CARE, province_code=province,
                                  accepted_at=in_march(1, 10))
        case_numbers.append(case_no)
        cares.append(f"{case_no}-1")
    await station.add_transfer(cares[0], CHIANG_MAI, PHUKET, in_march(2), "ACCEPTED")
    await station.add_transfer(cares[1], CHIANG_MAI, BANGKOK, in_march(3), "DECLINED")
    await station.add_transfer(cares[2], PHUKET, CHIANG_MAI, in_march(9, 9))  # due at 09:00 on the 10th
    await station.add_transfer(cares[3], BANGKOK, CHIANG_MAI, in_march(5))  # due on the 6th: not answered in time
    await station.add_transfer(cares[4], PHUKET, BANGKOK, in_march(5))  # neither from nor to Chiang Mai
    march = {"reported_from": date(1964, 3, 1), "reported_to": date(1964, 3, 31)}

    async def care_sheet(case_filter: CaseFilter) -> dict:
        buffer = io.BytesIO()
        write_case_report(await report_figures(station.connection, case_filter, today=date(1964, 3, 10),
                                               now=in_march(10, 8)), buffer)
        rows = list(load_workbook(io.BytesIO(buffer.getvalue()))["การดูแลต่อเนื่อง"].iter_rows(values_only=True))
        return {row[0]: row[1:] for row in rows if row[0]}

    province = await care_sheet(CaseFilter(scope=CaseScope(province_code=CHIANG_MAI), province_code=CHIANG_MAI,
                                           **march))
    country = await care_sheet(CaseFilter(scope=CaseScope.national(), **march))
    police = await care_sheet(station.filter(**march))

    heading = "การโอนการดูแลข้ามจังหวัด ที่ขอโอนในช่วงนี้"
    assert province[heading][:5] == ("ขอโอนทั้งหมด", "รับโอน", "ไม่รับโอน", "รอคำตอบ (ยังไม่ถึงกำหนด)",
                                     "ไม่ตอบภายในกำหนด")
    assert province["ทีมจังหวัดนี้ขอโอนไปจังหวัดอื่น"][:5] == (2, 1, 1, 0, 0)
    assert province["จังหวัดอื่นขอโอนมายังทีมจังหวัดนี้"][:5] == (2, 0, 0, 1, 1)
    assert province["รวมการขอโอน"][:5] == (4, 1, 1, 1, 1)
    # Every province: each transfer once, no direction.
    assert country["รวมการขอโอน"][:5] == (5, 1, 1, 1, 2)
    assert "ทีมจังหวัดนี้ขอโอนไปจังหวัดอื่น" not in country
    # A station's report has no transfer to count: no table, not a table of zeros.
    assert heading not in police and "รวมการขอโอน" not in police
    everything = " ".join(str(value) for table in (province, country) for key, row in table.items()
                          for value in (key, *row) if value)
    for personal in (TRANSFER_NOTE, TRANSFER_DECLINED_BECAUSE, *case_numbers):
        assert personal not in everything


async def test_the_report_names_the_chosen_province_and_open_ended_dates(station: Station) -> None:
    buffer = io.BytesIO()

    write_case_report(await report_figures(
        station.connection, station.filter(province_code=CHIANG_MAI, reported_from=date(2001, 3, 1)),
        today=date(2001, 3, 12),
    ), buffer)

    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    summary = {row[0]: row[1] for row in workbook["สรุป"].iter_rows(values_only=True) if row[0]}
    assert summary["จังหวัด"] == "เชียงใหม่"
    assert summary["ช่วงวันที่แจ้ง"] == "ตั้งแต่ 01/03/2544"
    assert summary["เรื่องทั้งหมด"] == 0
    assert all(len(workbook[name]._charts) == 1 for name in workbook.sheetnames[1:-1])  # the care's: tables only


async def test_each_sheet_prints_fitted_to_the_page_width_with_charts_counting_whole_cases(station: Station) -> None:
    for day in range(1, 32):
        for _ in range(day % 3):
            await station.add_case(thai(day), CaseStatus.NEW)
    buffer = io.BytesIO()

    write_case_report(await report_figures(station.connection, station.filter(**MARCH_2001), today=date(2001, 3, 31)),
                      buffer)

    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title  # one page wide, as long as needed
        assert int(setup.paperSize) == int(sheet.PAPERSIZE_A4)
        # A chart beside its table, or the care's seven columns, are wide: landscape; the summary's two: portrait.
        assert setup.orientation == ("portrait" if sheet.title == "สรุป" else "landscape"), sheet.title
        assert sheet.print_title_rows == "$1:$1"
        for chart in sheet._charts:
            assert chart.anchor._from.row <= 1  # at the top: on the sheet's first page, whole
            assert chart.height <= 15  # cm: fits a landscape A4 page
            assert chart.y_axis.scaling.min == 0
            assert chart.y_axis.majorUnit >= 1 and float(chart.y_axis.majorUnit).is_integer(), sheet.title
            assert chart.y_axis.number_format.formatCode == "0"  # no decimals
    # Two cases at most a day: steps of one case, not fractions.
    assert workbook["รายวัน"]._charts[0].y_axis.majorUnit == 1
