"""A workbook of one large sheet, written row by row straight into its zip file.

The cases download must write about 100,000 rows of 21 columns within 10 s. XlsxWriter, which
writes every other workbook here, spends some 7 µs of Python per cell: 15–18 s for those rows on
this project's machines. PyExcelerate (12 s) and Excelize's Python binding (45 s) were no faster,
and the one binding that was (of the Rust rust_xlsxwriter) has one maintainer and no 1.0. The
sheet the download needs is simple enough to write directly: text as inline strings (never a
formula, whatever it starts with), numbers, dates as numbers in one date style, a bold header,
column widths, the header row frozen and a filter over every column. A row costs one string
template per cell and the zip's compression, which runs outside the interpreter's lock.

Written as XlsxWriter writes such a sheet in its constant-memory mode, less its optional parts (the
sheet's dimension, which is unknown until the last row; the theme; the document properties).
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from rendering.spreadsheet import Destination

Value = str | int | float | None
_NUMBERS = (int, float)
# Rows joined into one write: few enough that their XML is no burden to memory (about 1 MB).
_ROWS_PER_WRITE = 256
# Excel's limit on the characters of a cell.
MAX_TEXT = 32_767
# Characters XML 1.0 cannot hold at all (tab, line feed and carriage return it can).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel's column width: characters of the default font's digit (7 px) plus 5 px of padding, in 1/256.
_DIGIT_PX, _PADDING_PX = 7, 5

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_PART = "xl/worksheets/sheet1.xml"

_CONTENT_TYPES = (
    _DECLARATION + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/{_SHEET_PART}" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_PACKAGE_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/></Relationships>'
)
# Cell styles by index: 0 plain, 1 the header's bold, 2 dates.
_PLAIN, _BOLD, _DATE = 0, 1, 2
_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
_STYLES = (
    _DECLARATION + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode={date_format}/></numFmts>'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


@dataclass(frozen=True)
class Column:
    header: str
    width: int  # in characters
    dates: bool = False  # its numbers are Excel day numbers, shown in the workbook's date format


def column_letters(index: int) -> str:
    """A, B, … Z, AA, … for the 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


class StreamedWorkbook:
    """One sheet, its header row first, then rows as they come; nothing of them stays in memory.

    Use it as a context manager, or call close(): the filter's range and the workbook's parts are
    written there. Rows are written in the caller's thread; one writer at a time."""

    def __init__(self, destination: Destination, sheet_name: str, columns: Sequence[Column], date_format: str,
                 *, compression_level: int = 6) -> None:
        self._sheet_name = sheet_name
        self._columns = tuple(columns)
        self._last_letters = column_letters(len(self._columns) - 1)
        self._letters = tuple(column_letters(index) for index in range(len(self._columns)))
        self._date_columns = frozenset(index for index, column in enumerate(self._columns) if column.dates)
        self._rows = 1  # the header's
        self._closed = False
        self._zip = zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED,
                                    compresslevel=compression_level)
        try:
            self._zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
            self._zip.writestr("_rels/.rels", _PACKAGE_RELS)
            self._zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            self._zip.writestr("xl/styles.xml", _STYLES.format(date_format=quoteattr(date_format)))
            self._sheet: IO[bytes] = self._zip.open(_SHEET_PART, "w", force_zip64=True)
            self._sheet.write(self._sheet_head().encode())
        except BaseException:
            self._zip.close()
            raise

    @property
    def rows(self) -> int:
        """Rows written below the header."""
        return self._rows - 1

    def write_rows(self, rows: Iterable[Sequence[Value]]) -> None:
        """Writes each row's values in column order; None leaves its cell empty.

        Text is written as text (an "=" is no formula), without the characters XML cannot hold and
        cut at Excel's 32,767 characters. A number in a date column is a date cell. Anything else,
        or a number Excel cannot hold (NaN, infinity), is a ValueError."""
        letters, date_columns, width = self._letters, self._date_columns, len(self._columns)
        number = self._rows
        parts: list[str] = []
        for values in rows:
            if len(values) > width:
                raise ValueError(f"a row of {len(values)} values for {width} columns")
            number += 1
            parts.append(f'<row r="{number}">')
            for index, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, str):
                    parts.append(f'<c r="{letters[index]}{number}" t="inlineStr"><is>{_text(value)}</is></c>')
                elif type(value) in _NUMBERS and math.isfinite(value):  # a bool is no number here
                    style = f' s="{_DATE}"' if index in date_columns else ""
                    parts.append(f'<c r="{letters[index]}{number}"{style}><v>{value!r}</v></c>')
                else:
                    raise ValueError(f"row {number}, column {letters[index]}: {value!r} is not a cell")
            parts.append("</row>")
            if number % _ROWS_PER_WRITE == 0:
                self._sheet.write("".join(parts).encode())
                parts.clear()
        self._sheet.write("".join(parts).encode())
        self._rows = number

    def close(self) -> None:
        """Ends the sheet with a filter over every row, and the workbook with its sheet."""
        if self._closed:
            return
        self._closed = True
        try:
            area = f"A1:{self._last_letters}{self._rows}"
            self._sheet.write(f'</sheetData><autoFilter ref="{area}"/><pageMargins left="0.7" right="0.7" '
                              'top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'.encode())
            self._sheet.close()
            quoted = "'" + self._sheet_name.replace("'", "''") + "'"
            absolute = f"$A$1:${self._last_letters}${self._rows}"
            self._zip.writestr("xl/workbook.xml", (
                _DECLARATION + f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><bookViews><workbookView/>'
                f'</bookViews><sheets><sheet name={quoteattr(self._sheet_name)} sheetId="1" r:id="rId1"/></sheets>'
                '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
                f'{escape(quoted)}!{absolute}</definedName></definedNames></workbook>'))
        finally:
            self._zip.close()

    def abandon(self) -> None:
        """Closes the file after a failure; what it holds is no workbook."""
        if self._closed:
            return
        self._closed = True
        try:
            self._sheet.close()
        finally:
            self._zip.close()

    def __enter__(self) -> StreamedWorkbook:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if error is None:
            self.close()
        else:
            self.abandon()

    def _sheet_head(self) -> str:
        widths = "".join(
            f'<col min="{index}" max="{index}" width="{_stored_width(column.width)}" customWidth="1"/>'
            for index, column in enumerate(self._columns, 1))
        header = "".join(f'<c r="{letters}1" s="{_BOLD}" t="inlineStr"><is>{_text(column.header)}</is></c>'
                         for letters, column in zip(self._letters, self._columns, strict=True))
        return (
            _DECLARATION + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
            f'<sheetData><row r="1">{header}</row>'
        )


def _text(value: str) -> str:
    """An inline string's <t> element."""
    if not value.isprintable():  # only then can it hold a character XML refuses
        value = _NOT_XML.sub("", value)
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if value and (value[0].isspace() or value[-1].isspace()):
        return f'<t xml:space="preserve">{escape(value)}</t>'
    return f"<t>{escape(value)}</t>"


def _stored_width(characters: int) -> float:
    """A width in characters as Excel stores it (20 → 20.7109375)."""
    return int((characters * _DIGIT_PX + _PADDING_PX) / _DIGIT_PX * 256) / 256
