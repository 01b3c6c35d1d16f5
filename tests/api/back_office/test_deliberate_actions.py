"""Deliberate actions on the case and hand-off pages: only what the status allows is offered, each
action has its own form, a consequential one needs its reason and a confirmation that names what
will happen (cancelling it changes nothing), a message to the reporter is sent only after a warning
that someone else may read their phone, and a reassignment ends on a page, never on JSON."""

from __future__ import annotations

import re

import asyncpg
import httpx
from playwright.async_api import Browser, expect

from domain.models import ActionKind, CaseStatus, OfficerAction
from tests.api.back_office.confirming import confirm, is_confirmation
from tests.api.back_office.conftest import PASSWORD, Person, Staff, csrf_of, open_routed_case, sign_in
from tests.api.back_office.test_handoff_desk import Team, forwarded_for_real, team  # noqa: F401 (a fixture)
from tests.api.conftest import RunningApi
from tests.scene import Scene
from tests.waiting import eventually
from workflows.case import CaseWorkflow

OFFERED = re.compile(r'name="kind" value="([A-Z_]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
EVERY_ACTION = {kind.value for kind in ActionKind}


async def signed_in(browser_like, person: Person) -> httpx.AsyncClient:
    http = browser_like()
    assert (await sign_in(http, person)).status_code == 303
    return http


async def offered(http: httpx.AsyncClient, case_no: str) -> set[str]:
    return set(OFFERED.findall((await http.get(f"/office/cases/{case_no}")).text))


async def ask(http: httpx.AsyncClient, case_no: str, kind: str, **fields: str) -> httpx.Response:
    """Sends one action's form from the case page, as its button does."""
    page = await http.get(f"/office/cases/{case_no}")
    return await http.post(f"/office/cases/{case_no}/actions", data={
        "csrf_token": csrf_of(page), "idempotency_key": KEY.search(page.text).group(1), "kind": kind, **fields})


async def a_neighbouring_station(scene: Scene) -> asyncpg.Record:
    """Another station of the case's province: (id, Thai name)."""
    return await scene.pool.fetchrow(
        "SELECT id, name_th FROM stations WHERE province_code = $1 AND kind = 'STATION' AND id <> $2 "
        "ORDER BY id LIMIT 1", scene.district["province_code"], scene.station_id)


async def case_actions(pool: asyncpg.Pool, case_no: str) -> list[str]:
    return [row["details"]["kind"] for row in await pool.fetch(
        "SELECT details FROM audit_log WHERE action = 'CASE_ACTION' AND case_no = $1 ORDER BY id", case_no)]


async def test_only_the_actions_the_cases_status_allows_are_offered(scene: Scene, staff: Staff,
                                                                    browser_like) -> None:
    case_no, handle = await open_routed_case(scene)
    officer = await signed_in(browser_like, staff.station_officer)
    assert await offered(officer, case_no) == EVERY_ACTION
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.ACKNOWLEDGE,
                                                                officer=scene.station_officer))
    await eventually(lambda: scene.pool.fetchval("SELECT 1 FROM cases WHERE case_no = $1 AND status = $2",
                                                 case_no, CaseStatus.ACKNOWLEDGED.value))
    assert await offered(officer, case_no) == EVERY_ACTION - {"ACKNOWLEDGE"}  # acknowledged once is enough

    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.CLOSE, officer=scene.station_officer,
                                                                note="ระงับเหตุแล้ว"))
    await eventually(lambda: scene.pool.fetchval("SELECT 1 FROM cases WHERE case_no = $1 AND status = $2",
                                                 case_no, CaseStatus.CLOSED.value))
    assert await offered(officer, case_no) == set()  # an ended case takes no action


async def test_a_case_in_the_teams_hands_offers_only_a_note_and_a_message(scene: Scene, staff: Staff,
                                                                          browser_like) -> None:
    case_no, _, officer = await forwarded_for_real(scene, staff, browser_like)
    assert await offered(officer, case_no) == {"ADD_NOTE", "MESSAGE_REPORTER"}


async def test_a_prank_needs_its_reason_and_a_confirmation_that_names_what_follows(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handle = await open_routed_case(scene)
    officer = await signed_in(browser_like, staff.station_officer)
    page = (await officer.get(f"/office/cases/{case_no}")).text
    assert re.search(r'<details class="action danger" data-action="PRANK">', page)  # apart, in the danger style

    without_reason = await ask(officer, case_no, "PRANK", note="   ")
    assert without_reason.status_code == 422 and without_reason.headers["content-type"].startswith("text/html")
    assert "ต้องมีบันทึกประกอบ" in without_reason.text and f"<h1>{case_no}" in without_reason.text  # the case page

    asked = await ask(officer, case_no, "PRANK", note="ผู้แจ้งยอมรับว่าแกล้งแจ้ง")
    assert is_confirmation(asked)
    assert "ปิดเรื่องว่าเป็นการแจ้งเล่น" in asked.text and "ผู้แจ้งจะไม่ได้รับข้อความ" in asked.text
    assert "ผู้แจ้งยอมรับว่าแกล้งแจ้ง" in asked.text
    assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW  # nothing done before the confirmation

    done = await confirm(officer, asked)
    assert done.url.path == f"/office/cases/{case_no}" and "บันทึกแล้ว" in done.text
    assert await handle.result() == CaseStatus.PRANK
    assert await case_actions(pool, case_no) == ["PRANK", "PRANK"]  # the refused form, then the confirmed one


async def test_a_message_to_the_reporter_is_warned_about_and_sent_only_once_confirmed(
        scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    officer = await signed_in(browser_like, staff.station_officer)
    page = (await officer.get(f"/office/cases/{case_no}")).text
    warning = "โทรศัพท์ของผู้แจ้งอาจมีผู้อื่นเห็นหรืออ่านข้อความได้"
    assert page.index(warning) < page.index('value="MESSAGE_REPORTER"')  # said before the box

    asked = await ask(officer, case_no, "MESSAGE_REPORTER", note="เจ้าหน้าที่กำลังเดินทางไป")
    assert is_confirmation(asked) and warning in asked.text and "เจ้าหน้าที่กำลังเดินทางไป" in asked.text
    await scene.reporter.hears_nothing(within=1)

    await confirm(officer, asked)
    [said] = await scene.reporter.hears()
    assert "เจ้าหน้าที่กำลังเดินทางไป" in said["text"]


async def test_a_move_needs_a_chosen_station_and_a_reason_and_ends_on_the_case_page(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    centre = await signed_in(browser_like, staff.centre_operator)  # the province's 191 centre
    page = (await centre.get(f"/office/cases/{case_no}")).text
    choices = page.split('name="station_id"')[1].split("</select>")[0]
    assert "<option" in choices and "selected" not in choices  # nothing chosen for the officer
    other, name_th = await a_neighbouring_station(scene)

    no_station = await ask(centre, case_no, "REASSIGN", note="อยู่ในเขตสถานีอื่น")
    assert no_station.status_code == 422 and "ต้องเลือกสถานีปลายทาง" in no_station.text
    no_reason = await ask(centre, case_no, "REASSIGN", station_id=str(other))
    assert no_reason.status_code == 422 and "ต้องมีบันทึกประกอบ" in no_reason.text
    asked = await ask(centre, case_no, "REASSIGN", station_id=str(other), note="อยู่ในเขตสถานีอื่น")
    assert is_confirmation(asked) and name_th in asked.text

    moved = await confirm(centre, asked)
    assert moved.status_code == 200 and moved.headers["content-type"].startswith("text/html")
    assert moved.url.path == f"/office/cases/{case_no}"
    assert re.search(rf'role="status">บันทึกแล้ว: โอนสถานี → {re.escape(name_th)}<', moved.text)
    assert await eventually(lambda: pool.fetchval(
        "SELECT station_id FROM cases WHERE case_no = $1 AND station_id = $2", case_no, other)) == other


async def test_a_station_that_moves_a_case_away_is_told_where_it_went_on_its_list(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    officer = await signed_in(browser_like, staff.station_officer)
    other, name_th = await a_neighbouring_station(scene)
    asked = await ask(officer, case_no, "REASSIGN", station_id=str(other), note="เกิดเหตุในเขตสถานีข้างเคียง")
    moved = await confirm(officer, asked)
    assert moved.status_code == 200 and moved.url.path == "/office/cases"  # out of its scope: its list
    assert f"{case_no} → {name_th}" in moved.text
    refused_views = await pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'CASE_VIEW_REFUSED' AND case_no = $1", case_no)
    assert refused_views == 0  # no false "refused view" in the audit log


async def test_returning_a_case_to_the_police_is_confirmed_first(scene: Scene, staff: Staff, team: Team,  # noqa: F811
                                                                 browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id, _ = await forwarded_for_real(scene, staff, browser_like)
    coordinator = await signed_in(browser_like, team.coordinator_account)
    page = await coordinator.get(f"/office/handoffs/{handoff_id}")
    asked = await coordinator.post(f"/office/handoffs/{handoff_id}/actions", data={
        "csrf_token": csrf_of(page), "idempotency_key": KEY.search(page.text).group(1), "kind": "REJECT",
        "note": "ไม่ใช่กรณีที่ทีมรับได้"})
    assert is_confirmation(asked) and "ส่งเรื่องคืนตำรวจพร้อมเหตุผลนี้" in asked.text
    assert await pool.fetchval("SELECT status FROM handoffs WHERE handoff_id = $1", handoff_id) == "AWAITING"
    returned = await confirm(coordinator, asked)
    assert returned.url.path == f"/office/handoffs/{handoff_id}" and "บันทึกแล้ว" in returned.text
    await eventually(lambda: pool.fetchval("SELECT 1 FROM cases WHERE case_no = $1 AND status = $2", case_no,
                                           CaseStatus.RETURNED.value))


async def test_on_a_phone_cancelling_a_confirmation_changes_nothing_and_confirming_applies(
        browser: Browser, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, handle = await open_routed_case(scene)
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                        locale="th-TH", timezone_id="Asia/Bangkok")
    try:
        page = await context.new_page()
        page.set_default_timeout(10_000)
        await page.goto(f"{api.base_url}/office/sign-in?next=/office/cases/{case_no}")
        await page.get_by_label("ชื่อผู้ใช้").fill(staff.station_officer.username)
        await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
        await page.get_by_role("button", name="เข้าสู่ระบบ").click()

        await page.locator("summary", has_text="ไม่พบเหตุ").click()
        reason = page.get_by_label("เหตุผลที่ไม่พบเหตุ")
        assert await reason.evaluate("box => box.required")  # the browser asks for it too
        await reason.fill("ไปถึงที่เกิดเหตุแล้วไม่พบผู้ใด")
        await page.get_by_role("button", name="ไม่พบเหตุ").click()
        await expect(page.get_by_role("heading", name="ยืนยัน: ไม่พบเหตุ")).to_be_visible()
        await expect(page.locator(".consequence")).to_contain_text("ผู้แจ้งจะได้รับข้อความทาง LINE ว่าไม่พบเหตุ")
        await page.get_by_role("link", name="ยกเลิก ไม่ดำเนินการ").click()
        await expect(page.locator("h1 .status")).to_have_text("แจ้งเหตุใหม่")
        assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW

        await page.locator("summary", has_text="ไม่พบเหตุ").click()
        await page.get_by_label("เหตุผลที่ไม่พบเหตุ").fill("ไปถึงที่เกิดเหตุแล้วไม่พบผู้ใด")
        await page.get_by_role("button", name="ไม่พบเหตุ").click()
        await page.get_by_role("button", name="ยืนยัน — ไม่พบเหตุ").click()
        await expect(page.get_by_role("status")).to_contain_text("บันทึกแล้ว: ไม่พบเหตุ")
        await expect(page.locator("h1 .status")).to_have_text("ไม่พบเหตุ")
        assert await handle.result() == CaseStatus.NOT_FOUND
    finally:
        await context.close()


async def test_on_a_phone_a_move_is_searched_chosen_explained_confirmed_and_ends_on_the_case_page(
        browser: Browser, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, _ = await open_routed_case(scene)
    other, name_th = await a_neighbouring_station(scene)
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                        locale="th-TH", timezone_id="Asia/Bangkok")
    try:
        page = await context.new_page()
        page.set_default_timeout(10_000)
        await page.goto(f"{api.base_url}/office/sign-in?next=/office/cases/{case_no}")
        await page.get_by_label("ชื่อผู้ใช้").fill(staff.centre_operator.username)
        await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
        await page.get_by_role("button", name="เข้าสู่ระบบ").click()

        await page.locator("summary", has_text="โอนสถานี").click()
        stations = page.get_by_label("สถานีปลายทาง")
        assert await stations.evaluate("list => list.selectedIndex") == -1  # nothing chosen beforehand
        await page.get_by_label("ค้นหาสถานี").fill(name_th)
        shown = await stations.evaluate("list => [...list.options].filter(o => !o.hidden).map(o => o.value)")
        assert str(other) in shown and len(shown) < await stations.evaluate("list => list.options.length")
        await stations.select_option(str(other))
        await page.get_by_label("เหตุผลที่โอน").fill("เกิดเหตุในเขตสถานีข้างเคียง")
        await page.get_by_role("button", name="โอนสถานี").click()
        await expect(page.locator(".destination")).to_have_text(name_th)
        await page.get_by_role("button", name="ยืนยัน — โอนสถานี").click()
        await expect(page.get_by_role("status")).to_have_text(f"บันทึกแล้ว: โอนสถานี → {name_th}")
        assert page.url.split("?")[0] == f"{api.base_url}/office/cases/{case_no}"
    finally:
        await context.close()
