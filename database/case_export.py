"""The case dashboard's two downloads, as Excel workbooks in Thai:

- "Download Excel": every case of the filter, one row each, newest first, with its latest hand-off
  to the multidisciplinary team. Streamed: rows go from a server-side cursor straight into
  XlsxWriter's constant-memory workbook, so memory stays flat however many cases (XlsxWriter
  writes such a sheet in about 60 % of the time openpyxl's write-only mode takes).
- "Download report": the printable summary, the dashboard's figures with a chart each, the
  hand-offs' included (a small workbook: openpyxl).

The reporter's phone number is masked (last four digits) unless the caller may reveal it; in the
multidisciplinary team's own file it shows only where the reporter agreed to be contacted.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from os import PathLike
from typing import IO, Any

import asyncpg
import xlsxwriter
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from database.case_statistics import (
    NOT_STATED,
    CaseFilter,
    case_counters,
    cases_per_day,
    cases_per_province,
    cases_per_type,
    time_to_acknowledge,
)
from database.handoff_statistics import HandoffFigures, handoff_figures
from database.officer_statistics import StationLinks
from database.sql import Conditions
from domain.clock import THAILAND
from domain.dates import BUDDHIST_ERA_OFFSET
from domain.handoff import CareOutcome, Consent, HandoffStatus
from domain.masking import mask_phone, national_layout
from domain.models import CaseStatus
from rendering.officer_messages import STATUS_LABELS
from rendering.team_labels import CARE_OUTCOME_LABELS, HANDOFF_STATUS_LABELS

Destination = str | PathLike[str] | IO[bytes]

CASES_SHEET = "เรื่องแจ้งเหตุ"
DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"
ROWS_PER_FETCH = 2000
YES, NO = "ใช่", "ไม่ใช่"
BOLD = Font(bold=True)
# (header, column width in characters)
CASE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("เลขที่เรื่อง", 20),
    ("วันเวลาที่แจ้ง", 17),
    ("ประเภทเหตุ", 28),
    ("สถานะ", 20),
    ("จังหวัด", 16),
    ("อำเภอ/เขต", 18),
    ("สถานีที่รับผิดชอบ", 28),
    ("รับทราบเมื่อ", 17),
    ("ปิดเมื่อ", 17),
    ("ระดับการแจ้งเตือนขึ้น", 10),
    ("ข้อมูลครบ", 10),
    ("ต้องตรวจสอบ (แจ้งเล่นซ้ำ)", 12),
    ("ผลการดำเนินการ", 40),
    ("เบอร์ผู้แจ้ง", 15),
    ("ละติจูด", 11),
    ("ลองจิจูด", 11),
    # The case's latest hand-off to the multidisciplinary team, if any (never the team members' names).
    ("สถานะการส่งต่อทีมสหวิชาชีพ", 22),
    ("ส่งต่อทีมเมื่อ", 17),
    ("ทีมรับเรื่องเมื่อ", 17),
    ("ผลการดูแล", 28),
    ("ปิดการดูแลเมื่อ", 17),
)
CASE_ROWS_SQL = """
    SELECT c.case_no, c.reported_at, t.label_th AS incident_type, c.status, p.name_th AS province,
           d.name_th AS district, s.name_th AS station, c.acknowledged_at, c.closed_at, c.escalation_level,
           c.complete, c.review_flag, c.outcome_note, c.phone_e164, c.latitude, c.longitude,
           h.status AS handoff_status, h.forwarded_at AS handoff_forwarded_at,
           h.accepted_at AS handoff_accepted_at, h.care_outcome, h.closed_at AS care_closed_at,
           h.consent AS handoff_consent
    FROM cases c
    LEFT JOIN incident_types t ON t.code = c.incident_type_code
    LEFT JOIN provinces p ON p.code = c.province_code
    LEFT JOIN districts d ON d.code = c.district_code
    LEFT JOIN stations s ON s.id = c.station_id
    -- The latest attempt only (a case handed back and forwarded again has several), read from
    -- the (case_no, attempt) key.
    LEFT JOIN LATERAL (
        SELECT l.status, l.forwarded_at, l.accepted_at, l.care_outcome, l.closed_at, l.consent
        FROM handoffs l WHERE l.case_no = c.case_no
        ORDER BY l.attempt DESC LIMIT 1
    ) h ON true
    WHERE {where}
    ORDER BY c.reported_at DESC, c.case_no DESC
"""


# --- Every case ----------------------------------------------------------------------------------


async def write_cases_workbook(
    connection: asyncpg.Connection, case_filter: CaseFilter, destination: Destination, reveal_phone: bool,
    *, phone_needs_consent: bool = False,
) -> int:
    """Writes the filter's cases to `destination` (a path or a binary file); returns how many.

    Rows are read through a server-side cursor (inside a transaction, as PostgreSQL requires) and
    written a batch at a time by XlsxWriter in constant-memory mode: no list of all cases is ever
    built, and each row leaves memory once written. Writing is CPU-bound (most of the time 100,000
    cases take), so each batch is written in a worker thread while the next one is fetched, and the
    event loop stays free for other requests meanwhile. Times are Thailand's, as real date cells.
    The phone number is masked to its last four digits unless reveal_phone; with phone_needs_consent
    (the team's file) a case shows no digit of it unless the reporter agreed, on its latest hand-off,
    to be contacted."""
    target = os.fspath(destination) if isinstance(destination, (str, PathLike)) else destination
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    try:
        sheet = _CasesSheet(workbook, mask=national_layout if reveal_phone else mask_phone,
                            needs_consent=phone_needs_consent)
        rows = 0
        batch: list[asyncpg.Record] = []
        writing: asyncio.Future | None = None  # the batch before, while the next one is fetched
        try:
            async with connection.transaction():
                where = Conditions()
                case_filter.add_conditions(where)
                cursor = connection.cursor(CASE_ROWS_SQL.format(where=where.sql()), *where.parameters,
                                           prefetch=ROWS_PER_FETCH)
                async for case in cursor:
                    batch.append(case)
                    if len(batch) == ROWS_PER_FETCH:
                        if writing is not None:
                            await writing  # one batch at a time: rows go in order
                        writing = asyncio.ensure_future(asyncio.to_thread(sheet.write, batch))
                        rows += len(batch)
                        batch = []
        finally:
            if writing is not None:
                await writing
        await asyncio.to_thread(sheet.write, batch)
        rows += len(batch)
        sheet.finish(rows)
    finally:
        await asyncio.to_thread(workbook.close)
    return rows


class _CasesSheet:
    """The cases sheet: Thai headers in bold, frozen, a filter over every column once the rows are in."""

    def __init__(self, workbook: xlsxwriter.Workbook, mask: Callable[[str], str | None],
                 needs_consent: bool) -> None:
        self._sheet = workbook.add_worksheet(CASES_SHEET)
        self._mask = mask
        self._needs_consent = needs_consent
        self._dates = workbook.add_format({"num_format": DATE_TIME_FORMAT})
        self._next_row = 1
        for column, (_, width) in enumerate(CASE_COLUMNS):
            self._sheet.set_column(column, column, width)
        self._sheet.freeze_panes(1, 0)
        bold = workbook.add_format({"bold": True})
        for column, (header, _) in enumerate(CASE_COLUMNS):
            self._sheet.write_string(0, column, header, bold)

    def write(self, cases: list[asyncpg.Record]) -> None:
        for case in cases:
            self._write_row(case)

    def finish(self, rows: int) -> None:
        self._sheet.autofilter(0, 0, rows, len(CASE_COLUMNS) - 1)

    def _write_row(self, case: asyncpg.Record) -> None:
        values = (
            case["case_no"],
            case["reported_at"],
            case["incident_type"] or NOT_STATED[0],
            STATUS_LABELS[CaseStatus(case["status"])][0],
            case["province"],
            case["district"],
            case["station"],
            case["acknowledged_at"],
            case["closed_at"],
            case["escalation_level"],
            YES if case["complete"] else NO,
            YES if case["review_flag"] else NO,
            case["outcome_note"],
            self._phone(case),
            case["latitude"],
            case["longitude"],
            _label(HANDOFF_STATUS_LABELS, HandoffStatus, case["handoff_status"]),
            case["handoff_forwarded_at"],
            case["handoff_accepted_at"],
            _label(CARE_OUTCOME_LABELS, CareOutcome, case["care_outcome"]),
            case["care_closed_at"],
        )
        row, sheet = self._next_row, self._sheet
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                # Always a string, never a formula, whatever it starts with; no characters Excel refuses.
                sheet.write_string(row, column, ILLEGAL_CHARACTERS_RE.sub("", value))
            elif isinstance(value, datetime):
                # Excel has no time zones: the Thailand wall-clock time, as a date cell.
                sheet.write_datetime(row, column, value.astimezone(THAILAND).replace(tzinfo=None), self._dates)
            else:
                sheet.write_number(row, column, value)
        self._next_row += 1


    def _phone(self, case: asyncpg.Record) -> str | None:
        if not case["phone_e164"] or (self._needs_consent and case["handoff_consent"] != Consent.GIVEN):
            return None
        return self._mask(case["phone_e164"])


def _label(labels: dict, kind: type, value: str | None) -> str | None:
    """The Thai label of a stored value; None stays an empty cell."""
    return None if value is None else labels[kind(value)][0]


# --- The printable report -----------------------------------------------------------------------

SUMMARY_SHEET = "สรุป"
PER_DAY_SHEET = "รายวัน"
PER_TYPE_SHEET = "ประเภทเหตุ"
PER_PROVINCE_SHEET = "จังหวัด"
ACKNOWLEDGE_SHEET = "เวลารับทราบ"
HANDOFF_SHEET = "ส่งต่อทีมสหวิชาชีพ"
CASES_HEADER = "จำนวนเรื่อง"
HANDOFFS_HEADER = "จำนวนการส่งต่อ"
ALL_PROVINCES = "ทุกจังหวัด"


async def write_summary_workbook(
    connection: asyncpg.Connection, case_filter: CaseFilter, destination: Destination, today: date,
    now: datetime | None = None,
) -> None:
    """The dashboard as a printable workbook: the filter and the counters on "สรุป", then a sheet
    per figure (per day, per incident type, per province, time to acknowledge, hand-offs to the
    team), each with its chart. Dates are dd/mm/yyyy in the Buddhist era. `now` (default: the
    current time) decides which hand-offs are overdue."""
    counters = await case_counters(connection, case_filter, today)
    per_day = await cases_per_day(connection, case_filter)
    per_type = await cases_per_type(connection, case_filter)
    per_province = await cases_per_province(connection, case_filter)
    acknowledge = await time_to_acknowledge(connection, case_filter)
    handoffs = await handoff_figures(connection, case_filter, now or datetime.now(UTC))

    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _append(summary, "รายงานสรุปเรื่องแจ้งเหตุ ESS Help Me", bold=True)
    _append(summary)
    _append(summary, "ขอบเขตข้อมูล", await _describe_scope(connection, case_filter))
    _append(summary, "จังหวัด", await _province_name(connection, case_filter.province_code))
    _append(summary, "ช่วงวันที่แจ้ง", _describe_dates(case_filter.reported_from, case_filter.reported_to))
    _append(summary, "วันที่ออกรายงาน", thai_date(today))
    _append(summary)
    _append(summary, "ตัวเลขสรุป", CASES_HEADER, bold=True)
    _append(summary, "เรื่องทั้งหมด", counters.total)
    _append(summary, "แจ้งวันนี้", counters.today)
    for status in CaseStatus:
        _append(summary, STATUS_LABELS[status][0], counters.of_status(status))
    _widen(summary, 26, 30)

    _figure_sheet(
        workbook, PER_DAY_SHEET, "วันที่", [(thai_date(d.day), d.cases) for d in per_day],
        LineChart(), "จำนวนเรื่องแจ้งเหตุรายวัน",
    )
    _figure_sheet(
        workbook, PER_TYPE_SHEET, "ประเภทเหตุ", [(t.label_th, t.cases) for t in per_type],
        BarChart(), "จำนวนเรื่องตามประเภทเหตุ",
    )
    _figure_sheet(
        workbook, PER_PROVINCE_SHEET, "จังหวัด", [(p.name_th, p.cases) for p in per_province],
        _horizontal(BarChart()), "จำนวนเรื่องตามจังหวัด",
        chart_height=max(10, len(per_province) * 0.5),  # room for each province's name
    )
    waits = _figure_sheet(
        workbook, ACKNOWLEDGE_SHEET, "ระยะเวลาตั้งแต่แจ้งจนรับทราบ",
        [(b.label_th, b.cases) for b in acknowledge.buckets], BarChart(), "ระยะเวลาตั้งแต่แจ้งจนรับทราบ",
    )
    _append(waits)
    _append(waits, "จำนวนเรื่องที่รับทราบแล้ว", acknowledge.acknowledged)
    _append(waits, "ค่ามัธยฐาน (นาที)", _minutes(acknowledge.median_seconds))
    _append(waits, "เปอร์เซ็นไทล์ที่ 90 (นาที)", _minutes(acknowledge.p90_seconds))
    _handoff_sheet(workbook, handoffs)
    workbook.save(destination)


def thai_date(day: date) -> str:
    """dd/mm/yyyy in the Buddhist era, as Thai readers write dates."""
    return f"{day.day:02d}/{day.month:02d}/{day.year + BUDDHIST_ERA_OFFSET}"


def _describe_dates(first: date | None, last: date | None) -> str:
    if first and last:
        return f"{thai_date(first)} ถึง {thai_date(last)}"
    if first:
        return f"ตั้งแต่ {thai_date(first)}"
    if last:
        return f"จนถึง {thai_date(last)}"
    return "ทุกวันที่"


async def _describe_scope(connection: asyncpg.Connection, case_filter: CaseFilter) -> str:
    scope = case_filter.scope
    if scope.nothing:
        return "ไม่มีเรื่องที่ดูได้"
    if scope.station_id is not None:
        name = await connection.fetchval("SELECT name_th FROM stations WHERE id = $1", scope.station_id)
        return f"สถานี {name or '-'}"
    if scope.province_code is not None:
        return f"จังหวัด {await _province_name(connection, scope.province_code)}"
    return "ทั้งประเทศ"


async def _province_name(connection: asyncpg.Connection, province_code: str | None) -> str:
    if province_code is None:
        return ALL_PROVINCES
    name = await connection.fetchval("SELECT name_th FROM provinces WHERE code = $1", province_code)
    return name or province_code


def _handoff_sheet(workbook: Workbook, figures: HandoffFigures) -> Worksheet:
    """The hand-offs forwarded in the period: where they stand, how soon the team accepted them,
    then how the care ended, per category, with its chart."""
    share = figures.share_accepted_in_time
    counters: list[tuple[str, int | float | str]] = [
        ("ส่งต่อทีมสหวิชาชีพ", figures.forwarded),
        ("ทีมรับเรื่องแล้ว", figures.accepted),
        (HANDOFF_STATUS_LABELS[HandoffStatus.IN_CARE][0], figures.in_care),
        (HANDOFF_STATUS_LABELS[HandoffStatus.CLOSED][0], figures.closed),
        (HANDOFF_STATUS_LABELS[HandoffStatus.REJECTED][0], figures.returned),
        (HANDOFF_STATUS_LABELS[HandoffStatus.AWAITING][0], figures.awaiting),
        ("เกินกำหนดรับเรื่อง", figures.overdue),
        ("รับเรื่องทันกำหนด", figures.accepted_in_time),
        ("สัดส่วนที่รับเรื่องทันกำหนด (%)", "-" if share is None else round(100 * share, 1)),
        ("เวลาจนทีมรับเรื่อง ค่ามัธยฐาน (นาที)", _rounded(figures.median_minutes_to_accept)),
        ("เวลาจนทีมรับเรื่อง เปอร์เซ็นไทล์ที่ 90 (นาที)", _rounded(figures.p90_minutes_to_accept)),
    ]
    sheet = workbook.create_sheet(HANDOFF_SHEET)
    _append(sheet, "การส่งต่อทีมสหวิชาชีพ (ตามวันที่ส่งต่อ)", HANDOFFS_HEADER, bold=True)
    for label, value in counters:
        _append(sheet, label, value)
    _append(sheet)
    outcomes_header_row = len(counters) + 3  # after the counters' header, the counters and a blank line
    _append(sheet, "ผลการดูแล", HANDOFFS_HEADER, bold=True)
    for outcome, count in figures.care_outcomes.items():
        _append(sheet, CARE_OUTCOME_LABELS[outcome][0], count)
    _chart_beside(sheet, BarChart(), "ผลการดูแลตามประเภท", outcomes_header_row,
                  outcomes_header_row + len(figures.care_outcomes))
    _widen(sheet, 40, 14)
    return sheet


def _figure_sheet(
    workbook: Workbook,
    title: str,
    label_header: str,
    rows: list[tuple[str, int]],
    chart: BarChart | LineChart,
    chart_title: str,
    chart_height: float = 10,
) -> Worksheet:
    """A two-column table (label, number of cases) and its chart beside it."""
    sheet = workbook.create_sheet(title)
    _append(sheet, label_header, CASES_HEADER, bold=True)
    for label, cases in rows:
        _append(sheet, label, cases)
    _chart_beside(sheet, chart, chart_title, 1, len(rows) + 1, chart_height)
    _widen(sheet, 34, 14)
    return sheet


def _chart_beside(
    sheet: Worksheet,
    chart: BarChart | LineChart,
    chart_title: str,
    header_row: int,
    last_row: int,
    chart_height: float = 10,
) -> None:
    """The chart of a two-column table (labels, numbers) from its header row to its last row,
    to the right of the table."""
    last_row = max(last_row, header_row + 1)  # an empty figure still gets its (blank) chart
    chart.add_data(Reference(sheet, min_col=2, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last_row))
    chart.title = chart_title
    chart.legend = None
    # openpyxl leaves axes to the reader's default, and some Excel versions then hide them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 24, chart_height
    sheet.add_chart(chart, "D2")


def _horizontal(chart: BarChart) -> BarChart:
    """Province names read better down the side, one bar per line."""
    chart.type = "bar"
    return chart


def _append(sheet: Worksheet, *values: Any, bold: bool = False) -> None:
    """One row (none: a blank line). Values here are never formulas, whatever they start with."""
    cells = []
    for value in values:
        cell = Cell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value)
        if cell.data_type == "f":
            cell.data_type = "s"
        if bold:
            cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def _minutes(seconds: float | None) -> float | str:
    return "-" if seconds is None else round(seconds / 60, 1)


def _rounded(minutes: float | None) -> float | str:
    return "-" if minutes is None else round(minutes, 1)


def _widen(sheet: Worksheet, *widths: int) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


# --- Stations that would reach nobody ------------------------------------------------------------

REACHING_NOBODY_SHEET = "สถานีที่ไม่มีผู้รับแจ้ง"
REACHING_NOBODY_COLUMNS = [("รหัสสถานี", 14), ("สถานี", 36), ("จังหวัด", 20), ("เชื่อม LINE แล้ว", 16),
                           ("ยังไม่เชื่อม LINE", 16)]


def write_stations_reaching_nobody(stations: list[StationLinks], destination: Destination) -> None:
    """The stations whose officers on duty have no LINE link (a case there alerts nobody at the first
    rung), one row each, Thai headers in bold, frozen, with a filter."""
    target = os.fspath(destination) if isinstance(destination, (str, PathLike)) else destination
    workbook = xlsxwriter.Workbook(target)
    try:
        sheet = workbook.add_worksheet(REACHING_NOBODY_SHEET)
        bold = workbook.add_format({"bold": True})
        for column, (header, width) in enumerate(REACHING_NOBODY_COLUMNS):
            sheet.set_column(column, column, width)
            sheet.write_string(0, column, header, bold)
        sheet.freeze_panes(1, 0)
        for row, station in enumerate(stations, start=1):
            sheet.write_string(row, 0, station.station_code)
            sheet.write_string(row, 1, station.station_th)
            sheet.write_string(row, 2, station.province_th)
            sheet.write_number(row, 3, station.linked)
            sheet.write_number(row, 4, station.not_linked)
        sheet.autofilter(0, 0, len(stations), len(REACHING_NOBODY_COLUMNS) - 1)
    finally:
        workbook.close()
