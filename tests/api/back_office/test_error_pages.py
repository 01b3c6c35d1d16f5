"""Every error on a back-office page is a page in the back office's own look, Thai first, with a
way back, under the status code the error has; the JSON API keeps answering JSON. A case page never
offers a link its reader would be refused (the police following the hand-off link, refused, used to
read as a snooping attempt in the audit log)."""

from __future__ import annotations

import re

import asyncpg
import httpx
import pytest
from playwright.async_api import Page, expect

from domain.accounts import AccountRole
from tests.api.back_office.conftest import PASSWORD, Staff, add_account, csrf_of, open_routed_case, sign_in
from tests.api.back_office.teams import forwarded_rows
from tests.api.conftest import RunningApi
from tests.scene import Scene

THAI = re.compile(r"[\u0e00-\u0e7f]")


async def signed_in(browser_like, person) -> httpx.AsyncClient:
    http = browser_like()
    assert (await sign_in(http, person)).status_code == 303
    return http


def assert_office_error_page(answer: httpx.Response, status: int, thai_words: str) -> None:
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    text = answer.text
    assert text.lstrip().startswith("<!doctype html>") and '<header class="top">' in text  # base.html's look
    assert '<html lang="th">' in text and thai_words in text
    assert 'href="/office"' in text  # a way back
    assert '"detail"' not in text


async def test_an_inverted_date_range_is_told_on_the_dashboard_in_thai(staff: Staff, browser_like) -> None:
    http = await signed_in(browser_like, staff.superadmin)
    answer = await http.get("/office/dashboard", params={"from": "05/12/2569", "to": "01/12/2569"})
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    assert "วันเริ่มต้องไม่หลังวันสิ้นสุด" in answer.text and 'name="from"' in answer.text


async def test_a_case_that_does_not_exist_is_a_404_page(staff: Staff, browser_like) -> None:
    http = await signed_in(browser_like, staff.station_officer)
    assert_office_error_page(await http.get("/office/cases/ESS-2026-999999"), 404, "ไม่พบเรื่องแจ้งเหตุนี้ในเขตของท่าน")
    assert_office_error_page(await http.get("/office/no-such-page"), 404, "ไม่พบหน้านี้")


async def test_a_page_for_administrators_is_a_403_page_for_an_officer(staff: Staff, browser_like) -> None:
    http = await signed_in(browser_like, staff.station_officer)
    answer = await http.get("/office/audit")
    assert_office_error_page(answer, 403, "สำหรับผู้ดูแลระบบส่วนกลาง")
    assert "for the national administrator" not in answer.text  # Thai first: English on request
    english = await http.get("/office/audit", cookies={"ess_lang": "en"})
    assert english.status_code == 403 and "for the national administrator" in english.text


async def test_a_form_without_its_csrf_token_is_a_403_page(scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    http = await signed_in(browser_like, staff.province_admin)
    assert_office_error_page(await http.post(f"/office/cases/{case_no}/unmask", data={"csrf_token": "forged"}),
                             403, "คำขอไม่ถูกต้อง (CSRF)")


async def test_a_form_that_cannot_be_read_is_a_422_page_not_the_validators_json(
        scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    http = await signed_in(browser_like, staff.station_officer)
    token = csrf_of(await http.get(f"/office/cases/{case_no}"))
    answer = await http.post(f"/office/cases/{case_no}/actions", data={
        "csrf_token": token, "idempotency_key": "k", "kind": "REASSIGN", "station_id": "not-a-station"})
    assert_office_error_page(answer, 422, "ข้อมูลในแบบฟอร์มไม่ครบหรือไม่ถูกต้อง")
    assert "int_parsing" not in answer.text


async def test_the_json_api_and_the_maps_data_keep_answering_json(api: RunningApi, staff: Staff,
                                                                  browser_like) -> None:
    async with httpx.AsyncClient(base_url=api.base_url) as anonymous:
        answer = await anonymous.get("/api/cases/ESS-2026-000001")
    assert answer.status_code == 401 and answer.json()["detail"]
    http = await signed_in(browser_like, staff.station_officer)
    data = await http.get("/office/map/cases.json", params={"from": "0001-01-01"})
    assert data.status_code == 422 and data.json()["detail"]


@pytest.mark.parametrize("reader, opens", [("station_officer", False), ("centre_operator", False),
                                           ("province_admin", True)])
async def test_the_case_page_links_the_hand_off_only_for_readers_who_may_open_it(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool, reader: str, opens: bool) -> None:
    case_no, handoff_id = await forwarded_rows(scene)
    http = await signed_in(browser_like, getattr(staff, reader))
    case_page = await http.get(f"/office/cases/{case_no}")
    assert case_page.status_code == 200
    link = f'href="/office/handoffs/{handoff_id}"'
    assert (link in case_page.text) is opens
    if opens:  # the link shown opens, and nothing is logged as refused
        assert (await http.get(f"/office/handoffs/{handoff_id}")).status_code == 200
    refused = await pool.fetchval(
        "SELECT count(*) FROM audit_log a JOIN accounts u ON u.id = a.account_id "
        "WHERE u.username = $1 AND a.action = 'HANDOFF_VIEW_REFUSED'", getattr(staff, reader).username)
    assert refused == 0


async def test_in_chromium_a_missing_case_reads_as_a_page_with_a_way_back(
        page: Page, api: RunningApi, pool: asyncpg.Pool) -> None:
    officer = await add_account(pool, AccountRole.SUPERADMIN)
    await page.goto(f"{api.base_url}/office/sign-in")
    await page.get_by_label("ชื่อผู้ใช้").fill(officer.username)
    await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    await page.get_by_role("button", name="เข้าสู่ระบบ").click()
    await page.wait_for_load_state()
    answer = await page.goto(f"{api.base_url}/office/cases/ESS-2026-999999")
    assert answer is not None and answer.status == 404
    await expect(page.get_by_role("alert")).to_contain_text("ไม่พบเรื่องแจ้งเหตุนี้")
    assert THAI.search(await page.title())
    await page.get_by_role("link", name=re.compile("กลับหน้าแรก")).click()
    await expect(page).not_to_have_url(re.compile("ESS-2026-999999"))
