"""Imports the real directory — police stations, 191 centres, officers, the provinces'
multidisciplinary team members and the agencies they refer people to — from an Excel workbook
(sheets "stations", "officers", "team_members" and "agencies", each optional) or from CSV files,
with Thai or English column headers; prints what was imported and the new registration codes, or
every problem (then nothing is imported, exit 1).

    python -m tools.directory_import FILE.xlsx
    python -m tools.directory_import --stations stations.csv --officers officers.csv \
        --team-members team_members.csv --agencies agencies.csv
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from database.directory.importing import import_directory
from database.directory.report import ImportReport
from database.directory.sheets import (
    AGENCIES_SHEET,
    OFFICERS_SHEET,
    STATIONS_SHEET,
    TEAM_MEMBERS_SHEET,
    read_csv,
    read_workbook,
)
from tools.database_connection import database_connection


async def _import_files(
    workbook: Path | None, stations: Path | None, officers: Path | None, team_members: Path | None,
    agencies: Path | None,
) -> ImportReport:
    if workbook:
        station_sheet, officer_sheet, team_sheet, agency_sheet = read_workbook(workbook)
    else:
        station_sheet = read_csv(stations, STATIONS_SHEET) if stations else None
        officer_sheet = read_csv(officers, OFFICERS_SHEET) if officers else None
        team_sheet = read_csv(team_members, TEAM_MEMBERS_SHEET) if team_members else None
        agency_sheet = read_csv(agencies, AGENCIES_SHEET) if agencies else None
    async with database_connection() as connection:
        return await import_directory(connection, station_sheet, officer_sheet, team_sheet, agency_sheet)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.directory_import",
        description="นำเข้าสถานี เจ้าหน้าที่ ทีมสหวิชาชีพ และหน่วยงานส่งต่อ / "
        "Import stations, officers, team members and agencies (.xlsx, or CSV files)",
    )
    parser.add_argument("workbook", nargs="?", type=Path,
                        help='an .xlsx file with sheets "stations", "officers", "team_members" and/or "agencies"')
    parser.add_argument("--stations", type=Path, help="stations as CSV")
    parser.add_argument("--officers", type=Path, help="officers as CSV")
    parser.add_argument("--team-members", type=Path, help="multidisciplinary team members as CSV")
    parser.add_argument("--agencies", type=Path, help="the agencies teams refer people to, as CSV")
    arguments = parser.parse_args(argv)
    if not (arguments.workbook or arguments.stations or arguments.officers or arguments.team_members
            or arguments.agencies):
        parser.error("give an .xlsx file, or --stations, --officers, --team-members and/or --agencies CSV files")
    report = asyncio.run(_import_files(arguments.workbook, arguments.stations, arguments.officers,
                                       arguments.team_members, arguments.agencies))
    print(report.describe())
    return 0 if report.imported else 1


if __name__ == "__main__":
    sys.exit(main())
