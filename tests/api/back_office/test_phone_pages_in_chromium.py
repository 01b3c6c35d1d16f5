"""The back office on an officer's phone (390×844) and at the desk (1366×768), in real Chromium:
no page scrolls sideways, a case's status is on screen, the header stays small, labels sit above
their values on a phone, the reporter's newest message comes before the map, and the reporter's
phone number is a link that calls it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, Page, expect

from domain.handoff import HandoffStatus, TeamRole
from domain.models import ReporterMessage
from tests.api.back_office.conftest import PASSWORD, Person, Staff, open_routed_case
from tests.api.back_office.teams import account_of, handoff_row
from tests.api.back_office.test_unreached import case_alerting_nobody
from tests.api.conftest import RunningApi
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually
from workflows.case import CaseWorkflow

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
REPORTER_CALLS = "tel:+66812345678"  # the scene's reporter gave 081-234-5678


@pytest.fixture(params=[PHONE, DESK], ids=["phone", "desk"])
async def screen(request, browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=request.param, locale="th-TH", timezone_id="Asia/Bangkok",
                                        is_mobile=request.param == PHONE, has_touch=request.param == PHONE)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    yield page
    await context.close()


def on_a_phone(page: Page) -> bool:
    return page.viewport_size == PHONE


async def sign_in_to(page: Page, api: RunningApi, person: Person, where: str) -> None:
    await page.goto(f"{api.base_url}/office/sign-in?next={where}")
    await page.get_by_label("ชื่อผู้ใช้").fill(person.username)
    await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    await page.get_by_role("button", name="เข้าสู่ระบบ").click()
    await page.wait_for_url(f"**{where}")


async def does_not_scroll_sideways(page: Page) -> None:
    widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen"


async def wholly_across_the_screen(page: Page, selector: str) -> None:
    """The element is on screen from its left edge to its right one (not clipped, not off-screen)."""
    box = await page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], (selector, box)


async def header_is_small(page: Page) -> None:
    height = (await page.locator("header.top").bounding_box())["height"]
    assert height <= page.viewport_size["height"] / 8, f"the header of {page.url} takes {height} px"


async def test_the_case_list_shows_each_cases_status_on_screen(screen: Page, api: RunningApi, scene: Scene,
                                                               staff: Staff) -> None:
    case_no, _ = await open_routed_case(scene)
    await sign_in_to(screen, api, staff.station_officer, "/office/cases")
    row = screen.locator(f'tr[data-case="{case_no}"]')
    await expect(row.locator(".status")).to_have_text("แจ้งเหตุใหม่")
    await expect(row.locator(".status")).to_be_in_viewport()
    await wholly_across_the_screen(screen, f'tr[data-case="{case_no}"] .status')
    await wholly_across_the_screen(screen, f'tr[data-case="{case_no}"] a')
    await does_not_scroll_sideways(screen)
    await header_is_small(screen)


# WCAG's contrast of an element's text against the first background behind it that is not transparent.
CONTRAST = """element => {
    const rgb = text => text.match(/[\\d.]+/g).map(Number);
    const luminance = ([r, g, b]) => {
        const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    let behind = element;
    while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) behind = behind.parentElement;
    const [ink, paper] = [rgb(getComputedStyle(element).color), rgb(getComputedStyle(behind).backgroundColor)];
    const [light, dark] = [luminance(ink), luminance(paper)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
}"""


async def test_a_case_that_reached_nobody_is_flagged_with_its_status_still_legible(
        screen: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no = await case_alerting_nobody(scene)
    await scene.pool.execute("UPDATE cases SET escalation_level = 2 WHERE case_no = $1", case_no)
    await sign_in_to(screen, api, staff.station_officer, "/office/cases")
    row = screen.locator(f'tr[data-case="{case_no}"]')
    await expect(row.locator("span.unreached")).to_have_text("ยังไม่ถึงเจ้าหน้าที่คนใด")
    for part in ("a", ".status", ".level", "span.unreached", "td[data-label]"):
        contrast = await row.locator(part).first.evaluate(CONTRAST)
        assert contrast >= 4.5, f"{part} of a case that reached nobody: contrast {contrast:.1f} (at least 4.5)"


async def test_the_case_page_fits_calls_the_reporter_and_puts_the_newest_message_before_the_map(
        screen: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, handle = await open_routed_case(scene)
    await handle.signal(CaseWorkflow.reporter_message, ReporterMessage(
        event_id="evt-phone-first", message_type="text", received_at=datetime.now(UTC),
        text="เขากำลังจะกลับมา ช่วยเร็ว ๆ"))
    await eventually(lambda: scene.pool.fetchval(
        "SELECT 1 FROM case_events WHERE case_no = $1 AND kind = 'REPORTER_MESSAGE'", case_no))
    await sign_in_to(screen, api, staff.station_officer, f"/office/cases/{case_no}")

    await expect(screen.locator("h1 .status")).to_be_in_viewport()
    await wholly_across_the_screen(screen, "h1 .status")
    call = screen.get_by_role("link", name="081-234-5678")
    await expect(call).to_have_attribute("href", REPORTER_CALLS)
    newest = screen.locator("#reporter-messages li").first
    await expect(newest).to_contain_text("เขากำลังจะกลับมา")
    assert (await newest.bounding_box())["y"] < (await screen.locator("#case-map").bounding_box())["y"]

    # A value has the room it needs: under its label on a phone, about two thirds of the row at the desk.
    facts = await screen.locator("dl.facts").first.bounding_box()
    value = await screen.locator("dl.facts dd").first.bounding_box()
    assert value["width"] >= (0.95 if on_a_phone(screen) else 0.6) * facts["width"], (value, facts)
    for kind in ("PRANK", "REASSIGN", "MESSAGE_REPORTER"):  # every form fits, opened
        await screen.locator(f'details[data-action="{kind}"] > summary').click()
    await does_not_scroll_sideways(screen)
    await header_is_small(screen)


async def test_the_teams_hand_off_page_inbox_and_caseloads_fit_and_call_the_reporter_who_agreed(
        screen: Page, api: RunningApi, scene: Scene) -> None:
    member, _ = await linked_team_member(scene.pool, scene.platform, TeamRole.SOCIAL_WORKER,
                                         scene.district["province_code"])
    try:
        case_no, _ = await open_routed_case(scene)
        handoff_id = await handoff_row(scene, case_no, status=HandoffStatus.IN_CARE, consent="GIVEN",
                                       case_worker=member, note="ผู้เสียหายต้องการที่พักพิง " * 12)
        await scene.pool.execute(
            "INSERT INTO follow_ups (handoff_id, number, kind, due_at, note, planned_by, planned_at) "
            "VALUES ($1, 1, 'HOME_VISIT', now() + interval '2 days', 'เยี่ยมบ้านพร้อมครูประจำชั้นและผู้ใหญ่บ้าน', $2, now())",
            handoff_id, member.member_id)
        await scene.pool.execute(
            "INSERT INTO referrals (handoff_id, number, agency_kind, agency_name_th, referred_by, referred_at, due_at) "
            "VALUES ($1, 2, 'OSCC', 'ศูนย์พึ่งได้ โรงพยาบาลสมเด็จพระยุพราชประจำจังหวัด', $2, now(), now() + interval '1 day')",
            handoff_id, member.member_id)
        await sign_in_to(screen, api, await account_of(scene.pool, member), "/office/handoffs")
        row = screen.locator(f'tr[data-handoff="{handoff_id}"]')
        await expect(row.locator(".status")).to_have_text("อยู่ในความดูแล")
        await wholly_across_the_screen(screen, f'tr[data-handoff="{handoff_id}"] .status')
        await does_not_scroll_sideways(screen)

        await row.get_by_role("link", name=case_no).click()
        await expect(screen.locator("h1 .status")).to_be_in_viewport()
        await expect(screen.get_by_role("link", name="081-234-5678")).to_have_attribute("href", REPORTER_CALLS)
        await expect(screen.locator('tr[data-follow-up="1"]')).to_contain_text("เยี่ยมบ้านพร้อมครู")
        await wholly_across_the_screen(screen, 'tr[data-follow-up="1"]')
        await expect(screen.locator('form[data-action="DESCRIBE_PERSON"] select[name="age_band"]')).to_be_visible()
        await wholly_across_the_screen(screen, 'form[data-action="DESCRIBE_PERSON"]')
        # The care's own forms and the referral waiting for its answer fit too.
        await wholly_across_the_screen(screen, 'form[data-action="ASSESS_RISK"]')
        await wholly_across_the_screen(screen, 'tr[data-referral="2"]')
        await wholly_across_the_screen(screen, 'form[data-action="MESSAGE_REPORTER"]')
        await does_not_scroll_sideways(screen)
        await header_is_small(screen)

        await screen.goto(f"{api.base_url}/office/handoffs/caseload")
        care = f'tr[data-handoff="{handoff_id}"]'
        await expect(screen.locator(care)).to_contain_text(case_no)
        await wholly_across_the_screen(screen, f'tr[data-member="{member.member_id}"]')
        await wholly_across_the_screen(screen, f'{care} form[data-action="ASSIGN"]')
        await does_not_scroll_sideways(screen)
    finally:
        await let_go(scene.pool, [member])


async def test_the_dashboard_fits(screen: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    await open_routed_case(scene)
    await sign_in_to(screen, api, staff.province_admin, "/office/dashboard")
    await expect(screen.locator("#chart-per-day")).to_be_visible()
    await wholly_across_the_screen(screen, '[data-counter="total"]')
    await wholly_across_the_screen(screen, "#chart-per-province")
    await does_not_scroll_sideways(screen)
    await header_is_small(screen)


async def test_every_page_of_the_menu_fits_a_phone(browser: Browser, api: RunningApi, scene: Scene,
                                                   staff: Staff) -> None:
    await open_routed_case(scene)
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="th-TH",
                                        timezone_id="Asia/Bangkok")
    try:
        page = await context.new_page()
        page.set_default_timeout(10_000)
        await page.goto(f"{api.base_url}/office/sign-in")
        await does_not_scroll_sideways(page)
        await sign_in_to(page, api, staff.superadmin, "/office/dashboard")
        menu = await page.locator("header.top nav a").evaluate_all("links => links.map(link => link.href)")
        assert len(menu) >= 7, menu  # the national administrator sees every page
        for address in [*menu, f"{api.base_url}/office/password"]:
            await page.goto(address)
            await header_is_small(page)
            await does_not_scroll_sideways(page)
    finally:
        await context.close()
