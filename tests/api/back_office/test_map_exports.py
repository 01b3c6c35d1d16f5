"""The incident map's downloads: the filtered cases of the reader's scope as GeoJSON and CSV, each
download written to the audit log, and nothing of another station's."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import asyncpg

from api.back_office.web import LANGUAGE_COOKIE
from domain.clock import THAILAND
from tests.api.back_office.conftest import Staff, sign_in
from tests.api.back_office.placed_cases import ASSAULT, another_station, officer_of_another_station, placed_case
from tests.scene import DETENTION, Scene


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the byte order mark: Excel then reads the Thai as Thai
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


async def test_the_downloads_hold_exactly_the_filtered_cases_of_the_station(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    today = datetime.now(THAILAND).date()
    recent_detention = await placed_case(scene, days_ago=1)
    closed_detention = await placed_case(scene, status="CLOSED", days_ago=10)
    await placed_case(scene, incident_type=ASSAULT, days_ago=1)  # another type
    await placed_case(scene, days_ago=40)  # before the period
    await placed_case(scene, station_id=await another_station(scene), days_ago=1)  # the province's, not the station's
    period = {"type": "DETENTION", "from": (today - timedelta(days=20)).isoformat(), "to": today.isoformat()}

    http = browser_like()
    await sign_in(http, staff.station_officer)
    geojson = await http.get("/office/map/cases.geojson", params=period)
    assert geojson.status_code == 200
    assert geojson.headers["content-type"].startswith("application/geo+json")
    assert "attachment" in geojson.headers["content-disposition"]
    collection = geojson.json()
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["caseNo"] for f in collection["features"]} == {recent_detention, closed_detention}
    closed = next(f for f in collection["features"] if f["id"] == closed_detention)
    assert closed["geometry"] == {"type": "Point", "coordinates": [100.5, 15.0]}  # longitude first
    assert closed["properties"]["status"] == "CLOSED" and closed["properties"]["statusTh"] == "ปิดเหตุ"
    assert closed["properties"]["incidentTypeTh"] == DETENTION.label_th
    assert closed["properties"]["reportedAt"].endswith("+07:00")
    assert "phone" not in str(collection) and "+66" not in str(collection)  # where and what, never who

    spreadsheet = await http.get("/office/map/cases.csv", params=period)
    assert spreadsheet.headers["content-type"].startswith("text/csv")
    rows = read_csv(spreadsheet.content)
    assert {row["เลขที่เรื่อง"] for row in rows} == {recent_detention, closed_detention}
    assert {row["ประเภทเหตุ"] for row in rows} == {DETENTION.label_th}
    assert {(row["ละติจูด"], row["ลองจิจูด"]) for row in rows} == {("15.0", "100.5")}

    only_closed = read_csv((await http.get("/office/map/cases.csv", params={**period, "status": "CLOSED"})).content)
    assert [row["เลขที่เรื่อง"] for row in only_closed] == [closed_detention]

    exports = await pool.fetch(
        "SELECT a.details FROM audit_log a JOIN accounts u ON u.id = a.account_id "
        "WHERE u.username = $1 AND a.action = 'EXPORT' ORDER BY a.id", staff.station_officer.username)
    assert [(e["details"]["kind"], e["details"]["rows"]) for e in exports] == [
        ("map_geojson", 2), ("map_csv", 2), ("map_csv", 1)]
    assert exports[0]["details"]["incident_type"] == "DETENTION"
    assert exports[0]["details"]["reported_from"] == period["from"]


async def test_another_stations_officer_downloads_none_of_them_and_a_team_none_at_all(
        scene: Scene, staff: Staff, browser_like) -> None:
    case_no = await placed_case(scene)
    province = browser_like()
    await sign_in(province, staff.province_admin)  # the province's administrator sees the province's cases
    assert case_no in {row["เลขที่เรื่อง"] for row in read_csv((await province.get("/office/map/cases.csv")).content)}

    neighbour = browser_like()
    await sign_in(neighbour, await officer_of_another_station(scene))
    assert case_no not in {row["เลขที่เรื่อง"] for row in read_csv((await neighbour.get("/office/map/cases.csv")).content)}
    features = (await neighbour.get("/office/map/cases.geojson")).json()["features"]
    assert case_no not in {f["id"] for f in features}

    team = browser_like()
    await sign_in(team, staff.team_member)  # a team works from its inbox: no police map, no map download
    assert (await team.get("/office/map/cases.geojson")).status_code == 403
    assert (await team.get("/office/map/cases.csv")).status_code == 403


async def test_the_english_download_has_english_headers_and_no_formula_runs_in_a_spreadsheet(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no = await placed_case(scene)
    code = f"T{case_no[-6:]}"
    await pool.execute("INSERT INTO incident_types (code, label_th, label_en, sort_order, active, escalation) "
                       "VALUES ($1, '=HYPERLINK(\"x\")', '@SUM(1)', 999, false, '[]')", code)
    await pool.execute("UPDATE cases SET incident_type_code = $2 WHERE case_no = $1", case_no, code)
    http = browser_like()
    await sign_in(http, staff.station_officer)
    http.cookies.set(LANGUAGE_COOKIE, "en")
    rows = read_csv((await http.get("/office/map/cases.csv", params={"type": code})).content)
    assert [(row["Case number"], row["Incident type"], row["Status"]) for row in rows] == [
        (case_no, "'@SUM(1)", "New report")]


async def test_a_day_that_cannot_be_one_is_refused_with_the_reason(staff: Staff, browser_like) -> None:
    http = browser_like()
    await sign_in(http, staff.station_officer)
    refused = await http.get("/office/map/cases.csv", params={"from": "2026-13-40"})
    assert refused.status_code == 422
    assert "วันที่" in refused.text  # what is wrong, Thai first
