"""The officer dashboard's download: the stations that would reach nobody tonight, to work
through (whom to register on LINE), as a sheet in Thai."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import xlsxwriter

from rendering.spreadsheet import Destination, xlsxwriter_target

REACHING_NOBODY_SHEET = "สถานีที่ไม่มีผู้รับแจ้ง"
REACHING_NOBODY_COLUMNS = [("รหัสสถานี", 14), ("สถานี", 36), ("จังหวัด", 20), ("เชื่อม LINE แล้ว", 16),
                           ("ยังไม่เชื่อม LINE", 16)]


class Station(Protocol):
    """A station and its officers' LINE links (database.officer_statistics.StationLinks)."""

    @property
    def station_code(self) -> str: ...
    @property
    def station_th(self) -> str: ...
    @property
    def province_th(self) -> str: ...
    @property
    def linked(self) -> int: ...
    @property
    def not_linked(self) -> int: ...


def write_stations_reaching_nobody(stations: Sequence[Station], destination: Destination) -> None:
    """The stations whose officers on duty have no LINE link (a case there alerts nobody at the first
    rung), one row each, Thai headers in bold, frozen, with a filter."""
    workbook = xlsxwriter.Workbook(xlsxwriter_target(destination))
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
