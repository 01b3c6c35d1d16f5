"""The directory import: all rows or none, every bad row reported, re-imports update."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import openpyxl
import pytest

from activities.directory import Directory
from database.directory_import import import_directory, read_csv, read_workbook
from domain.registration import RegistrationRequest

STATION_HEADER_EN = ["station code", "kind", "name_th", "name_en", "province code", "district codes", "latitude", "longitude", "phone"]
STATION_HEADER_TH = ["รหัสสถานี", "ประเภท", "ชื่อภาษาไทย", "ชื่อภาษาอังกฤษ", "รหัสจังหวัด", "รหัสอำเภอ", "ละติจูด", "ลองจิจูด", "โทรศัพท์"]
OFFICER_HEADER_EN = ["officer code", "name", "rank title", "role", "station code", "province code", "phone"]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
OFFICER_HEADER_TH = ["รหัสเจ้าหน้าที่", "ชื่อ-นามสกุล", "ยศ", "บทบาท", "รหัสสถานี", "รหัสจังหวัด", "โทรศัพท์"]


@pytest.fixture
async def connection(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as connection:
        yield connection


def prefix() -> str:
    return f"T{uuid.uuid4().hex[:6].upper()}"


def good_rows(p: str) -> tuple[list[list[object]], list[list[object]]]:
    stations = [
        [f"{p}-S1", "STATION", "สถานีตำรวจนครบาลลุมพินี", "Lumphini Metropolitan Police Station", "10", "1007", 13.7416, 100.5416, "02-252-7925"],
        [f"{p}-S2", "สถานีตำรวจ", "สถานีตำรวจภูธรเมืองเชียงราย", "", 57, "5701, 5702", "19.9105", "99.8406", ""],
        [f"{p}-C", "CENTRE_191", "ศูนย์ 191 เชียงราย", "Chiang Rai 191", "57", "", None, None, "191"],
    ]
    officers = [
        [f"{p}-O1", "สมชาย ใจดี", "ร.ต.อ.", "INSPECTOR", f"{p}-S1", "", "081-234-5678"],
        [f"{p}-O2", "สมหญิง รักสงบ", "พ.ต.ท.", "ผู้กำกับ", f"{p}-S2", "57", ""],
        [f"{p}-O3", "วิทยุ ศูนย์", "ด.ต.", "CENTRE_191", f"{p}-C", "", None],
        [f"{p}-O4", "ผู้การ ทดสอบ", "พล.ต.ต.", "COMMANDER", "", "57", ""],
        [f"{p}-O5", "ส่วนกลาง ทดสอบ", "", "NATIONAL_DESK", "", "", ""],
    ]
    return stations, officers


def workbook(path: Path, stations: list[list[object]], officers: list[list[object]], *, thai: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "stations"
    sheet.append(STATION_HEADER_TH if thai else STATION_HEADER_EN)
    for row in stations:
        sheet.append(row)
    sheet = book.create_sheet("officers")
    sheet.append(OFFICER_HEADER_TH if thai else OFFICER_HEADER_EN)
    for row in officers:
        sheet.append(row)
    book.save(path)
    return path


async def test_a_good_workbook_imports_stations_officers_and_gives_each_new_officer_a_code(
    connection: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    p = prefix()
    report = await import_directory(connection, *read_workbook(workbook(tmp_path / "d.xlsx", *good_rows(p), thai=True)))
    assert report.imported and report.problems == []
    assert (report.stations_created, report.stations_updated, report.officers_created) == (3, 0, 5)
    assert sorted(c.officer_code for c in report.registration_codes) == [f"{p}-O{n}" for n in range(1, 6)]
    lumphini = await pool.fetchrow("SELECT * FROM stations WHERE code = $1", f"{p}-S1")
    assert (lumphini["kind"], lumphini["province_code"], lumphini["phone"], lumphini["is_demo"]) == ("STATION", "10", "+6622527925", False)
    chiang_rai = await pool.fetchrow("SELECT * FROM stations WHERE code = $1", f"{p}-S2")
    assert chiang_rai["name_en"] == "สถานีตำรวจภูธรเมืองเชียงราย"  # no English name: the Thai one
    assert (chiang_rai["latitude"], chiang_rai["longitude"]) == (19.9105, 99.8406)
    covered = await pool.fetch("SELECT district_code FROM station_districts WHERE station_id = $1 ORDER BY 1", chiang_rai["id"])
    assert [r["district_code"] for r in covered] == ["5701", "5702"]
    assert await pool.fetchval("SELECT kind FROM stations WHERE code = $1", f"{p}-C") == "CENTRE_191"
    officers = {
        r["code"]: r
        for r in await pool.fetch(
            "SELECT o.*, s.code AS station_code FROM officers o LEFT JOIN stations s ON s.id = o.station_id WHERE o.code LIKE $1",
            f"{p}-%",
        )
    }
    assert (officers[f"{p}-O1"]["role"], officers[f"{p}-O1"]["station_code"], officers[f"{p}-O1"]["province_code"]) == ("INSPECTOR", f"{p}-S1", "10")
    assert officers[f"{p}-O1"]["phone"] == "+66812345678"
    assert officers[f"{p}-O2"]["role"] == "SUPERINTENDENT"
    assert (officers[f"{p}-O4"]["station_code"], officers[f"{p}-O4"]["province_code"]) == (None, "57")
    assert (officers[f"{p}-O5"]["station_code"], officers[f"{p}-O5"]["province_code"]) == (None, None)
    assert all(o["line_user_id"] is None and not o["is_demo"] for o in officers.values())

    # The codes handed out register the officers on LINE.
    issued = {c.officer_code: c.registration_code for c in report.registration_codes}
    outcome = await Directory(pool).register(RegistrationRequest(code=issued[f"{p}-O1"], line_user_id=f"U{p}"))
    assert outcome.registered and outcome.officer.station_id == lumphini["id"]


async def test_importing_again_updates_in_place_and_issues_no_new_codes(
    connection: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    p = prefix()
    stations, officers = good_rows(p)
    await import_directory(connection, *read_workbook(workbook(tmp_path / "1.xlsx", stations, officers)))
    stations[1][5] = "5703"
    stations[0][8] = "02-252-0000"
    officers[0][3] = "DEPUTY_INSPECTOR"
    officers.append([f"{p}-O6", "ใหม่ ทดสอบ", "ส.ต.อ.", "RADIO_ROOM", f"{p}-S1", "", ""])
    report = await import_directory(connection, *read_workbook(workbook(tmp_path / "2.xlsx", stations, officers)))
    assert (report.stations_created, report.stations_updated, report.officers_created, report.officers_updated) == (0, 3, 1, 5)
    assert [c.officer_code for c in report.registration_codes] == [f"{p}-O6"]
    assert await pool.fetchval("SELECT count(*) FROM stations WHERE code LIKE $1", f"{p}-%") == 3
    assert await pool.fetchval("SELECT count(*) FROM officers WHERE code LIKE $1", f"{p}-%") == 6
    assert await pool.fetchval("SELECT phone FROM stations WHERE code = $1", f"{p}-S1") == "+6622520000"
    assert await pool.fetchval("SELECT role FROM officers WHERE code = $1", f"{p}-O1") == "DEPUTY_INSPECTOR"
    covered = await pool.fetch(
        "SELECT district_code FROM station_districts sd JOIN stations s ON s.id = sd.station_id WHERE s.code = $1", f"{p}-S2"
    )
    assert [r["district_code"] for r in covered] == ["5703"]


async def test_every_bad_row_is_reported_and_nothing_is_written(
    connection: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    p = prefix()
    stations, officers = good_rows(p)
    stations += [
        [f"{p}-S1", "STATION", "ซ้ำ", "Duplicate", "10", "1001", "", "", ""],  # row 5
        [f"{p}-S4", "BARRACKS", "", "X", "99", "9999", "51.5", "-0.12", "12345"],  # row 6
        [f"{p}-S5", "STATION", "ครึ่งพิกัด", "Half", "10", "5001", "13.7", "", ""],  # row 7
    ]
    officers += [
        [f"{p}-O9", "", "", "CHIEF", f"{p}-NOPE", "", "ABC"],  # row 7
        [f"{p}-O10", "ผิดจังหวัด", "", "INSPECTOR", f"{p}-S1", "57", ""],  # row 8
        [f"{p}-O11", "ไร้สถานี", "", "RADIO_ROOM", "", "", ""],  # row 9
        [f"{p}-O12", "ผู้การ", "", "COMMANDER", "", "", ""],  # row 10
        [f"{p}-O1", "ซ้ำ", "", "INSPECTOR", f"{p}-S1", "", ""],  # row 11
    ]
    before = await pool.fetchval("SELECT count(*) FROM officers")
    report = await import_directory(connection, *read_workbook(workbook(tmp_path / "bad.xlsx", stations, officers)))
    assert not report.imported
    found = {(problem.sheet, problem.row, problem.column) for problem in report.problems}
    assert found == {
        ("stations", 5, "station code"),
        ("stations", 6, "kind"),
        ("stations", 6, "name th"),
        ("stations", 6, "province code"),
        ("stations", 6, "district codes"),
        ("stations", 6, "latitude"),
        ("stations", 6, "longitude"),
        ("stations", 6, "phone"),
        ("stations", 7, "district codes"),
        ("stations", 7, "longitude"),
        ("officers", 7, "name"),
        ("officers", 7, "role"),
        ("officers", 7, "station code"),
        ("officers", 7, "phone"),
        ("officers", 8, "province code"),
        ("officers", 9, "station code"),
        ("officers", 10, "province code"),
        ("officers", 11, "officer code"),
    }
    assert all(problem.reason_th and problem.reason_en for problem in report.problems)
    assert await pool.fetchval("SELECT count(*) FROM stations WHERE code LIKE $1", f"{p}-%") == 0
    assert await pool.fetchval("SELECT count(*) FROM officers") == before
    assert report.registration_codes == []
    described = report.describe()
    assert "stations แถว/row 6, kind" in described and "Nothing imported" in described


async def test_csv_files_with_english_or_thai_headers_import_the_same_way(
    connection: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    p = prefix()
    stations, officers = good_rows(p)
    with (tmp_path / "stations.csv").open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows([STATION_HEADER_TH, *stations])
    with (tmp_path / "officers.csv").open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([OFFICER_HEADER_EN, *officers])
    report = await import_directory(
        connection, read_csv(tmp_path / "stations.csv", "stations"), read_csv(tmp_path / "officers.csv", "officers")
    )
    assert report.imported, report.describe()
    assert (report.stations_created, report.officers_created) == (3, 5)
    assert await pool.fetchval("SELECT name_th FROM stations WHERE code = $1", f"{p}-S2") == "สถานีตำรวจภูธรเมืองเชียงราย"


async def test_an_unknown_header_is_reported(connection: asyncpg.Connection, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("station code,name_th,province code,colour\nX1,สถานี,10,red\n", encoding="utf-8")
    report = await import_directory(connection, read_csv(path, "stations"), None)
    assert [(p.row, p.column) for p in report.problems] == [(1, "colour")]


def run_module(module: str, *arguments: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        check=False,
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_line_imports_prints_codes_and_exits_1_when_nothing_was_imported(
    tmp_path: Path, database_url: str
) -> None:
    p = prefix()
    stations, officers = good_rows(p)
    bad = workbook(tmp_path / "bad.xlsx", stations + [[p, "STATION", "", "", "10", "", "", "", ""]], officers)
    failed = run_module("database.directory_import", str(bad), database_url=database_url)
    assert failed.returncode == 1
    assert "Nothing imported" in failed.stdout and "stations แถว/row 5, name th" in failed.stdout
    imported = run_module("database.directory_import", str(workbook(tmp_path / "good.xlsx", stations, officers)), database_url=database_url)
    assert imported.returncode == 0, imported.stderr
    assert f"{p}-O1\t" in imported.stdout

    with (tmp_path / "officers.csv").open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([OFFICER_HEADER_EN, [f"{p}-O7", "ซีเอสวี", "", "PATROL", f"{p}-S1", "", ""]])
    from_csv = run_module("database.directory_import", "--officers", str(tmp_path / "officers.csv"), database_url=database_url)
    assert from_csv.returncode == 0, from_csv.stderr
    assert f"{p}-O7\t" in from_csv.stdout


def test_the_command_line_issues_a_code_for_an_existing_officer(database_url: str) -> None:
    issued = run_module("database.officer_codes", "ISSUE", "DEMO-OFFICER-NATIONAL-DESK-1", database_url=database_url)
    assert issued.returncode == 0, issued.stderr
    assert re.fullmatch(r"[A-Z2-9]{8}\n", issued.stdout)
    unknown = run_module("database.officer_codes", "ISSUE", "NO-SUCH-OFFICER", database_url=database_url)
    assert unknown.returncode == 1 and unknown.stdout == ""
