"""The case dashboard's "Download Excel": every case of the filter, one row each, newest first,
with its latest hand-off to the multidisciplinary team, as a sheet in Thai.

Streamed: batches of rows (database.case_export.case_row_batches) go straight into the sheet's zip
entry (rendering.streamed_workbook, several times faster than XlsxWriter for this one large sheet),
so memory stays flat however many cases. A row does as little as it can around its cells: labels
are looked up in plain dictionaries, dates are one division each.

The reporter's phone number is masked (last four digits) unless the caller may reveal it; in the
multidisciplinary team's own file it shows only where the reporter agreed to be contacted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import Any, Protocol

from domain.clock import THAILAND
from domain.handoff import Consent
from domain.masking import mask_phone, national_layout
from rendering.officer_messages import STATUS_LABELS
from rendering.spreadsheet import Destination
from rendering.streamed_workbook import Column, StreamedWorkbook, Value
from rendering.team_labels import CARE_OUTCOME_LABELS, HANDOFF_STATUS_LABELS

CASES_SHEET = "เรื่องแจ้งเหตุ"
DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"
YES, NO = "ใช่", "ไม่ใช่"
NOT_STATED = "ไม่ระบุ"  # a case whose type the reporter never stated, as the dashboard says it
CASE_COLUMNS: tuple[Column, ...] = (
    Column("เลขที่เรื่อง", 20),
    Column("วันเวลาที่แจ้ง", 17, dates=True),
    Column("ประเภทเหตุ", 28),
    Column("สถานะ", 20),
    Column("จังหวัด", 16),
    Column("อำเภอ/เขต", 18),
    Column("สถานีที่รับผิดชอบ", 28),
    Column("รับทราบเมื่อ", 17, dates=True),
    Column("ปิดเมื่อ", 17, dates=True),
    Column("ระดับการแจ้งเตือนขึ้น", 10),
    Column("ข้อมูลครบ", 10),
    Column("ต้องตรวจสอบ (แจ้งเล่นซ้ำ)", 12),
    Column("ผลการดำเนินการ", 40),
    Column("เบอร์ผู้แจ้ง", 15),
    Column("ละติจูด", 11),
    Column("ลองจิจูด", 11),
    # The case's latest hand-off to the multidisciplinary team, if any (never the team members' names).
    Column("สถานะการส่งต่อทีมสหวิชาชีพ", 22),
    Column("ส่งต่อทีมเมื่อ", 17, dates=True),
    Column("ทีมรับเรื่องเมื่อ", 17, dates=True),
    Column("ผลการดูแล", 28),
    Column("ปิดการดูแลเมื่อ", 17, dates=True),
)


class CaseRow(Protocol):
    """A case as database.case_export reads it: its columns by name."""

    def __getitem__(self, column: str, /) -> Any: ...


async def write_cases_workbook(
    batches: AsyncGenerator[Sequence[CaseRow], None], destination: Destination, reveal_phone: bool,
    *, phone_needs_consent: bool = False,
) -> int:
    """Writes the cases of `batches` to `destination` (a path or a binary file); returns how many.

    The sheet has Thai headers in bold, frozen, and a filter over every column. Writing is CPU-bound
    (most of the time 100,000 cases take), so each batch is written in a worker thread while the
    next one is fetched, and the event loop stays free for other requests meanwhile; `batches` is
    closed (its cursor's transaction ends) whatever happens. Times are Thailand's, as real date
    cells. The phone number is masked to its last four digits unless reveal_phone; with
    phone_needs_consent (the team's file) a case shows no digit of it unless the reporter agreed, on
    its latest hand-off, to be contacted."""
    workbook = StreamedWorkbook(destination, CASES_SHEET, CASE_COLUMNS, DATE_TIME_FORMAT)
    try:
        cells = CaseCells(mask=national_layout if reveal_phone else mask_phone, needs_consent=phone_needs_consent)
        writing: asyncio.Future | None = None  # the batch before, while the next one is fetched
        try:
            async with aclosing(batches):
                async for batch in batches:
                    if writing is not None:
                        await writing  # one batch at a time: rows go in order
                    writing = asyncio.ensure_future(asyncio.to_thread(workbook.write_rows, map(cells.values, batch)))
        finally:
            if writing is not None:
                await writing
        await asyncio.to_thread(workbook.close)
    except BaseException:
        workbook.abandon()
        raise
    return workbook.rows


# Excel has no time zones: a time is the Thailand wall-clock time, as a serial day number (day 25569
# is 1 January 1970). Thailand's offset is fixed (domain.clock), so a cell's number is one division
# instead of a time-zone conversion per cell.
SECONDS_A_DAY = 86_400
EXCEL_DAY_OF_THAILAND_EPOCH = 25_569 + THAILAND.utcoffset(None).total_seconds() / SECONDS_A_DAY

# The labels by stored value: a plain lookup per cell (the stored values are the enums' values).
_STATUS = {status.value: labels[0] for status, labels in STATUS_LABELS.items()}
_HANDOFF_STATUS = {status.value: labels[0] for status, labels in HANDOFF_STATUS_LABELS.items()}
_CARE_OUTCOME = {outcome.value: labels[0] for outcome, labels in CARE_OUTCOME_LABELS.items()}


def _day(moment: datetime | None) -> float | None:
    """A time as Excel's day number of the Thailand wall-clock time."""
    return None if moment is None else moment.timestamp() / SECONDS_A_DAY + EXCEL_DAY_OF_THAILAND_EPOCH


class CaseCells:
    """A case's cells in CASE_COLUMNS' order, in Thai."""

    def __init__(self, mask: Callable[[str], str | None], needs_consent: bool) -> None:
        self._mask = mask
        self._needs_consent = needs_consent

    def values(self, case: CaseRow) -> tuple[Value, ...]:
        handoff_status, care_outcome = case["handoff_status"], case["care_outcome"]
        return (
            case["case_no"],
            _day(case["reported_at"]),
            case["incident_type"] or NOT_STATED,
            _STATUS[case["status"]],
            case["province"],
            case["district"],
            case["station"],
            _day(case["acknowledged_at"]),
            _day(case["closed_at"]),
            case["escalation_level"],
            YES if case["complete"] else NO,
            YES if case["review_flag"] else NO,
            case["outcome_note"],
            self._phone(case),
            case["latitude"],
            case["longitude"],
            None if handoff_status is None else _HANDOFF_STATUS[handoff_status],
            _day(case["handoff_forwarded_at"]),
            _day(case["handoff_accepted_at"]),
            None if care_outcome is None else _CARE_OUTCOME[care_outcome],
            _day(case["care_closed_at"]),
        )

    def _phone(self, case: CaseRow) -> str | None:
        if not case["phone_e164"] or (self._needs_consent and case["handoff_consent"] != Consent.GIVEN):
            return None
        return self._mask(case["phone_e164"])
