"""Nobody is told "alerted" unless someone was: a case whose alerts reached nobody is flagged on the
case list, on the dashboard and on its timeline; the officer dashboard shows who is linked to LINE
per province and station, and which stations would reach nobody tonight, also as an Excel file."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import httpx
from openpyxl import load_workbook

from activities.cases import CaseStore
from domain.models import CaseEvent
from tests.api.back_office.conftest import Staff, open_routed_case, sign_in
from tests.scene import Scene
from tests.waiting import eventually

REACHED_NOBODY = "ยังไม่ถึงเจ้าหน้าที่คนใด"
NOBODY_AT_THIS_RUNG = "ไม่มีเจ้าหน้าที่ได้รับแจ้งเตือน"


async def signed_in(browser_like, person) -> httpx.AsyncClient:
    http = browser_like()
    assert (await sign_in(http, person)).status_code == 303
    return http


async def case_alerting_nobody(scene: Scene) -> str:
    """A case routed to the scene's station whose first rung found no linked officer, recorded as the
    case workflow records it (the case store's activities)."""
    case_no = (await scene.recorded_case()).case_no
    store = CaseStore(scene.pool, download_content=None)
    now = datetime.now(UTC)
    await store.append_case_event(CaseEvent(key=f"{case_no}:routed-test", case_no=case_no, kind="ROUTED", at=now,
                                            actor="system", details={"station_id": scene.station_id}))
    await store.append_case_event(CaseEvent(key=f"{case_no}:alerted-test", case_no=case_no, kind="ALERTED", at=now,
                                            actor="system", details={"level": 1, "audiences": ["STATION"],
                                                                     "officer_ids": [], "reached": 0}))
    return case_no


async def test_a_case_that_reached_nobody_is_flagged_on_the_list_and_its_timeline(
        scene: Scene, staff: Staff, browser_like) -> None:
    unreached = await case_alerting_nobody(scene)
    reached, _ = await open_routed_case(scene)
    await eventually(lambda: scene.pool.fetchval("SELECT officers_reached > 0 FROM cases WHERE case_no = $1", reached))
    http = await signed_in(browser_like, staff.station_officer)

    rows = (await http.get("/office/cases/rows?status=ALL")).text
    unreached_row = rows.split(f'data-case="{unreached}"')[1].split("</tr>")[0]
    reached_row = rows.split(f'data-case="{reached}"')[1].split("</tr>")[0]
    assert REACHED_NOBODY in unreached_row
    assert REACHED_NOBODY not in reached_row

    timeline = (await http.get(f"/office/cases/{unreached}")).text
    assert NOBODY_AT_THIS_RUNG in timeline
    assert "แจ้งเตือนเจ้าหน้าที่ทาง LINE" not in timeline  # never "officers alerted" when none was


async def test_the_dashboard_counts_the_open_cases_that_reached_nobody(
        scene: Scene, staff: Staff, browser_like) -> None:
    http = await signed_in(browser_like, staff.province_admin)
    before = await unreached_count(http)
    case_no = await case_alerting_nobody(scene)
    assert await unreached_count(http) == before + 1
    listed = (await http.get("/office/cases?status=UNREACHED")).text
    assert f'data-case="{case_no}"' in listed


async def unreached_count(http: httpx.AsyncClient) -> int:
    page = (await http.get("/office/dashboard")).text
    return int(page.split('data-counter="UNREACHED"')[1].split("<strong>")[1].split("</strong>")[0])


async def test_the_officer_dashboard_shows_linked_officers_per_station_and_the_stations_reaching_nobody(
        scene: Scene, staff: Staff, browser_like) -> None:
    province = scene.district["province_code"]
    blind = await scene.pool.fetchrow(
        "SELECT id, code FROM stations s WHERE province_code = $1 AND kind = 'STATION' AND id <> $2 "
        "ORDER BY id LIMIT 1",
        province, scene.station_id)
    await scene.pool.execute(
        "INSERT INTO officers (code, name, role, station_id) VALUES ($1, 'ร.ต.ท. ทดสอบ', 'INSPECTOR', $2)",
        f"T-{uuid.uuid4().hex[:10]}", blind["id"])
    await scene.pool.execute("UPDATE officers SET line_user_id = NULL, registered_at = NULL "
                             "WHERE station_id = $1", blind["id"])  # nobody there has linked LINE
    http = await signed_in(browser_like, staff.province_admin)

    page = (await http.get("/office/officers")).text
    linked_there = await scene.pool.fetchval(  # the scene's inspector and superintendent, and any demo officer
        "SELECT count(*) FROM officers WHERE station_id = $1 AND active AND line_user_id IS NOT NULL", scene.station_id)
    assert linked_there >= 2
    scene_station = page.split('id="station-links"')[1].split(f'data-station="{scene.station_id}"')[1].split("</tr>")[0]
    assert f'data-linked="{linked_there}"' in scene_station
    blind_rows = page.split('id="reaching-nobody"')[1].split("</table>")[0]
    assert f'data-station="{blind["id"]}"' in blind_rows
    assert f'data-station="{scene.station_id}"' not in blind_rows  # its inspector on duty is linked
    assert f'data-province="{province}"' in page

    download = await http.get("/office/officers/reaching-nobody.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    codes = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert blind["code"] in codes and await scene.pool.fetchval(
        "SELECT code FROM stations WHERE id = $1", scene.station_id) not in codes


async def test_only_administrators_and_191_centres_download_the_stations_reaching_nobody(
        staff: Staff, browser_like) -> None:
    http = await signed_in(browser_like, staff.station_officer)
    assert (await http.get("/office/officers/reaching-nobody.xlsx")).status_code == 403
