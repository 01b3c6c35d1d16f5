"""The directory's sheets read from an Excel workbook (sheets "stations", "officers", "team_members"
and "agencies", each optional) or from CSV files: a header and rows of cells as text."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import openpyxl

STATIONS_SHEET = "stations"
OFFICERS_SHEET = "officers"
TEAM_MEMBERS_SHEET = "team_members"
# Names the team members' sheet may have (compared like headers: "team_members" is "team members").
TEAM_MEMBERS_SHEET_NAMES = ("team members", "ทีมสหวิชาชีพ")
AGENCIES_SHEET = "agencies"
# Names the agencies' sheet may have: the agencies the team refers people to.
AGENCIES_SHEET_NAMES = ("agencies", "หน่วยงาน", "หน่วยงานส่งต่อ")


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells as text)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets turn codes into numbers
    return str(value).strip()


def _sheet(name: str, rows: Iterable[Iterable[object]]) -> Sheet:
    iterator = iter(rows)
    header = [_text(cell) for cell in next(iterator, [])]
    body = [
        (number, [_text(cell) for cell in row])
        for number, row in enumerate(iterator, start=2)
    ]
    return Sheet(name, header, [(number, cells) for number, cells in body if any(cells)])


def read_workbook(path: Path | BinaryIO) -> tuple[Sheet | None, Sheet | None, Sheet | None, Sheet | None]:
    """The stations, officers, team members and agencies sheets of a workbook file (a path, or an
    uploaded file's bytes), in import_directory's order; None for a sheet the workbook does not have."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {heading(sheet.title): sheet for sheet in workbook.worksheets}
        team = next((sheets[name] for name in TEAM_MEMBERS_SHEET_NAMES if name in sheets), None)
        agencies = next((sheets[name] for name in AGENCIES_SHEET_NAMES if name in sheets), None)
        stations, officers = sheets.get(STATIONS_SHEET), sheets.get(OFFICERS_SHEET)
        return (
            _sheet(STATIONS_SHEET, stations.iter_rows(values_only=True)) if stations is not None else None,
            _sheet(OFFICERS_SHEET, officers.iter_rows(values_only=True)) if officers is not None else None,
            _sheet(TEAM_MEMBERS_SHEET, team.iter_rows(values_only=True)) if team is not None else None,
            _sheet(AGENCIES_SHEET, agencies.iter_rows(values_only=True)) if agencies is not None else None,
        )
    finally:
        workbook.close()


def heading(text: str) -> str:
    """A header or sheet name as compared: lower case, "_" read as a space, spaces collapsed."""
    return " ".join(text.replace("_", " ").lower().split())


def read_csv(path: Path, name: str) -> Sheet:
    # utf-8-sig: Excel writes a byte-order mark when it saves CSV as UTF-8.
    with path.open(encoding="utf-8-sig", newline="") as file:
        return _sheet(name, list(csv.reader(file)))
