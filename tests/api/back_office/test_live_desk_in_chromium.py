"""The live desk in real headless Chromium: the case list never pretends to be live when it is not,
and what arrives replaces what the page said before."""

from __future__ import annotations

from playwright.async_api import Page, expect

from database.sessions import session_key
from tests.api.back_office.conftest import PASSWORD, Staff, open_routed_case
from tests.api.back_office.test_in_chromium import sign_in_with_the_form
from tests.api.back_office.test_reporter_messages import reporter_writes
from tests.api.conftest import RunningApi
from tests.scene import Scene

NO_CASES = "ไม่มีเรื่องตามเงื่อนไขนี้"
SESSION_ENDED = "หมดเวลาเข้าสู่ระบบ"


async def end_the_session_of(page: Page, scene: Scene) -> None:
    """The session reaches its end (as after its idle time or lifetime), without the page knowing."""
    token = next(cookie["value"] for cookie in await page.context.cookies() if cookie["name"] == "ess_session")
    await scene.pool.execute("UPDATE account_sessions SET expires_at = now() WHERE token_hash = $1", session_key(token))


async def test_an_ended_session_is_said_on_the_live_list_with_a_way_back(page: Page, api: RunningApi, scene: Scene,
                                                                       staff: Staff) -> None:
    await sign_in_with_the_form(page, api, staff.station_officer.username)
    await page.goto(f"{api.base_url}/office/cases?status=ALL")
    await end_the_session_of(page, scene)

    banner = page.get_by_role("alert")
    await expect(banner).to_contain_text(SESSION_ENDED)  # at the next refresh, not never
    await expect(page.locator("#live")).not_to_contain_text("อัปเดตเอง")  # no longer claims to be live

    await banner.get_by_role("link", name="เข้าสู่ระบบอีกครั้ง").click()
    await page.get_by_label("ชื่อผู้ใช้").fill(staff.station_officer.username)
    await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    await page.get_by_role("button", name="เข้าสู่ระบบ").click()
    await expect(page).to_have_url(f"{api.base_url}/office/cases?status=ALL")  # back to the same list
    await expect(page.get_by_role("alert")).to_have_count(0)


async def test_an_arriving_case_replaces_no_cases(page: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    await sign_in_with_the_form(page, api, staff.station_officer.username)
    await expect(page.get_by_text(NO_CASES)).to_be_visible()  # the scene's station has no case yet

    case_no, _ = await scene.open_case()
    await expect(page.locator(f'tr[data-case="{case_no}"]')).to_be_visible()
    await expect(page.get_by_text(NO_CASES)).to_have_count(0)


async def test_a_new_reporter_message_appears_at_the_top_of_the_open_case_page(
        page: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, _ = await open_routed_case(scene)
    await sign_in_with_the_form(page, api, staff.station_officer.username)
    await page.goto(f"{api.base_url}/office/cases/{case_no}")
    await reporter_writes(scene, case_no, "เขายังอยู่หน้าบ้าน มีมีดด้วย")  # after the page loaded: no reload
    await expect(page.locator("#reporter-messages li").first).to_contain_text("เขายังอยู่หน้าบ้าน มีมีดด้วย")
