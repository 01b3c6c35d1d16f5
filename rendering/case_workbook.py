"""The case dashboard's "Download Excel": every case of the filter, one row each, newest first,
with its latest hand-off to the multidisciplinary team, as a sheet in Thai.

Streamed: batches of rows (database.case_export.case_row_batches) go straight into XlsxWriter's
constant-memory workbook, so memory stays flat however many cases (XlsxWriter writes such a sheet
in about 60 % of the time openpyxl's write-only mode takes). Nearly all the time goes into
XlsxWriter's own work per cell, so a row does as little as it can around it: labels are looked up
in plain dictionaries and a text is cleaned only when it holds a character that needs it.

The reporter's phone number is masked (last four digits) unless the caller may reveal it; in the
multidisciplinary team's own file it shows only where the reporter agreed to be contacted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import Any, Protocol

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from domain.clock import THAILAND
from domain.handoff import Consent
from domain.masking import mask_phone, national_layout
from rendering.officer_messages import STATUS_LABELS
from rendering.spreadsheet import Destination, xlsxwriter_target
from rendering.team_labels import CARE_OUTCOME_LABELS, HANDOFF_STATUS_LABELS

CASES_SHEET = "เรื่องแจ้งเหตุ"
DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"
YES, NO = "ใช่", "ไม่ใช่"
NOT_STATED = "ไม่ระบุ"  # a case whose type the reporter never stated, as the dashboard says it
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


class CaseRow(Protocol):
    """A case as database.case_export reads it: its columns by name."""

    def __getitem__(self, column: str, /) -> Any: ...


async def write_cases_workbook(
    batches: AsyncGenerator[Sequence[CaseRow], None], destination: Destination, reveal_phone: bool,
    *, phone_needs_consent: bool = False,
) -> int:
    """Writes the cases of `batches` to `destination` (a path or a binary file); returns how many.

    Each batch is written by XlsxWriter in constant-memory mode, and leaves memory once written.
    Writing is CPU-bound (most of the time 100,000 cases take), so each batch is written in a worker
    thread while the next one is fetched, and the event loop stays free for other requests
    meanwhile; `batches` is closed (its cursor's transaction ends) whatever happens. Times are
    Thailand's, as real date cells. The phone number is masked to its last four digits unless
    reveal_phone; with phone_needs_consent (the team's file) a case shows no digit of it unless the
    reporter agreed, on its latest hand-off, to be contacted."""
    workbook = xlsxwriter.Workbook(xlsxwriter_target(destination), {"constant_memory": True})
    try:
        sheet = _CasesSheet(workbook, mask=national_layout if reveal_phone else mask_phone,
                            needs_consent=phone_needs_consent)
        rows = 0
        writing: asyncio.Future | None = None  # the batch before, while the next one is fetched
        try:
            async with aclosing(batches):
                async for batch in batches:
                    if writing is not None:
                        await writing  # one batch at a time: rows go in order
                    writing = asyncio.ensure_future(asyncio.to_thread(sheet.write, batch))
                    rows += len(batch)
        finally:
            if writing is not None:
                await writing
        sheet.finish(rows)
    finally:
        await asyncio.to_thread(workbook.close)
    return rows


# Excel has no time zones: a time is the Thailand wall-clock time, as a serial day number (day 25569
# is 1 January 1970). Thailand's offset is fixed (domain.clock), so a cell's number is one division
# instead of a time-zone conversion and XlsxWriter's date arithmetic per cell.
SECONDS_A_DAY = 86_400
EXCEL_DAY_OF_THAILAND_EPOCH = 25_569 + THAILAND.utcoffset(None).total_seconds() / SECONDS_A_DAY

# The labels by stored value: a plain lookup per cell (the stored values are the enums' values).
_STATUS = {status.value: labels[0] for status, labels in STATUS_LABELS.items()}
_HANDOFF_STATUS = {status.value: labels[0] for status, labels in HANDOFF_STATUS_LABELS.items()}
_CARE_OUTCOME = {outcome.value: labels[0] for outcome, labels in CARE_OUTCOME_LABELS.items()}


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

    def write(self, cases: Sequence[CaseRow]) -> None:
        for case in cases:
            self._write_row(case)

    def finish(self, rows: int) -> None:
        self._sheet.autofilter(0, 0, rows, len(CASE_COLUMNS) - 1)

    def _write_row(self, case: CaseRow) -> None:
        handoff_status, care_outcome = case["handoff_status"], case["care_outcome"]
        values = (
            case["case_no"],
            case["reported_at"],
            case["incident_type"] or NOT_STATED,
            _STATUS[case["status"]],
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
            None if handoff_status is None else _HANDOFF_STATUS[handoff_status],
            case["handoff_forwarded_at"],
            case["handoff_accepted_at"],
            None if care_outcome is None else _CARE_OUTCOME[care_outcome],
            case["care_closed_at"],
        )
        row, sheet = self._next_row, self._sheet
        for column, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                # Always a string, never a formula, whatever it starts with; no characters Excel
                # refuses (all of them unprintable: a printable text needs no cleaning).
                sheet.write_string(row, column, value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value))
            elif kind is datetime:
                # A date cell: the Thailand wall-clock time as Excel's day number, in the date format.
                sheet.write_number(row, column, value.timestamp() / SECONDS_A_DAY + EXCEL_DAY_OF_THAILAND_EPOCH,
                                   self._dates)
            else:
                sheet.write_number(row, column, value)
        self._next_row += 1

    def _phone(self, case: CaseRow) -> str | None:
        if not case["phone_e164"] or (self._needs_consent and case["handoff_consent"] != Consent.GIVEN):
            return None
        return self._mask(case["phone_e164"])
