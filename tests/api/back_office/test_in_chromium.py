"""The case desk in real headless Chromium: sign in, a new case appears by itself, acknowledge it."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.async_api import Page, expect

from domain.models import ActionKind, CaseStatus, OfficerAction
from tests.api.back_office.conftest import PASSWORD, Staff, open_routed_case
from tests.api.conftest import RunningApi
from tests.scene import Scene
from tests.waiting import eventually
from workflows.case import CaseWorkflow


async def sign_in_with_the_form(page: Page, api: RunningApi, username: str) -> None:
    await page.goto(f"{api.base_url}/office/cases")
    await expect(page.get_by_role("heading", name="เข้าสู่ระบบ")).to_be_visible()  # sent to the sign-in page
    await page.get_by_label("ชื่อผู้ใช้").fill(username)
    await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    await page.get_by_role("button", name="เข้าสู่ระบบ").click()
    await expect(page.get_by_role("heading", name="รายการแจ้งระงับเหตุด่วน")).to_be_visible()


async def test_an_officer_sees_a_new_case_arrive_and_acknowledges_it(page: Page, api: RunningApi, scene: Scene,
                                                                     staff: Staff) -> None:
    await sign_in_with_the_form(page, api, staff.station_officer.username)

    case_no, handle = await scene.open_case()  # after the page loaded: no reload from here on
    row = page.locator(f'tr[data-case="{case_no}"]')
    await expect(row).to_be_visible()
    await expect(row).to_have_class("status-new arrived")
    await expect(page.locator("#live")).to_contain_text(case_no)

    await row.get_by_role("link", name=case_no).click()
    await expect(page.get_by_text("081-234-5678")).to_be_visible()  # the station handles it: unmasked
    await expect(page.locator("#case-map path.leaflet-interactive")).to_have_count(1)  # its place, drawn offline
    await page.get_by_role("button", name="รับทราบ").click()
    await expect(page.get_by_role("status")).to_contain_text("รับทราบ")
    await expect(page.locator("h1 .status")).to_have_text("รับทราบ")
    assert await handle.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED

    await page.get_by_role("button", name="ปิดเหตุ").click()  # without the required note: refused, said why
    await expect(page.get_by_role("alert")).to_contain_text("ต้องมีบันทึกประกอบ")
    await page.get_by_label("บันทึก / ข้อความ").fill("ระงับเหตุแล้ว ผู้แจ้งปลอดภัย")
    await page.get_by_role("button", name="ปิดเหตุ").click()
    await expect(page.locator("h1 .status")).to_have_text("ปิดเหตุ")
    await expect(page.get_by_text("ระงับเหตุแล้ว ผู้แจ้งปลอดภัย").first).to_be_visible()
    assert await handle.result() == CaseStatus.CLOSED


async def test_english_and_the_common_era_are_a_click_away(page: Page, api: RunningApi, scene: Scene,
                                                          staff: Staff) -> None:
    case_no, _ = await open_routed_case(scene)
    await sign_in_with_the_form(page, api, staff.station_officer.username)
    row = page.locator(f'tr[data-case="{case_no}"]')
    thai_date = await row.locator("td").nth(1).inner_text()
    assert thai_date.split(" ")[0].endswith("/2569")  # Buddhist era for Thai readers
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", name="Urgent cases")).to_be_visible()
    english_date = await page.locator(f'tr[data-case="{case_no}"] td').nth(1).inner_text()
    assert english_date.split(" ")[0].endswith("/2026")


async def test_the_dashboard_counts_change_draws_its_charts_and_downloads_the_excel_file(
        page: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, handle = await open_routed_case(scene)
    await sign_in_with_the_form(page, api, staff.province_admin.username)
    await page.get_by_role("link", name="แดชบอร์ด").click()
    await expect(page.get_by_role("heading", name="แดชบอร์ดการแจ้งเหตุ")).to_be_visible()
    new = int(await page.locator('[data-counter="NEW"] strong').inner_text())
    closed = int(await page.locator('[data-counter="CLOSED"] strong').inner_text())
    assert new >= 1
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.CLOSE, officer=scene.station_officer,
                                                                note="ปิดเหตุ"))
    await eventually(lambda: scene.pool.fetchval("SELECT 1 FROM cases WHERE case_no = $1 AND status = 'CLOSED'", case_no))
    await page.reload()
    await expect(page.locator('[data-counter="NEW"] strong')).to_have_text(str(new - 1))
    await expect(page.locator('[data-counter="CLOSED"] strong')).to_have_text(str(closed + 1))
    await expect(page.locator("body")).to_have_attribute("data-charts-drawn", "true")
    drawn = await page.evaluate("['chart-per-day', 'chart-per-type', 'chart-per-province', 'chart-acknowledge']"
                                ".map((id) => Boolean(Chart.getChart(document.getElementById(id))))")
    assert drawn == [True, True, True, True]  # Chart.js is served by the app itself
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="ดาวน์โหลด excel").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(await download.path()).read_bytes())).active
    assert case_no in {row[0] for row in sheet.iter_rows(values_only=True)}


async def test_the_incident_map_shows_the_case_as_a_marker_without_any_tile_server(
        page: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, _ = await open_routed_case(scene)
    await sign_in_with_the_form(page, api, staff.station_officer.username)
    await page.get_by_role("link", name="แผนที่แจ้งเหตุ").click()
    marker = page.locator("#incident-map path.leaflet-interactive")
    await expect(marker).to_have_count(1)  # this station's one case, drawn by the browser itself
    await marker.click(force=True)
    await expect(page.locator(".leaflet-popup-content").get_by_role("link", name=case_no)).to_be_visible()
