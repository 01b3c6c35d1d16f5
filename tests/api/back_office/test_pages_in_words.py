"""The back office speaks people's language: a case's timeline names officers by rank and name
(the rank once) and stations, and counts whom an alert reached; the audit log says what happened
in words; the settings name incident types and whom a rung alerts; a case's photos make one audit
entry per look, not one per thumbnail; the dashboard says what each counter counts."""

from __future__ import annotations

import html
import re

import asyncpg
import httpx
from playwright.async_api import Page, expect

from domain.models import ActionKind, CaseStatus, OfficerAction
from tests.api.back_office.conftest import PASSWORD, Staff, open_routed_case, sign_in
from tests.api.back_office.teams import forwarded_rows
from tests.api.conftest import RunningApi
from tests.scene import Scene
from tests.waiting import eventually
from workflows.case import CaseWorkflow

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes.fromhex(
    "0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082")


async def signed_in(browser_like, person) -> httpx.AsyncClient:
    http = browser_like()
    assert (await sign_in(http, person)).status_code == 303
    return http


async def sign_in_with_chromium(page: Page, api: RunningApi, username: str) -> None:
    await page.goto(f"{api.base_url}/office/sign-in")
    await page.get_by_label("ชื่อผู้ใช้").fill(username)
    await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    await page.get_by_role("button", name="เข้าสู่ระบบ").click()
    await page.wait_for_load_state()


async def station_names(pool: asyncpg.Pool, station_id: int) -> tuple[str, str]:
    row = await pool.fetchrow("SELECT name_th, name_en FROM stations WHERE id = $1", station_id)
    return row["name_th"], row["name_en"]


async def acknowledged(scene: Scene, case_no: str, handle) -> None:
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.ACKNOWLEDGE,
                                                                officer=scene.station_officer))
    await eventually(lambda: scene.pool.fetchval("SELECT 1 FROM cases WHERE case_no = $1 AND status = $2",
                                                 case_no, CaseStatus.ACKNOWLEDGED.value))


async def test_the_timeline_names_officers_stations_and_counts_whom_an_alert_reached(
        page: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, handle = await open_routed_case(scene)
    await eventually(lambda: scene.pool.fetchval(
        "SELECT 1 FROM case_events WHERE case_no = $1 AND kind = 'ALERTED'", case_no))
    await acknowledged(scene, case_no, handle)
    station_th, _ = await station_names(scene.pool, scene.station_id)
    await sign_in_with_chromium(page, api, staff.province_admin.username)
    await page.goto(f"{api.base_url}/office/cases/{case_no}")
    timeline = page.locator("section", has=page.get_by_role("heading", name="ลำดับเหตุการณ์")).locator("ol")
    routed = timeline.locator("li", has_text="ส่งถึงสถานี")
    await expect(routed).to_contain_text(f"ไปยัง {station_th}")
    alerted = timeline.locator("li", has_text="แจ้งเตือนเจ้าหน้าที่ทาง LINE").first
    await expect(alerted).to_contain_text(re.compile(rf"แจ้งเตือนเจ้าหน้าที่ \d+ คน ของ {re.escape(station_th)}"))
    await expect(alerted).to_contain_text("เจ้าหน้าที่ของสถานี")  # whom the rung was for, not STATION
    status_changed = timeline.locator("li", has_text="เปลี่ยนสถานะ")
    # The officer by rank and name, the rank once, and their station; never officer:<id>.
    await expect(status_changed).to_contain_text(f"ร.ต.อ. ทดสอบ INSPECTOR ({station_th})")
    text = await timeline.inner_text()
    assert "ร.ต.อ. ร.ต.อ." not in text and "officer:" not in text and "STATION" not in text
    await page.get_by_role("link", name="English").click()
    _, station_en = await station_names(scene.pool, scene.station_id)
    await expect(page.locator("li", has_text="Routed to a station")).to_contain_text(f"to {station_en}")
    await expect(page.locator("li", has_text="Officers alerted on LINE").first).to_contain_text(
        re.compile(rf"alerted \d+ officers? of {re.escape(station_en)}"))


async def test_one_look_at_a_cases_photos_is_one_audit_entry_however_many_thumbnails(
        page: Page, api: RunningApi, scene: Scene, staff: Staff, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    for n in range(4):
        await pool.execute(
            "INSERT INTO case_attachments (case_no, event_key, line_message_id, content_type, content, received_at)"
            " VALUES ($1, $2, $3, 'image/png', $4, now())", case_no, f"{case_no}:photo:{n}", f"m{n}", PHOTO)
    await sign_in_with_chromium(page, api, staff.station_officer.username)
    await page.goto(f"{api.base_url}/office/cases/{case_no}")
    photos = page.locator("ul.attachments img")
    await expect(photos).to_have_count(4)
    for n in range(4):
        await photos.nth(n).scroll_into_view_if_needed()
        await expect(photos.nth(n)).to_have_js_property("complete", True)
    await page.reload()  # the same look, a moment later
    await expect(photos).to_have_count(4)
    views = await pool.fetchval(
        "SELECT count(*) FROM audit_log a JOIN accounts u ON u.id = a.account_id "
        "WHERE u.username = $1 AND a.case_no = $2 AND a.action = 'ATTACHMENT_VIEWED'",
        staff.station_officer.username, case_no)
    assert views == 1


async def test_the_audit_log_reads_in_words(scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    admin = await signed_in(browser_like, staff.province_admin)
    await admin.get(f"/office/cases/{case_no}")
    national = await signed_in(browser_like, staff.superadmin)
    log = await national.get("/office/audit", params={"case_no": case_no})
    assert log.status_code == 200
    row = re.search(r'<tr data-action="CASE_VIEWED">(.*?)</tr>', log.text, re.S)
    assert row, "the view is not listed"
    cells = row.group(1)
    assert "เปิดดูเรื่อง" in cells and "ทาง: ระบบหลังบ้าน" in cells
    assert f"ทดสอบ {staff.province_admin.role.value}" in cells  # the account's name, beside its username
    assert "{" not in cells and "back_office" not in cells and "CASE_VIEWED" not in cells
    assert '<option value="CASE_VIEWED"' in log.text and ">เปิดดูเรื่อง</option>" in log.text


async def test_the_settings_name_incident_types_and_whom_each_rung_alerts(staff: Staff, browser_like) -> None:
    national = await signed_in(browser_like, staff.superadmin)
    settings = await national.get("/office/settings")
    assert settings.status_code == 200
    assert "<th>ศูนย์ 191 ของจังหวัด</th>" in settings.text and "<th>CENTRE_191</th>" not in settings.text
    legend = re.search(r'data-type="([A-Z_]+)".*?<legend>([^<]+)<', settings.text, re.S)
    assert legend and legend.group(2).strip() != legend.group(1)  # the type's label, its code only aside


async def test_the_hand_off_page_names_who_forwarded_with_the_rank_once(
        scene: Scene, staff: Staff, browser_like) -> None:
    _, handoff_id = await forwarded_rows(scene)
    admin = await signed_in(browser_like, staff.province_admin)
    handoff = await admin.get(f"/office/handoffs/{handoff_id}")
    assert handoff.status_code == 200
    assert "ร.ต.อ. ทดสอบ INSPECTOR" in handoff.text and "ร.ต.อ. ร.ต.อ." not in handoff.text


async def test_a_rank_kept_apart_from_the_name_is_shown_before_it(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    _, handoff_id = await forwarded_rows(scene)
    await pool.execute("UPDATE officers SET name = 'สมชาย ใจดี' WHERE id = $1", scene.station_officer.officer_id)
    admin = await signed_in(browser_like, staff.province_admin)
    assert "ร.ต.อ. สมชาย ใจดี" in (await admin.get(f"/office/handoffs/{handoff_id}")).text


async def test_the_dashboard_says_its_status_counters_are_now_and_the_service_level_is_ever(
        page: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, handle = await open_routed_case(scene)
    await acknowledged(scene, case_no, handle)
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.CLOSE, officer=scene.station_officer,
                                                                note="ระงับเหตุแล้ว"))
    await sign_in_with_chromium(page, api, staff.province_admin.username)
    await page.goto(f"{api.base_url}/office/dashboard")
    await expect(page.get_by_role("heading", name="สถานะในขณะนี้ของเรื่องที่แจ้งในช่วงนี้")).to_be_visible()
    now = page.get_by_role("list", name="สถานะในขณะนี้ของเรื่องที่แจ้งในช่วงนี้")  # the heading names the list
    await expect(now.locator('[data-counter="ACKNOWLEDGED"]')).to_be_visible()
    await expect(now.locator('[data-counter="total"]')).to_have_count(0)  # the period's totals stand apart
    await expect(page.locator('[data-counter="total"] span')).to_contain_text("แจ้งในช่วงนี้")
    await expect(page.locator('[data-service-level="ACKNOWLEDGE"]')).to_contain_text("เรื่องที่เคยได้รับการรับทราบ")


def options_of(page_text: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}">(.*?)</select>', page_text, re.S)
    assert select, f"no {select_name} list"
    return [html.unescape(text) for value, text in re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>',
                                                               select.group(1))]


async def test_english_lists_of_provinces_and_stations_sort_in_english(staff: Staff, browser_like) -> None:
    national = await signed_in(browser_like, staff.superadmin)
    english = (await national.get("/office/dashboard", cookies={"ess_lang": "en"})).text
    provinces = options_of(english, "province")
    assert len(provinces) > 70 and provinces == sorted(provinces, key=str.casefold)
    assert provinces[0] == "Amnat Charoen"
    officers = (await national.get("/office/officers", cookies={"ess_lang": "en"})).text
    for table in re.findall(r"<table.*?</table>", officers, re.S):  # stations reaching nobody, every station
        rows = re.findall(r'<tr data-station="\d+"[^>]*><td>([^<]+)</td><td>([^<]+)</td>', table)
        in_order = [(html.unescape(province), html.unescape(station)) for station, province in rows]
        assert in_order == sorted(in_order, key=lambda pair: (pair[0].casefold(), pair[1].casefold()))
    thai = (await national.get("/office/dashboard")).text
    assert options_of(thai, "province")[0] == "กระบี่"  # Thai readers keep the Thai order (Krabi first)


async def test_the_hand_off_timeline_names_whom_an_alert_reached(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    _, handoff_id = await forwarded_rows(scene)
    province = scene.district["province_code"]
    members = [await pool.fetchval(
        "INSERT INTO team_members (code, name, role, province_code) VALUES ($1, $2, 'SOCIAL_WORKER', $3) RETURNING id",
        f"TEST-WORDS-{handoff_id}-{n}", f"นางสาวทดสอบ {n}", province) for n in (1, 2)]
    await pool.execute(
        "INSERT INTO handoff_events (handoff_id, event_key, kind, at, actor, details)"
        " VALUES ($1, $2, 'ALERTED', now(), 'system', $3::text::jsonb)",
        handoff_id, f"{handoff_id}:alerted", f'{{"level": 0, "audiences": ["TEAM"], "member_ids": {members}}}')
    admin = await signed_in(browser_like, staff.province_admin)
    page = await admin.get(f"/office/handoffs/{handoff_id}")
    entry = re.search(r'<li data-kind="ALERTED">(.*?)</li>', page.text, re.S)
    assert entry, "no alert on the timeline"
    assert "ทีมสหวิชาชีพของจังหวัด" in entry.group(1) and ">TEAM<" not in entry.group(1)
    assert "แจ้งเตือน 2 คน: นางสาวทดสอบ 1, นางสาวทดสอบ 2" in entry.group(1)
