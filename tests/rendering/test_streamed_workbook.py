"""A one-sheet workbook written as a stream: what goes in comes out of a reader as it went in — text
as text (never a formula), numbers exactly, dates as date cells — with a bold, frozen header, the
column widths asked for and a filter over every row; rows do not stay in memory; what a workbook
cannot hold is refused, not written."""

from __future__ import annotations

import io
import math
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from rendering.streamed_workbook import MAX_TEXT, Column, StreamedWorkbook, Value, column_letters

COLUMNS = (Column("ข้อความ", 30), Column("จำนวน", 10), Column("เมื่อ", 17, dates=True), Column("หมายเหตุ", 40))
DATE_FORMAT = "dd/mm/yyyy hh:mm"
# 1 March 2001, 09:30, as Excel's day number.
MARCH_FIRST_0930 = 36951 + 9.5 / 24


def written(rows: list[tuple[Value, ...]], columns: tuple[Column, ...] = COLUMNS, name: str = "ชีต") -> bytes:
    buffer = io.BytesIO()
    with StreamedWorkbook(buffer, name, columns, DATE_FORMAT) as workbook:
        workbook.write_rows(rows)
    return buffer.getvalue()


def sheet_of(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def filter_database(content: bytes) -> str | None:
    """The workbook's name for the filtered area, which Excel needs and openpyxl does not read."""
    workbook = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("xl/workbook.xml"))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    names = {name.get("name"): name.text for name in workbook.iter(f"{main}definedName")}
    return names.get("_xlnm._FilterDatabase")


def test_the_header_is_bold_frozen_filtered_and_as_wide_as_asked() -> None:
    content = written([("ก", 1, None, None), ("ข", 2, None, None)])

    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["ชีต"]
    sheet = workbook["ชีต"]
    assert [cell.value for cell in sheet[1]] == ["ข้อความ", "จำนวน", "เมื่อ", "หมายเหตุ"]
    assert all(cell.font.b for cell in sheet[1]) and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    assert sheet.max_row == 3
    # Excel's stored width of 30 and 40 characters (7 px digits, 5 px padding).
    assert [sheet.column_dimensions[letter].width for letter in "AD"] == [30.7109375, 40.7109375]
    assert filter_database(content) == "'ชีต'!$A$1:$D$3"


def test_text_comes_back_exactly_and_never_as_a_formula() -> None:
    texts = ['ตำรวจ & ทีม <สหวิชาชีพ> "ด่วน" \'มาก\'', '=HYPERLINK("http://example.invalid","x")',
             "บรรทัดแรก\nบรรทัดสอง\tแท็บ", "  เว้นหน้าและหลัง  ", "🚨 ช่วยด้วย", "+66812345678", "0"]

    sheet = sheet_of(written([(text,) for text in texts]))

    cells = [sheet.cell(row, 1) for row in range(2, 2 + len(texts))]
    assert [cell.value for cell in cells] == texts
    assert {cell.data_type for cell in cells} == {"s"}


def test_characters_xml_cannot_hold_are_dropped_and_text_is_cut_at_excels_limit() -> None:
    sheet = sheet_of(written([("เสียง\x07ดัง\x00\x1b",), ("ก" * (MAX_TEXT + 10),)]))

    assert sheet["A2"].value == "เสียงดัง"
    assert sheet["A3"].value == "ก" * MAX_TEXT


def test_numbers_come_back_exactly_and_a_date_columns_numbers_are_dates() -> None:
    sheet = sheet_of(written([("", 3, MARCH_FIRST_0930, 0.1 + 0.2), (None, -7, None, 13.756331)]))

    assert (sheet["B2"].value, sheet["D2"].value, sheet["B3"].value, sheet["D3"].value) == (3, 0.1 + 0.2, -7, 13.756331)
    assert sheet["C2"].is_date and sheet["C2"].number_format == DATE_FORMAT
    assert sheet["C2"].value == datetime(2001, 3, 1, 9, 30)
    assert not sheet["D2"].is_date


def test_a_second_independent_reader_reads_the_same_cells() -> None:
    """Calamine (Rust; pandas reads Excel files with it) parses the package its own way."""
    rows: list[tuple[Value, ...]] = [("ตำรวจ & ทีม <สหวิชาชีพ>", 3, MARCH_FIRST_0930, "=SUM(A1)"),
                                     ("  เว้นหน้าและหลัง  ", None, None, 0.1 + 0.2)]
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(written(rows)))

    assert workbook.sheet_names == ["ชีต"]
    assert workbook.get_sheet_by_index(0).to_python() == [
        ["ข้อความ", "จำนวน", "เมื่อ", "หมายเหตุ"],
        ["ตำรวจ & ทีม <สหวิชาชีพ>", 3.0, datetime(2001, 3, 1, 9, 30), "=SUM(A1)"],
        ["  เว้นหน้าและหลัง  ", "", "", 0.1 + 0.2],
    ]


def test_an_empty_value_leaves_its_cell_empty_and_the_next_ones_in_their_columns() -> None:
    sheet = sheet_of(written([(None, 1, None, "ท้าย"), ("ต้น",)]))

    assert [cell.value for cell in sheet[2]] == [None, 1, None, "ท้าย"]
    assert [cell.value for cell in sheet[3]] == ["ต้น", None, None, None]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, True, datetime(2001, 3, 1), b"bytes", [1]])
def test_a_value_a_cell_cannot_hold_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="row 2, column B"):
        written([("ก", value)])  # type: ignore[list-item]


def test_a_row_longer_than_the_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="5 values for 4 columns"):
        written([("ก", 1, None, None, "เกิน")])


def test_without_rows_the_sheet_is_the_header_and_its_filter() -> None:
    sheet = sheet_of(written([]))

    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:D1"


def test_a_sheet_name_with_an_apostrophe_is_quoted_in_the_filters_name() -> None:
    content = written([("ก",)], name="Tom's cases")

    assert load_workbook(io.BytesIO(content)).sheetnames == ["Tom's cases"]
    assert filter_database(content) == "'Tom''s cases'!$A$1:$D$2"


def test_every_part_is_xml_with_a_content_type_and_every_relationship_finds_its_part() -> None:
    archive = zipfile.ZipFile(io.BytesIO(written([("ก & ข", 1, MARCH_FIRST_0930, "ค")])))
    parts = set(archive.namelist())
    documents = {name: ElementTree.fromstring(archive.read(name)) for name in parts}

    namespace = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    types = documents["[Content_Types].xml"]
    overridden = {item.get("PartName", "").lstrip("/") for item in types.iter(f"{namespace}Override")}
    defaults = {item.get("Extension") for item in types.iter(f"{namespace}Default")}
    assert all(name in overridden or name.rsplit(".", 1)[-1] in defaults for name in parts)
    assert overridden <= parts
    for name in (part for part in parts if part.endswith(".rels")):
        folder = name.split("_rels/")[0]  # targets are relative to the folder holding _rels
        for relationship in documents[name]:
            assert folder + relationship.get("Target", "") in parts, (name, relationship.get("Target"))


def test_rows_go_to_the_file_as_they_come_not_into_memory(tmp_path: Path) -> None:
    row = ("ข้อความที่ยาวพอสมควร " * 4, 12345, MARCH_FIRST_0930, "หมายเหตุ " * 8)
    tracemalloc.start()
    try:
        with StreamedWorkbook(tmp_path / "big.xlsx", "ชีต", COLUMNS, DATE_FORMAT) as workbook:
            for _ in range(25):
                workbook.write_rows([row] * 2_000)  # as the cases download's batches come
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert workbook.rows == 50_000
    # 50,000 such rows are some 40 MB of XML, a batch of 2,000 over 1.5 MB: a few hundred rows at a time.
    assert peak < 1.5 * 1024 * 1024, peak
    assert sheet_of((tmp_path / "big.xlsx").read_bytes()).max_row == 50_001


def test_a_failure_midway_leaves_the_file_closed_and_says_what_failed(tmp_path: Path) -> None:
    destination = tmp_path / "broken.xlsx"
    with pytest.raises(ValueError, match="row 3"), \
            StreamedWorkbook(destination, "ชีต", COLUMNS, DATE_FORMAT) as workbook:
        workbook.write_rows([("ก",), (math.nan,)])

    with pytest.raises(ValueError):
        workbook.write_rows([("ข",)])  # the sheet is closed


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (20, "U"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters_are_excels(index: int, letters: str) -> None:
    assert column_letters(index) == letters
