"""The baseline of the Excel figure: the same cases' cells written by XlsxWriter in its
constant-memory mode, as the download wrote them until 5 December 2026 (a batch written in a
worker thread while the next one is fetched), so that each run shows the download's time as a
ratio of XlsxWriter's on the same machine, the same rows and the same load."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from pathlib import Path

import xlsxwriter

from domain.masking import mask_phone
from rendering.case_workbook import CASE_COLUMNS, CASES_SHEET, DATE_TIME_FORMAT, CaseCells, CaseRow


async def xlsxwriter_seconds(batches: AsyncGenerator[Sequence[CaseRow], None], destination: Path) -> float:
    """Seconds XlsxWriter takes to write `batches` as the cases sheet (bold header, widths, date
    cells, frozen header, filter), the phone masked as in the bench's own export."""
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(destination), {"constant_memory": True})
    sheet = workbook.add_worksheet(CASES_SHEET)
    dates, bold = workbook.add_format({"num_format": DATE_TIME_FORMAT}), workbook.add_format({"bold": True})
    for index, column in enumerate(CASE_COLUMNS):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.header, bold)
    sheet.freeze_panes(1, 0)
    cells = CaseCells(mask=mask_phone, needs_consent=False)
    date_columns = {index for index, column in enumerate(CASE_COLUMNS) if column.dates}
    row = 0

    def write(batch: Sequence[CaseRow]) -> None:
        nonlocal row
        for case in batch:
            row += 1
            for index, value in enumerate(cells.values(case)):
                if isinstance(value, str):
                    sheet.write_string(row, index, value)
                elif value is not None:
                    sheet.write_number(row, index, value, dates if index in date_columns else None)

    writing: asyncio.Future | None = None
    async with aclosing(batches):
        async for batch in batches:
            if writing is not None:
                await writing
            writing = asyncio.ensure_future(asyncio.to_thread(write, batch))
    if writing is not None:
        await writing
    sheet.autofilter(0, 0, row, len(CASE_COLUMNS) - 1)
    await asyncio.to_thread(workbook.close)
    return time.perf_counter() - started
