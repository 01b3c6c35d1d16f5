"""The directory import's agencies sheet (the agencies teams refer people to): a good sheet imports,
each bad row is reported in Thai and English and nothing is written, a re-import updates by code and
retires only what its active column says. The other sheets: tests/database/test_directory_import.py."""

from __future__ import annotations

import csv
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import openpyxl
import pytest

from database.agencies import agencies_for_province
from database.directory.importing import import_directory
from database.directory.sheets import read_csv, read_workbook
from tests.commands import run_module

AGENCY_HEADER_EN = ["agency code", "kind", "name_th", "name_en", "province code", "phone", "note", "active"]
AGENCY_HEADER_TH = ["รหัสหน่วยงาน", "ประเภท", "ชื่อภาษาไทย", "ชื่อภาษาอังกฤษ", "รหัสจังหวัด", "โทรศัพท์", "หมายเหตุ", "ใช้งาน"]


@pytest.fixture
async def connection(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as connection:
        yield connection


def prefix() -> str:
    return f"A{uuid.uuid4().hex[:6].upper()}"


def agency_rows(p: str) -> list[list[object]]:
    return [
        [f"{p}-1", "OSCC", "ศูนย์พึ่งได้ โรงพยาบาลเชียงรายประชานุเคราะห์", "OSCC, Chiangrai Prachanukroh Hospital", "57",
         "053-910-600", "ในเวลาราชการ", ""],
        [f"{p}-2", "บ้านพักเด็กและครอบครัว", "บ้านพักเด็กและครอบครัวจังหวัดเชียงราย", "", 57, "", "", "ใช่"],
        [f"{p}-3", "legal aid", "สำนักงานคุ้มครองสิทธิและช่วยเหลือทางกฎหมายแก่ประชาชนประจำจังหวัดเชียงราย",
         "Chiang Rai legal aid office", "57", "", "", "yes"],
        [f"{p}-4", "HOTLINE", "ศูนย์ช่วยเหลือสังคม สายด่วน 1300", "Social Assistance Centre 1300", "", 1300,
         "24 ชั่วโมง", ""],
        [f"{p}-5", "สถานคุ้มครอง/บ้านพักพิง", "บ้านพักฉุกเฉิน เชียงราย", "Emergency shelter", "57", "02-929-2222", "", ""],
        [f"{p}-6", "OTHER", "หน่วยงานที่เลิกแล้ว", "A closed agency", "57", "", "", "no"],
    ]


def workbook(path: Path, agencies: list[list[object]], *, thai: bool = False, sheet: str = "agencies",
             team_members: list[list[object]] | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    agency_sheet = book.create_sheet(sheet)
    agency_sheet.append(AGENCY_HEADER_TH if thai else AGENCY_HEADER_EN)
    for row in agencies:
        agency_sheet.append(row)
    if team_members is not None:
        team_sheet = book.create_sheet("team_members")
        team_sheet.append(["member code", "name", "role", "province code"])
        for row in team_members:
            team_sheet.append(row)
    book.save(path)
    return path


async def test_a_good_agencies_sheet_imports_every_agency(
    connection: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    p = prefix()
    path = workbook(tmp_path / "a.xlsx", agency_rows(p), thai=True, sheet="หน่วยงาน")
    report = await import_directory(connection, *read_workbook(path))
    assert report.imported, report.describe()
    assert (report.agencies_created, report.agencies_updated) == (6, 0)
    assert report.registration_codes == [] and report.team_registration_codes == []
    assert "หน่วยงานส่งต่อ/agencies: ใหม่/new 6, ปรับปรุง/updated 0" in report.describe()
    rows = {r["code"]: r for r in await pool.fetch("SELECT * FROM agencies WHERE code LIKE $1", f"{p}-%")}
    assert [rows[f"{p}-{n}"]["kind"] for n in range(1, 7)] == [
        "OSCC", "CHILDRENS_HOME", "LEGAL_AID", "HOTLINE", "SHELTER", "OTHER"]
    oscc = rows[f"{p}-1"]
    assert (oscc["province_code"], oscc["phone"], oscc["note"], oscc["active"], oscc["is_demo"]) == (
        "57", "+6653910600", "ในเวลาราชการ", True, False)
    assert rows[f"{p}-2"]["name_en"] == "บ้านพักเด็กและครอบครัวจังหวัดเชียงราย"  # no English name: the Thai one
    assert (rows[f"{p}-2"]["phone"], rows[f"{p}-2"]["note"]) == (None, None)
    hotline = rows[f"{p}-4"]
    assert (hotline["province_code"], hotline["phone"]) == (None, "1300")  # national, by its short number
    assert rows[f"{p}-5"]["phone"] == "+6629292222"
    assert [rows[f"{p}-{n}"]["active"] for n in range(1, 7)] == [True] * 5 + [False]

    async with pool.acquire() as reading:
        listed = {a.code for a in await agencies_for_province(reading, "57")}
    assert {f"{p}-{n}" for n in range(1, 6)} <= listed and f"{p}-6" not in listed


async def test_every_bad_agency_row_is_reported_in_thai_and_english_and_nothing_is_written(
    connection: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    p = prefix()
    agencies = [
        *agency_rows(p),
        [f"{p}-7", "POLICE", "สถานีตำรวจ", "", "57", "", "", ""],  # row 8: not an agency kind
        [f"{p}-8", "OSCC", "ศูนย์พึ่งได้ จังหวัดที่ไม่มี", "", "99", "", "", ""],  # row 9
        [f"{p}-1", "OSCC", "ซ้ำ", "", "57", "", "", ""],  # row 10: the code of row 2
        [f"{p}-9", "OSCC", "เบอร์ผิด", "", "57", "12345", "", ""],  # row 11
        [f"{p}-10", "", "", "", "57", "", "", "maybe"],  # row 12: no kind, no name, active unreadable
    ]
    before = await pool.fetchval("SELECT count(*) FROM agencies")
    report = await import_directory(connection, *read_workbook(workbook(tmp_path / "bad.xlsx", agencies)))
    assert not report.imported
    reasons = {(problem.row, problem.column): (problem.reason_th, problem.reason_en) for problem in report.problems}
    assert set(reasons) == {(8, "kind"), (9, "province code"), (10, "agency code"), (11, "phone"), (12, "kind"),
                            (12, "name th"), (12, "active")}
    assert all(problem.sheet == "agencies" for problem in report.problems)
    assert reasons[(8, "kind")][0].startswith("ไม่รู้จักประเภทหน่วยงานนี้") and "OSCC" in reasons[(8, "kind")][0]
    assert reasons[(9, "province code")] == ("ไม่พบรหัสจังหวัดนี้", "unknown province code")
    assert reasons[(10, "agency code")] == ("รหัสซ้ำกับแถว 2", "duplicate code, also on row 2")
    assert reasons[(11, "phone")][0] == "หมายเลขโทรศัพท์ไม่ถูกต้อง"
    assert reasons[(12, "name th")] == ("ต้องกรอกช่องนี้", "required value missing")
    assert reasons[(12, "active")] == ("ต้องเป็น ใช่ หรือ ไม่", "must be yes or no")
    assert all(th and en and th != en for th, en in reasons.values())
    assert await pool.fetchval("SELECT count(*) FROM agencies") == before
    assert "agencies แถว/row 8, kind" in report.describe()


async def test_an_agencies_sheet_without_its_required_columns_is_refused(
        connection: asyncpg.Connection, tmp_path: Path) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text("agency code,province code\nX1,57\n", encoding="utf-8")
    report = await import_directory(connection, None, None, None, read_csv(path, "agencies"))
    assert not report.imported
    assert {(p.row, p.column) for p in report.problems} == {(1, "kind"), (1, "name th")}


async def test_importing_again_updates_by_code_and_retires_only_what_the_sheet_says(
    connection: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    p = prefix()
    agencies = agency_rows(p)
    await import_directory(connection, *read_workbook(workbook(tmp_path / "1.xlsx", agencies)))
    first_ids = dict(await pool.fetch("SELECT code, id FROM agencies WHERE code LIKE $1", f"{p}-%"))

    agencies[0][2] = "ศูนย์พึ่งได้ (OSCC) โรงพยาบาลเชียงรายประชานุเคราะห์"
    agencies[0][5] = "053-910-601"
    agencies[1][7] = "ไม่"  # retired by its own active column
    agencies[5][7] = "yes"  # back in service
    del agencies[2]  # left out of the sheet: stays as it was
    agencies.append([f"{p}-7", "HEALTH", "โรงพยาบาลจิตเวชทดสอบ", "", "57", "", "", ""])
    report = await import_directory(connection, *read_workbook(workbook(tmp_path / "2.xlsx", agencies)))
    assert report.imported, report.describe()
    assert (report.agencies_created, report.agencies_updated) == (1, 5)

    rows = {r["code"]: r for r in await pool.fetch("SELECT * FROM agencies WHERE code LIKE $1", f"{p}-%")}
    assert len(rows) == 7
    assert all(rows[code]["id"] == first_ids[code] for code in first_ids)  # updated in place
    assert (rows[f"{p}-1"]["name_th"], rows[f"{p}-1"]["phone"]) == (
        "ศูนย์พึ่งได้ (OSCC) โรงพยาบาลเชียงรายประชานุเคราะห์", "+6653910601")
    assert rows[f"{p}-2"]["active"] is False
    assert rows[f"{p}-3"]["active"] is True and rows[f"{p}-3"]["kind"] == "LEGAL_AID"
    assert rows[f"{p}-6"]["active"] is True
    assert rows[f"{p}-7"]["kind"] == "HEALTH"


async def test_an_imported_agency_takes_over_a_demo_row_of_the_same_code(
    connection: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    p = prefix()
    await pool.execute(
        "INSERT INTO agencies (code, kind, province_code, name_th, name_en, is_demo)"
        " VALUES ($1, 'OSCC', '57', 'ตัวอย่าง', 'Demo', true)", f"{p}-1")
    report = await import_directory(connection, *read_workbook(workbook(tmp_path / "a.xlsx", agency_rows(p)[:1])))
    assert report.imported and report.agencies_updated == 1
    assert await pool.fetchval("SELECT is_demo FROM agencies WHERE code = $1", f"{p}-1") is False


async def test_a_bad_agency_row_stops_the_other_sheets_too(
    connection: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    p = prefix()
    members = [[f"{p}-M1", "นางสาวประสาน ทีมงาน", "COORDINATOR", "57"]]
    bad = [[f"{p}-1", "OSCC", "ศูนย์พึ่งได้", "", "99", "", "", ""]]
    report = await import_directory(
        connection, *read_workbook(workbook(tmp_path / "bad.xlsx", bad, team_members=members)))
    assert not report.imported
    assert await pool.fetchval("SELECT count(*) FROM team_members WHERE code = $1", f"{p}-M1") == 0

    report = await import_directory(
        connection, *read_workbook(workbook(tmp_path / "good.xlsx", agency_rows(p)[:1], team_members=members)))
    assert report.imported and (report.team_members_created, report.agencies_created) == (1, 1)


def test_the_command_line_imports_agencies_from_csv(tmp_path: Path, database_url: str) -> None:
    p = prefix()
    with (tmp_path / "agencies.csv").open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows([AGENCY_HEADER_TH, *agency_rows(p)[:2]])
    imported = run_module("tools.directory_import", "--agencies", str(tmp_path / "agencies.csv"),
                          database_url=database_url)
    assert imported.returncode == 0, imported.stderr
    assert "หน่วยงานส่งต่อ/agencies: ใหม่/new 2" in imported.stdout

    with (tmp_path / "bad.csv").open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([AGENCY_HEADER_EN, [f"{p}-9", "CASINO", "บ่อน", "", "57", "", "", ""]])
    refused = run_module("tools.directory_import", "--agencies", str(tmp_path / "bad.csv"), database_url=database_url)
    assert refused.returncode == 1
    assert "agencies แถว/row 2, kind" in refused.stdout and "Nothing imported" in refused.stdout
