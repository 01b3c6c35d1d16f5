"""The case desk in real headless Chromium: sign in, a new case appears by itself, acknowledge it;
and a case forwarded to the multidisciplinary team, cared for and closed, as both sides see it."""

from __future__ import annotations

import io
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from playwright.async_api import Browser, Page, expect

from domain.clock import THAILAND
from domain.handoff import TeamRole
from domain.models import ActionKind, CaseStatus, OfficerAction
from tests.api.back_office.conftest import PASSWORD, Staff, open_routed_case
from tests.api.back_office.teams import account_of
from tests.api.conftest import RunningApi
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually
from workflows.case import CaseWorkflow


async def sign_in_with_the_form(page: Page, api: RunningApi, username: str) -> None:
    await page.goto(f"{api.base_url}/office/cases")
    await expect(page.get_by_role("heading", name="เข้าสู่ระบบ")).to_be_visible()  # sent to the sign-in page
    await page.get_by_label("ชื่อผู้ใช้").fill(username)
    await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    await page.get_by_role("button", name="เข้าสู่ระบบ").click()
    await expect(page.get_by_role("heading", name="รายการแจ้งระงับเหตุด่วน")).to_be_visible()


async def signs_in_to_the_handoffs(page: Page, api: RunningApi, username: str) -> None:
    await page.goto(f"{api.base_url}/office/handoffs")
    await page.get_by_label("ชื่อผู้ใช้").fill(username)
    await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    await page.get_by_role("button", name="เข้าสู่ระบบ").click()
    await expect(page.get_by_role("heading", name="งานส่งต่อทีมสหวิชาชีพ")).to_be_visible()


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

    await expect(page.get_by_role("button", name="รับทราบ")).to_have_count(0)  # acknowledged: not offered again
    await page.locator("summary", has_text="ปิดเหตุ").click()
    await page.get_by_label("ผลการระงับเหตุ").fill("ระงับเหตุแล้ว ผู้แจ้งปลอดภัย")
    await page.get_by_role("button", name="ปิดเหตุ").click()
    await expect(page.locator(".consequence")).to_contain_text("ผู้แจ้งจะได้รับข้อความ")  # said before it is done
    await page.get_by_role("button", name="ยืนยัน — ปิดเหตุ").click()
    await expect(page.locator("h1 .status")).to_have_text("ปิดเหตุ")
    await expect(page.get_by_text("ระงับเหตุแล้ว ผู้แจ้งปลอดภัย").first).to_be_visible()
    assert await handle.result() == CaseStatus.CLOSED


async def test_an_administrator_shows_the_masked_phone_with_the_button_for_a_while(
        page: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, _ = await open_routed_case(scene)
    await sign_in_with_the_form(page, api, staff.province_admin.username)
    await page.goto(f"{api.base_url}/office/cases/{case_no}")
    await expect(page.locator(".phone")).to_have_text("xxx-xxx-5678")  # not handling the case: masked
    await page.get_by_role("button", name="แสดงเบอร์ (บันทึกการเปิดดู)").click()
    await expect(page.locator(".phone")).to_have_text("081-234-5678")
    await expect(page.locator(".unmasked-for")).to_contain_text("แสดงถึง")
    assert page.url.endswith(f"/office/cases/{case_no}")  # nothing in the address holds it
    await expect(page.get_by_role("button", name="แสดงเบอร์ (บันทึกการเปิดดู)")).to_have_count(0)


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
    close = OfficerAction(kind=ActionKind.CLOSE, officer=scene.station_officer, note="ปิดเหตุ")
    await handle.execute_update(CaseWorkflow.act, close)
    await eventually(lambda: scene.pool.fetchval(
        "SELECT 1 FROM cases WHERE case_no = $1 AND status = 'CLOSED'", case_no))
    await page.reload()
    await expect(page.locator('[data-counter="NEW"] strong')).to_have_text(str(new - 1))
    await expect(page.locator('[data-counter="CLOSED"] strong')).to_have_text(str(closed + 1))
    await expect(page.locator("body")).to_have_attribute("data-charts-drawn", "true")
    drawn = await page.evaluate("['chart-per-day', 'chart-per-type', 'chart-per-province', 'chart-acknowledge']"
                                ".map((id) => Boolean(Chart.getChart(document.getElementById(id))))")
    assert drawn == [True, True, True, True]  # Chart.js is served by the app itself
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="ดาวน์โหลดไฟล์ Excel").click()
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


async def test_a_forwarded_case_is_cared_for_by_the_team_and_the_officer_sees_how_it_ended(
        page: Page, browser: Browser, api: RunningApi, scene: Scene, staff: Staff) -> None:
    member, _ = await linked_team_member(scene.pool, scene.platform, TeamRole.SOCIAL_WORKER,
                                         scene.district["province_code"])
    member_account = await account_of(scene.pool, member)
    head, _ = await linked_team_member(scene.pool, scene.platform, TeamRole.OFFICE_HEAD,
                                       scene.district["province_code"])
    head_account = await account_of(scene.pool, head)
    oscc = await scene.pool.fetchval(
        "INSERT INTO agencies (code, province_code, kind, name_th, name_en) VALUES ($1, $2, 'OSCC', $3, $4)"
        " RETURNING id", f"TEST-OSCC-{uuid.uuid4().hex[:10]}", scene.district["province_code"],
        "ศูนย์พึ่งได้ โรงพยาบาลจังหวัดทดสอบ", "OSCC, provincial hospital")
    case_no, _ = await open_routed_case(scene)
    await sign_in_with_the_form(page, api, staff.station_officer.username)
    await page.locator(f'tr[data-case="{case_no}"]').get_by_role("link", name=case_no).click()
    await page.locator("summary", has_text="ส่งต่อทีมสหวิชาชีพ").click()
    await page.get_by_label("บันทึกถึงทีมสหวิชาชีพ").fill("ผู้เสียหายเป็นเด็ก ต้องการที่พักพิง")
    await page.get_by_role("button", name="ส่งต่อทีมสหวิชาชีพ").click()
    await page.get_by_role("button", name="ยืนยัน — ส่งต่อทีมสหวิชาชีพ").click()
    await expect(page.locator("h1 .status")).to_have_text("ส่งต่อทีมสหวิชาชีพ รอทีมรับเรื่อง")

    team_context = await browser.new_context(locale="th-TH", timezone_id="Asia/Bangkok")  # another person
    head_context = await browser.new_context(locale="th-TH", timezone_id="Asia/Bangkok")  # and their head
    try:
        team_page = await team_context.new_page()
        team_page.set_default_timeout(10_000)
        await signs_in_to_the_handoffs(team_page, api, member_account.username)
        row = team_page.locator(f'tr[data-handoff="{case_no}-1"]')
        await expect(row).to_contain_text("รอทีมรับเรื่อง")
        await row.get_by_role("link", name=case_no).click()
        await expect(team_page.get_by_text("ผู้เสียหายเป็นเด็ก ต้องการที่พักพิง")).to_be_visible()
        await expect(team_page.locator("#case-map path.leaflet-interactive")).to_have_count(1)

        await team_page.get_by_role("button", name="รับเรื่อง", exact=True).click()
        await expect(team_page.get_by_role("status")).to_contain_text("รับเรื่อง")
        await expect(team_page.locator("h1 .status")).to_have_text("อยู่ในความดูแล")
        await expect(team_page.locator(".case-worker")).to_contain_text(member.name)

        # Who is helped: a child, not the reporter, with her guardian's agreement.
        person = team_page.locator("form[data-action=DESCRIBE_PERSON]")
        await person.get_by_label("เป็นผู้แจ้งเอง").select_option(label="ไม่ใช่")
        await person.get_by_label("ช่วงอายุ").select_option(label="6–11 ปี")
        await person.get_by_label(re.compile("ยินยอมให้บันทึกข้อมูลนี้")).check()
        await person.get_by_role("button", name="บันทึกข้อมูลผู้ได้รับความช่วยเหลือ").click()
        await expect(team_page.locator(".person-helped dl")).to_contain_text("6–11 ปี")

        # The first risk assessment: a weapon at home, so high; the office head is asked to approve the plan.
        assessment = team_page.locator("form[data-action=ASSESS_RISK]")
        await assessment.get_by_role("group", name="ผู้กระทำมีหรือเคยใช้อาวุธหรือไม่").get_by_label(
            "ใช่", exact=True).check()
        await assessment.get_by_label("ระดับความเสี่ยง").select_option(label="ความเสี่ยงสูง")
        await assessment.get_by_label(re.compile("^เหตุผล")).fill("พ่อเลี้ยงมีปืนในบ้าน")
        await assessment.get_by_role("button", name="บันทึกการประเมิน").click()
        await expect(team_page.locator(".risk-level")).to_contain_text("ความเสี่ยงสูง")
        await expect(team_page.locator(".approvals")).to_contain_text("แผนความเสี่ยงสูงรออนุมัติ")

        # Referred to the hospital's crisis centre, which accepts.
        referral = team_page.locator("form[data-action=REFER]")
        await referral.get_by_label("หน่วยงาน").select_option(label="ศูนย์พึ่งได้ โรงพยาบาลจังหวัดทดสอบ · ศูนย์พึ่งได้ (OSCC)")
        await referral.get_by_label("ต้องการคำตอบภายใน").fill(
            (datetime.now(THAILAND) + timedelta(days=1)).strftime("%Y-%m-%dT09:00"))
        await referral.get_by_role("button", name="ส่งต่อหน่วยงาน").click()
        referred = team_page.locator("tr[data-referral]")
        await expect(referred).to_contain_text("รอคำตอบ")
        await referred.get_by_role("button", name="หน่วยงานรับแล้ว").click()
        await expect(referred.locator(".referral-answer")).to_have_text("หน่วยงานรับแล้ว")

        due = datetime.now(THAILAND) + timedelta(days=1)  # at a high risk, within 48 hours
        await team_page.get_by_label("ประเภทการติดตาม").select_option(label="เยี่ยมบ้าน")
        await team_page.get_by_label("วันเวลานัด").fill(due.strftime("%Y-%m-%dT10:00"))
        await team_page.get_by_label("รายละเอียดแผน").fill("เยี่ยมบ้านพร้อมครู")
        await team_page.get_by_role("button", name="เพิ่มแผนติดตาม").click()
        planned = team_page.locator('tr[data-follow-up="4"]')  # 1 the assessment, 2 its review, 3 the referral
        await expect(planned).to_contain_text("เยี่ยมบ้านพร้อมครู")
        await expect(planned).to_contain_text(f"{due.day:02d}/{due.month:02d}/{due.year + 543} 10:00")

        await team_page.get_by_label("ผลการติดตาม").fill("พบเด็ก ปลอดภัยดี")
        await team_page.get_by_role("button", name="บันทึกผลการติดตาม").click()
        await expect(planned).to_contain_text("ทำแล้ว")
        await expect(planned).to_contain_text("พบเด็ก ปลอดภัยดี")

        await team_page.get_by_label(re.compile("^ผลการดูแล")).select_option(label="ปลอดภัย อยู่กับครอบครัว")
        await team_page.get_by_label("บันทึกการปิด").fill("กลับไปอยู่กับยาย โรงเรียนช่วยดูแล")
        await team_page.get_by_role("button", name="ปิดการดูแล").click()
        await expect(team_page.locator(".care-outcome")).to_have_text("ปลอดภัย อยู่กับครอบครัว")  # confirm first
        await team_page.get_by_role("button", name="ยืนยัน — ปิดการดูแล").click()
        await expect(team_page.get_by_role("status")).to_contain_text("ส่งขออนุมัติแล้ว")
        await expect(team_page.locator("h1 .status")).to_have_text("อยู่ในความดูแล")

        # The office head approves the plan, then the closing.
        head_page = await head_context.new_page()
        head_page.set_default_timeout(10_000)
        await signs_in_to_the_handoffs(head_page, api, head_account.username)
        await head_page.goto(f"{api.base_url}/office/handoffs/{case_no}-1")
        for subject in ("HIGH_RISK_PLAN", "CLOSURE"):
            await head_page.locator(f".approval[data-subject={subject}]").get_by_role("button", name="อนุมัติ").click()
            await expect(head_page.get_by_role("status")).to_contain_text("อนุมัติ")
        await expect(head_page.locator("h1 .status")).to_have_text("ปิดการดูแล")
        await expect(head_page.locator("form.team-action")).to_have_count(0)
    finally:
        await team_context.close()
        await head_context.close()
        await let_go(scene.pool, [member, head])
        await scene.pool.execute("UPDATE agencies SET active = false WHERE id = $1", oscc)

    await page.reload()
    await expect(page.locator("h1 .status")).to_have_text("ทีมสหวิชาชีพรับดูแลแล้ว")  # the team accepted it
    panel = page.locator(".handoff-panel")
    await expect(panel.locator(".handoff-status")).to_have_text("ปิดการดูแล")
    await expect(panel.locator(".care-outcome")).to_contain_text("ปลอดภัย อยู่กับครอบครัว")
    await expect(panel).to_contain_text("กลับไปอยู่กับยาย โรงเรียนช่วยดูแล")
    await expect(page.get_by_text("พบเด็ก ปลอดภัยดี")).to_have_count(0)  # the team's timeline stays with the team
    await expect(panel.locator(".risk-level")).to_have_text("ความเสี่ยงสูง")  # the level, never the answers
    await expect(page.get_by_text("พ่อเลี้ยงมีปืนในบ้าน")).to_have_count(0)
