"""Imports the real directory — police stations, 191 centres, officers and the provinces'
multidisciplinary team members — from an Excel workbook (sheets "stations", "officers" and
"team_members", each optional) or from CSV files, with Thai or English column headers.

Every row is checked first; every bad row is reported with its sheet, row number, column and a
reason in Thai and English. One bad row means nothing is imported. Otherwise stations, officers
and team members are inserted or updated by their code, and each officer or active team member new
to the directory gets a one-time registration code, listed in the report for the administrator to
hand out.

    python -m database.directory_import FILE.xlsx
    python -m database.directory_import --stations stations.csv --officers officers.csv \
        --team-members team_members.csv
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import asyncpg
import openpyxl
from pydantic import BaseModel

from database.officer_codes import DEFAULT_VALIDITY, issue_registration_code, issue_team_registration_code
from domain.case_rules import STATION_ROLES
from domain.handoff import TeamRole
from domain.models import OfficerRole, StationKind
from domain.phone import read_phone_number
from rendering.officer_messages import OFFICER_ROLE_LABELS
from rendering.team_labels import TEAM_ROLE_LABELS

STATIONS_SHEET = "stations"
OFFICERS_SHEET = "officers"
TEAM_MEMBERS_SHEET = "team_members"
# Names the team members' sheet may have (compared like headers: "team_members" is "team members").
TEAM_MEMBERS_SHEET_NAMES = ("team members", "ทีมสหวิชาชีพ")

# Column → the headers it may have (compared in lower case, "_" read as a space).
STATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("station code", "รหัสสถานี"),
    "kind": ("kind", "ประเภท"),
    "name_th": ("name th", "name (thai)", "ชื่อภาษาไทย", "ชื่อสถานี"),
    "name_en": ("name en", "name (english)", "ชื่อภาษาอังกฤษ"),
    "province_code": ("province code", "รหัสจังหวัด"),
    "district_codes": ("district codes", "รหัสอำเภอ"),
    "latitude": ("latitude", "ละติจูด"),
    "longitude": ("longitude", "ลองจิจูด"),
    "phone": ("phone", "โทรศัพท์"),
}
OFFICER_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("officer code", "รหัสเจ้าหน้าที่"),
    "name": ("name", "ชื่อ-นามสกุล", "ชื่อ"),
    "rank_title": ("rank title", "rank", "ยศ"),
    "role": ("role", "บทบาท"),
    "station_code": ("station code", "รหัสสถานี"),
    "province_code": ("province code", "รหัสจังหวัด"),
    "phone": ("phone", "โทรศัพท์"),
}
TEAM_MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("member code", "team member code", "รหัสสมาชิก", "รหัสสมาชิกทีม"),
    "name": ("name", "ชื่อ-นามสกุล", "ชื่อ"),
    "role": ("role", "บทบาท"),
    "province_code": ("province code", "รหัสจังหวัด"),
    "organisation": ("organisation", "organization", "หน่วยงาน"),
    "phone": ("phone", "โทรศัพท์"),
    "active": ("active", "ใช้งาน"),
}
STATION_KINDS = {"STATION": StationKind.STATION, "สถานีตำรวจ": StationKind.STATION,
                 "CENTRE_191": StationKind.CENTRE_191, "ศูนย์ 191": StationKind.CENTRE_191}
ROLES = {role.value: role for role in OfficerRole} | {thai: role for role, (thai, _) in OFFICER_ROLE_LABELS.items()}
PROVINCE_ROLES = (OfficerRole.COMMANDER, OfficerRole.DEPUTY_COMMANDER)
TEAM_ROLES = {role.value: role for role in TeamRole} | {thai: role for role, (thai, _) in TEAM_ROLE_LABELS.items()}
# The active column: empty means active.
ACTIVE_VALUES = {"": True, "yes": True, "y": True, "true": True, "1": True, "ใช่": True, "ใช้งาน": True,
                 "no": False, "n": False, "false": False, "0": False, "ไม่": False, "ไม่ใช้งาน": False}
# Thailand's bounding box, with a little sea around it.
LATITUDES, LONGITUDES = (5.5, 20.6), (97.3, 105.7)
# Centres may list a short emergency number (191) as their phone.
SHORT_CODE_DIGITS = range(3, 5)


class ImportProblem(BaseModel):
    sheet: str
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    reason_th: str
    reason_en: str


class IssuedCode(BaseModel):
    officer_code: str
    registration_code: str


class IssuedTeamCode(BaseModel):
    member_code: str
    registration_code: str


class ImportReport(BaseModel):
    imported: bool
    problems: list[ImportProblem] = []
    stations_created: int = 0
    stations_updated: int = 0
    officers_created: int = 0
    officers_updated: int = 0
    team_members_created: int = 0
    team_members_updated: int = 0
    registration_codes: list[IssuedCode] = []
    team_registration_codes: list[IssuedTeamCode] = []

    def describe(self) -> str:
        if not self.imported:
            lines = [f"ไม่ได้นำเข้าข้อมูล: พบ {len(self.problems)} ปัญหา / Nothing imported: {len(self.problems)} problem(s)"]
            lines += [
                f"{p.sheet} แถว/row {p.row}, {p.column}: {p.reason_th} / {p.reason_en}" for p in self.problems
            ]
            return "\n".join(lines)
        lines = [
            "นำเข้าข้อมูลแล้ว / Imported:",
            f"  สถานี/stations: ใหม่/new {self.stations_created}, ปรับปรุง/updated {self.stations_updated}",
            f"  เจ้าหน้าที่/officers: ใหม่/new {self.officers_created}, ปรับปรุง/updated {self.officers_updated}",
            f"  ทีมสหวิชาชีพ/team members: ใหม่/new {self.team_members_created}, "
            f"ปรับปรุง/updated {self.team_members_updated}",
        ]
        if self.registration_codes or self.team_registration_codes:
            lines.append("รหัสลงทะเบียน (แสดงครั้งเดียว) / Registration codes (shown once):")
            lines += [f"  {c.officer_code}\t{c.registration_code}" for c in self.registration_codes]
            lines += [f"  {c.member_code}\t{c.registration_code}" for c in self.team_registration_codes]
        return "\n".join(lines)


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells as text)


@dataclass
class Checked:
    """Rows that passed, ready to write, and every problem found."""

    stations: list[dict] = field(default_factory=list)
    officers: list[dict] = field(default_factory=list)
    team_members: list[dict] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def problem(self, sheet: str, row: int, column: str, reason_th: str, reason_en: str) -> None:
        self.problems.append(ImportProblem(sheet=sheet, row=row, column=column, reason_th=reason_th, reason_en=reason_en))


# --- reading -----------------------------------------------------------------------------------


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


def read_workbook(path: Path | BinaryIO) -> tuple[Sheet | None, Sheet | None, Sheet | None]:
    """The stations, officers and team members sheets of a workbook file (a path, or an uploaded
    file's bytes); None for a sheet the workbook does not have."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {_heading(sheet.title): sheet for sheet in workbook.worksheets}
        team = next((sheets[name] for name in TEAM_MEMBERS_SHEET_NAMES if name in sheets), None)
        return (
            _sheet(STATIONS_SHEET, sheets[STATIONS_SHEET].iter_rows(values_only=True)) if STATIONS_SHEET in sheets else None,
            _sheet(OFFICERS_SHEET, sheets[OFFICERS_SHEET].iter_rows(values_only=True)) if OFFICERS_SHEET in sheets else None,
            _sheet(TEAM_MEMBERS_SHEET, team.iter_rows(values_only=True)) if team is not None else None,
        )
    finally:
        workbook.close()


def _heading(text: str) -> str:
    """A header or sheet name as compared: lower case, "_" read as a space, spaces collapsed."""
    return " ".join(text.replace("_", " ").lower().split())


def read_csv(path: Path, name: str) -> Sheet:
    # utf-8-sig: Excel writes a byte-order mark when it saves CSV as UTF-8.
    with path.open(encoding="utf-8-sig", newline="") as file:
        return _sheet(name, list(csv.reader(file)))


def _columns(sheet: Sheet, wanted: dict[str, tuple[str, ...]], checked: Checked) -> dict[str, int]:
    """Column positions by name; an unknown or repeated header is a problem."""
    aliases = {alias: column for column, names in wanted.items() for alias in names}
    positions: dict[str, int] = {}
    for index, header in enumerate(sheet.header):
        key = _heading(header)
        if not key:
            continue
        column = aliases.get(key)
        if column is None:
            checked.problem(sheet.name, 1, header, "ไม่รู้จักหัวคอลัมน์นี้", "unknown column header")
        elif column in positions:
            checked.problem(sheet.name, 1, header, "หัวคอลัมน์ซ้ำ", "column appears twice")
        else:
            positions[column] = index
    return positions


def _records(sheet: Sheet, positions: dict[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    for number, cells in sheet.rows:
        yield number, {
            column: cells[index] if index < len(cells) else "" for column, index in positions.items()
        }


# --- checking ----------------------------------------------------------------------------------


@dataclass
class Known:
    provinces: set[str]
    districts: dict[str, str]  # district code → province code
    stations: dict[str, tuple[StationKind, str]]  # code → (kind, province) already in the database


async def _known(connection: asyncpg.Connection) -> Known:
    return Known(
        provinces={row["code"] for row in await connection.fetch("SELECT code FROM provinces")},
        districts={row["code"]: row["province_code"] for row in await connection.fetch("SELECT code, province_code FROM districts")},
        stations={
            row["code"]: (StationKind(row["kind"]), row["province_code"])
            for row in await connection.fetch("SELECT code, kind, province_code FROM stations")
        },
    )


def _phone(value: str, *, short_code_allowed: bool) -> str | None | bool:
    """E.164 (or a short code), None when empty, False when not a Thai phone number."""
    if not value:
        return None
    if short_code_allowed and value.isdigit() and len(value) in SHORT_CODE_DIGITS:
        return value
    number = read_phone_number(value)
    return number.e164 if number.valid else False


def _coordinate(value: str, bounds: tuple[float, float]) -> float | None | bool:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return False
    return number if bounds[0] <= number <= bounds[1] else False


def check_stations(sheet: Sheet, known: Known, checked: Checked) -> dict[str, tuple[StationKind, str]]:
    """Checks the stations sheet; returns the stations the officers sheet may name (new and known)."""
    positions = _columns(sheet, STATION_COLUMNS, checked)
    for required in ("code", "name_th", "province_code"):
        if required not in positions:
            checked.problem(sheet.name, 1, STATION_COLUMNS[required][0], "ไม่มีคอลัมน์ที่จำเป็น", "required column missing")
    available = dict(known.stations)
    seen: dict[str, int] = {}
    for number, row in _records(sheet, positions):
        def bad(column: str, th: str, en: str, number: int = number) -> None:
            checked.problem(sheet.name, number, STATION_COLUMNS[column][0], th, en)

        problems_before = len(checked.problems)
        code, province = row.get("code", ""), row.get("province_code", "")
        _check_required_and_unique(row, ("code", "name_th", "province_code"), positions, seen, number, bad)
        kind = STATION_KINDS.get(row.get("kind", "").upper() or StationKind.STATION.value)
        if kind is None:
            bad("kind", "ประเภทต้องเป็น STATION หรือ CENTRE_191", "kind must be STATION or CENTRE_191")
        if province and province not in known.provinces:
            bad("province_code", "ไม่พบรหัสจังหวัดนี้", "unknown province code")
        districts = [d.strip() for d in row.get("district_codes", "").replace(";", ",").split(",") if d.strip()]
        for district in districts:
            if district not in known.districts:
                bad("district_codes", f"ไม่พบรหัสอำเภอ {district}", f"unknown district code {district}")
            elif province and known.districts[district] != province:
                bad("district_codes", f"อำเภอ {district} ไม่อยู่ในจังหวัดนี้", f"district {district} is not in this province")
        if districts and kind == StationKind.CENTRE_191:
            bad("district_codes", "ศูนย์ 191 ไม่ต้องระบุอำเภอ", "a 191 centre covers its province, not districts")
        latitude = _coordinate(row.get("latitude", ""), LATITUDES)
        longitude = _coordinate(row.get("longitude", ""), LONGITUDES)
        if latitude is False:
            bad("latitude", "ละติจูดไม่อยู่ในประเทศไทย", "latitude is not a number inside Thailand")
        if longitude is False:
            bad("longitude", "ลองจิจูดไม่อยู่ในประเทศไทย", "longitude is not a number inside Thailand")
        if (latitude is None) != (longitude is None):
            bad("latitude" if latitude is None else "longitude", "ต้องกรอกทั้งละติจูดและลองจิจูด", "give both latitude and longitude, or neither")
        phone = _phone(row.get("phone", ""), short_code_allowed=kind == StationKind.CENTRE_191)
        if phone is False:
            bad("phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง", "not a valid Thai phone number")
        if len(checked.problems) == problems_before:
            checked.stations.append(
                {
                    "code": code, "kind": kind.value, "name_th": row["name_th"],
                    "name_en": row.get("name_en") or row["name_th"], "province_code": province,
                    "latitude": latitude, "longitude": longitude, "phone": phone, "district_codes": districts,
                    "has_districts": "district_codes" in positions,
                }
            )
        if code and kind and province:
            available[code] = (kind, province)
    return available


def check_officers(sheet: Sheet, known: Known, stations: dict[str, tuple[StationKind, str]], checked: Checked) -> None:
    positions = _columns(sheet, OFFICER_COLUMNS, checked)
    for required in ("code", "name", "role"):
        if required not in positions:
            checked.problem(sheet.name, 1, OFFICER_COLUMNS[required][0], "ไม่มีคอลัมน์ที่จำเป็น", "required column missing")
    seen: dict[str, int] = {}
    for number, row in _records(sheet, positions):
        def bad(column: str, th: str, en: str, number: int = number) -> None:
            checked.problem(sheet.name, number, OFFICER_COLUMNS[column][0], th, en)

        problems_before = len(checked.problems)
        code, station_code, province = row.get("code", ""), row.get("station_code", ""), row.get("province_code", "")
        _check_required_and_unique(row, ("code", "name", "role"), positions, seen, number, bad)
        role = ROLES.get(row.get("role", "").upper())
        if row.get("role") and role is None:
            bad("role", "ไม่รู้จักบทบาทนี้", "unknown role")
        station = stations.get(station_code)
        if station_code and station is None:
            bad("station_code", "ไม่พบรหัสสถานีนี้", "unknown station code")
        if province and province not in known.provinces:
            bad("province_code", "ไม่พบรหัสจังหวัดนี้", "unknown province code")
        elif province and station and station[1] != province:
            bad("province_code", "จังหวัดไม่ตรงกับจังหวัดของสถานี", "province differs from the station's province")
        if role in STATION_ROLES and not (station and station[0] == StationKind.STATION):
            if not station_code:
                bad("station_code", "บทบาทนี้ต้องระบุสถานี", "this role needs a station")
            elif station:
                bad("station_code", "บทบาทนี้ต้องอยู่ที่สถานีตำรวจ", "this role belongs at a police station")
        if role == OfficerRole.CENTRE_191 and not (station and station[0] == StationKind.CENTRE_191):
            bad("station_code", "ต้องระบุรหัสศูนย์ 191", "a 191 centre officer needs the centre's code")
        if role in PROVINCE_ROLES and not (province or station):
            bad("province_code", "บทบาทนี้ต้องระบุจังหวัด", "this role needs a province")
        phone = _phone(row.get("phone", ""), short_code_allowed=False)
        if phone is False:
            bad("phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง", "not a valid Thai phone number")
        if len(checked.problems) == problems_before and role is not None:
            checked.officers.append(
                {
                    "code": code, "name": row["name"], "rank_title": row.get("rank_title") or None,
                    "role": role.value, "station_code": station_code or None,
                    "province_code": None if role == OfficerRole.NATIONAL_DESK else (province or (station[1] if station else None)),
                    "phone": phone,
                }
            )


def check_team_members(sheet: Sheet, known: Known, checked: Checked) -> None:
    positions = _columns(sheet, TEAM_MEMBER_COLUMNS, checked)
    for required in ("code", "name", "role"):
        if required not in positions:
            checked.problem(sheet.name, 1, TEAM_MEMBER_COLUMNS[required][0], "ไม่มีคอลัมน์ที่จำเป็น", "required column missing")
    seen: dict[str, int] = {}
    for number, row in _records(sheet, positions):
        def bad(column: str, th: str, en: str, number: int = number) -> None:
            checked.problem(sheet.name, number, TEAM_MEMBER_COLUMNS[column][0], th, en)

        problems_before = len(checked.problems)
        province = row.get("province_code", "")
        _check_required_and_unique(row, ("code", "name", "role"), positions, seen, number, bad)
        role = TEAM_ROLES.get(" ".join(row.get("role", "").split()).upper())
        if row.get("role") and role is None:
            bad("role", "ไม่รู้จักบทบาทนี้", "unknown role")
        if province and province not in known.provinces:
            bad("province_code", "ไม่พบรหัสจังหวัดนี้", "unknown province code")
        elif not province and role is not None and role != TeamRole.NATIONAL_DESK:
            bad("province_code", "บทบาทนี้ต้องระบุจังหวัด", "this role needs a province")
        phone = _phone(row.get("phone", ""), short_code_allowed=False)
        if phone is False:
            bad("phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง", "not a valid Thai phone number")
        active = ACTIVE_VALUES.get(row.get("active", "").lower())
        if active is None:
            bad("active", "ต้องเป็น ใช่ หรือ ไม่", "must be yes or no")
        if len(checked.problems) == problems_before and role is not None:
            checked.team_members.append(
                {
                    "code": row["code"], "name": row["name"], "role": role.value,
                    # The national desk serves every province: it has none.
                    "province_code": None if role == TeamRole.NATIONAL_DESK else province,
                    "organisation": row.get("organisation") or None, "phone": phone, "active": active,
                }
            )


# --- writing -----------------------------------------------------------------------------------


async def _write_stations(connection: asyncpg.Connection, stations: list[dict], report: ImportReport) -> None:
    for station in stations:
        row = await connection.fetchrow(
            """
            INSERT INTO stations (code, kind, name_th, name_en, province_code, latitude, longitude, phone, is_demo)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false)
            ON CONFLICT (code) DO UPDATE SET
                kind = EXCLUDED.kind, name_th = EXCLUDED.name_th, name_en = EXCLUDED.name_en,
                province_code = EXCLUDED.province_code, latitude = EXCLUDED.latitude,
                longitude = EXCLUDED.longitude, phone = EXCLUDED.phone, is_demo = false
            RETURNING id, (xmax = 0) AS created
            """,
            station["code"], station["kind"], station["name_th"], station["name_en"], station["province_code"],
            station["latitude"], station["longitude"], station["phone"],
        )
        if row["created"]:
            report.stations_created += 1
        else:
            report.stations_updated += 1
        if station["has_districts"]:
            # The sheet lists the districts a station covers: they replace the ones it had.
            await connection.execute("DELETE FROM station_districts WHERE station_id = $1", row["id"])
            await connection.executemany(
                "INSERT INTO station_districts (station_id, district_code) VALUES ($1, $2)",
                [(row["id"], district) for district in station["district_codes"]],
            )


async def _write_officers(
    connection: asyncpg.Connection, officers: list[dict], valid_for: timedelta, report: ImportReport
) -> None:
    for officer in officers:
        created = await connection.fetchval(
            """
            INSERT INTO officers (code, name, rank_title, role, station_id, province_code, phone, active, is_demo)
            VALUES ($1, $2, $3, $4, (SELECT id FROM stations WHERE code = $5), $6, $7, true, false)
            ON CONFLICT (code) DO UPDATE SET
                name = EXCLUDED.name, rank_title = EXCLUDED.rank_title, role = EXCLUDED.role,
                station_id = EXCLUDED.station_id, province_code = EXCLUDED.province_code,
                phone = EXCLUDED.phone, active = true, is_demo = false
            RETURNING (xmax = 0) AS created
            """,
            officer["code"], officer["name"], officer["rank_title"], officer["role"], officer["station_code"],
            officer["province_code"], officer["phone"],
        )
        if created:
            report.officers_created += 1
            code = await issue_registration_code(connection, officer["code"], valid_for)
            report.registration_codes.append(IssuedCode(officer_code=officer["code"], registration_code=code))
        else:
            report.officers_updated += 1


async def _write_team_members(
    connection: asyncpg.Connection, members: list[dict], valid_for: timedelta, report: ImportReport
) -> None:
    for member in members:
        created = await connection.fetchval(
            """
            INSERT INTO team_members (code, name, role, province_code, organisation, phone, active, is_demo)
            VALUES ($1, $2, $3, $4, $5, $6, $7, false)
            ON CONFLICT (code) DO UPDATE SET
                name = EXCLUDED.name, role = EXCLUDED.role, province_code = EXCLUDED.province_code,
                organisation = EXCLUDED.organisation, phone = EXCLUDED.phone, active = EXCLUDED.active,
                is_demo = false
            RETURNING (xmax = 0) AS created
            """,
            member["code"], member["name"], member["role"], member["province_code"], member["organisation"],
            member["phone"], member["active"],
        )
        if created:
            report.team_members_created += 1
            if member["active"]:  # an inactive member could not use it
                code = await issue_team_registration_code(connection, member["code"], valid_for)
                report.team_registration_codes.append(IssuedTeamCode(member_code=member["code"], registration_code=code))
        else:
            report.team_members_updated += 1


async def import_directory(
    connection: asyncpg.Connection,
    stations: Sheet | None,
    officers: Sheet | None,
    team_members: Sheet | None = None,
    *,
    codes_valid_for: timedelta = DEFAULT_VALIDITY,
) -> ImportReport:
    """All rows or none, in one transaction."""
    checked = Checked()
    async with connection.transaction():
        known = await _known(connection)
        available = check_stations(stations, known, checked) if stations else dict(known.stations)
        if officers:
            check_officers(officers, known, available, checked)
        if team_members:
            check_team_members(team_members, known, checked)
        if stations is None and officers is None and team_members is None:
            checked.problem(STATIONS_SHEET, 1, "-", "ไม่พบแผ่นงาน stations, officers หรือ team_members",
                            "no stations, officers or team_members sheet")
        if checked.problems:
            return ImportReport(imported=False, problems=checked.problems)
        report = ImportReport(imported=True)
        await _write_stations(connection, checked.stations, report)
        await _write_officers(connection, checked.officers, codes_valid_for, report)
        await _write_team_members(connection, checked.team_members, codes_valid_for, report)
        return report


# --- command line ------------------------------------------------------------------------------


async def _import_files(
    workbook: Path | None, stations: Path | None, officers: Path | None, team_members: Path | None
) -> ImportReport:
    from configuration.settings import get_settings
    from database.pool import create_pool

    if workbook:
        station_sheet, officer_sheet, team_sheet = read_workbook(workbook)
    else:
        station_sheet = read_csv(stations, STATIONS_SHEET) if stations else None
        officer_sheet = read_csv(officers, OFFICERS_SHEET) if officers else None
        team_sheet = read_csv(team_members, TEAM_MEMBERS_SHEET) if team_members else None
    pool = await create_pool(get_settings(), max_size=1)
    try:
        async with pool.acquire() as connection:
            return await import_directory(connection, station_sheet, officer_sheet, team_sheet)
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m database.directory_import",
        description="นำเข้าสถานี เจ้าหน้าที่ และทีมสหวิชาชีพ / "
        "Import stations, officers and team members (.xlsx, or CSV files)",
    )
    parser.add_argument("workbook", nargs="?", type=Path,
                        help='an .xlsx file with sheets "stations", "officers" and/or "team_members"')
    parser.add_argument("--stations", type=Path, help="stations as CSV")
    parser.add_argument("--officers", type=Path, help="officers as CSV")
    parser.add_argument("--team-members", type=Path, help="multidisciplinary team members as CSV")
    arguments = parser.parse_args(argv)
    if not (arguments.workbook or arguments.stations or arguments.officers or arguments.team_members):
        parser.error("give an .xlsx file, or --stations, --officers and/or --team-members CSV files")
    report = asyncio.run(
        _import_files(arguments.workbook, arguments.stations, arguments.officers, arguments.team_members))
    print(report.describe())
    return 0 if report.imported else 1


def _check_required_and_unique(row: dict, required_columns: tuple[str, ...], positions: dict, seen: dict[str, int],
                               number: int, bad) -> None:
    """Required values are present, and the row's code is not one an earlier row used."""
    for required in required_columns:
        if required in positions and not row.get(required):
            bad(required, "ต้องกรอกช่องนี้", "required value missing")
    code = row.get("code", "")
    if code in seen:
        bad("code", f"รหัสซ้ำกับแถว {seen[code]}", f"duplicate code, also on row {seen[code]}")
    elif code:
        seen[code] = number


if __name__ == "__main__":
    sys.exit(main())
