"""Officers and team members sign in to the back office with LINE Login: the alert's "Open" lands on
the case page signed in, as the account that acts as them. Anyone else, and any LINE answer that does
not check out, gets a page saying why in Thai first, and no session. Passwords stay for desk accounts."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import asyncpg
import httpx
import jwt
import pytest
from playwright.async_api import Page
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.back_office.line_login import LineLoginProblem, verified_claims
from configuration.settings import Settings
from database.accounts import disable_account
from domain.accounts import AccountRole
from domain.handoff import TeamRole
from domain.models import OfficerRole
from line_simulator.line_login import LINE_SESSION_COOKIE, SIGN_IN_AS
from tests.api.back_office.conftest import Staff, add_account, csrf_of, open_routed_case, sign_in
from tests.api.back_office.teams import account_of
from tests.api.conftest import RunningApi
from tests.fake_line import FakeLine, serve
from tests.officers import fresh_district, linked_officer, station_for
from tests.ports import unused_ports
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually

SESSION_COOKIE = "ess_session"
REFUSED = "เข้าสู่ระบบด้วย LINE ไม่สำเร็จ"


@pytest.fixture
async def api(dev_server: WorkflowEnvironment, database_url: str, fake_line: FakeLine, line_settings: Settings,
              task_queue: str) -> AsyncIterator[RunningApi]:
    """The API at the public address its LINE messages link to (the alert's Open button starts there)."""
    [port] = unused_ports(1)
    settings = line_settings.model_copy(update={
        "database_url": database_url,
        "temporal_address": dev_server.client.service_client.config.target_host,
        "temporal_task_queue": task_queue,
        "case_list_refresh": timedelta(milliseconds=300),
        "public_url": f"http://127.0.0.1:{port}",
    })
    async with (serve(create_app(settings), lifespan="on", port=port) as base_url,
                httpx.AsyncClient(base_url=base_url) as http):
        yield RunningApi(base_url, http, settings, dev_server, fake_line)


def open_button(alert: dict[str, Any]) -> dict[str, Any]:
    [button] = [item["action"] for item in alert["contents"]["footer"]["contents"]
                if item["action"]["label"] == "เปิดเรื่อง"]
    return button


async def alert_for(api: RunningApi, line_user_id: str, case_no: str) -> dict[str, Any] | None:
    for entry in api.line.platform.bot_messages(line_user_id):
        if entry.message.get("type") == "flex" and case_no in entry.message.get("altText", ""):
            return entry.message
    return None


async def signing_in_with_line(api: RunningApi, line_user_id: str, next_path: str = "/office/cases",
                               callback_changes: dict[str, str] | None = None) -> httpx.Response:
    """The browser's round trip: the start, LINE's authorize (the user taps their account), the callback."""
    async with httpx.AsyncClient() as browser:
        started = await browser.get(f"{api.base_url}/office/line-login", params={"next": next_path})
        assert started.status_code == 303
        authorize = started.headers["location"]
        assert authorize.startswith(f"{api.line.base_url}/oauth2/v2.1/authorize?")
        at_line = await browser.get(f"{authorize}&{urlencode({SIGN_IN_AS: line_user_id})}")  # the tap on LINE
        assert at_line.status_code == 302
        callback = at_line.headers["location"]
        assert callback.startswith(f"{api.base_url}/office/line-login/callback?")
        if callback_changes:
            query = {name: values[0] for name, values in parse_qs(urlsplit(callback).query).items()}
            callback = callback.split("?")[0] + "?" + urlencode(query | callback_changes)
        answer = await browser.get(callback)
        answer.extensions["cookies"] = dict(browser.cookies)
        return answer


def gets_no_session(answer: httpx.Response) -> None:
    assert not any(header.startswith(f"{SESSION_COOKIE}=") for header in answer.headers.get_list("set-cookie"))
    assert SESSION_COOKIE not in answer.extensions["cookies"]


def refused_in_thai_first(answer: httpx.Response, status: int, thai: str) -> None:
    assert answer.status_code == status
    assert '<html lang="th">' in answer.text and REFUSED in answer.text and thai in answer.text
    assert 'href="/office/sign-in"' in answer.text  # the password is still there for desk accounts
    gets_no_session(answer)


async def refusals(pool: asyncpg.Pool, reason: str) -> int:
    return await pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'LINE_SIGN_IN_REFUSED' AND details ->> 'reason' = $1", reason)


async def test_open_on_the_alert_lands_on_the_case_page_signed_in_as_the_officers_account(
        api: RunningApi, scene: Scene, staff: Staff, pool: asyncpg.Pool, page: Page) -> None:
    case_no, _ = await open_routed_case(scene)
    alert = await eventually(lambda: alert_for(api, scene.station_line, case_no))
    button = open_button(alert)
    assert button["type"] == "uri"
    assert button["uri"].startswith(api.settings.public_url + "/office/line-login?")
    # The officer's phone is signed in to LINE, as the LINE app is.
    await page.context.add_cookies([{"name": LINE_SESSION_COOKIE, "value": scene.station_line,
                                     "domain": "127.0.0.1", "path": "/oauth2/v2.1/authorize"}])
    await page.goto(button["uri"])
    assert page.url == f"{api.base_url}/office/cases/{case_no}"
    await page.get_by_text(case_no).first.wait_for()
    session = [cookie for cookie in await page.context.cookies(api.base_url) if cookie["name"] == SESSION_COOKIE]
    assert session and session[0]["httpOnly"]
    viewed = await pool.fetchrow(
        """SELECT u.username, l.officer_id FROM audit_log l JOIN accounts u ON u.id = l.account_id
           WHERE l.action = 'CASE_VIEWED' AND l.case_no = $1""", case_no)
    assert (viewed["username"], viewed["officer_id"]) == (staff.station_officer.username,
                                                          scene.station_officer.officer_id)
    signed_in = await pool.fetchval(
        """SELECT count(*) FROM audit_log l JOIN accounts u ON u.id = l.account_id
           WHERE l.action = 'LINE_SIGN_IN' AND u.username = $1""",
        staff.station_officer.username)
    assert signed_in == 1


async def test_a_team_member_lands_on_the_page_asked_for_as_the_account_acting_as_them(
        api: RunningApi, pool: asyncpg.Pool) -> None:
    member, line_user_id = await linked_team_member(pool, api.line.platform, TeamRole.COORDINATOR, "10")
    try:
        person = await account_of(pool, member)
        answer = await signing_in_with_line(api, line_user_id, next_path="/office/handoffs?status=ALL")
        assert answer.status_code == 303 and answer.headers["location"] == "/office/handoffs?status=ALL"
        async with httpx.AsyncClient(base_url=api.base_url, cookies=answer.extensions["cookies"]) as browser:
            inbox = await browser.get("/office/handoffs")
        assert inbox.status_code == 200 and "งานส่งต่อทีมสหวิชาชีพ" in inbox.text  # signed in, not sent to sign in
        account_id = await pool.fetchval(
            "SELECT account_id FROM audit_log WHERE action = 'LINE_SIGN_IN' "
            "ORDER BY id DESC LIMIT 1")
        assert account_id == await pool.fetchval("SELECT id FROM accounts WHERE username = $1", person.username)
    finally:
        await let_go(pool, [member])


async def test_a_line_account_linked_to_nobody_is_refused(api: RunningApi, pool: asyncpg.Pool) -> None:
    stranger = api.line.platform.add_user(display_name="คนทั่วไป")
    before = await refusals(pool, "not_linked")
    answer = await signing_in_with_line(api, stranger.user_id)
    refused_in_thai_first(answer, 403, "บัญชี LINE นี้ยังไม่ได้ลงทะเบียนเป็นเจ้าหน้าที่หรือสมาชิกทีมสหวิชาชีพ")
    assert await refusals(pool, "not_linked") == before + 1
    assert stranger.user_id not in str(await pool.fetchval(
        "SELECT details FROM audit_log WHERE action = 'LINE_SIGN_IN_REFUSED' ORDER BY id DESC LIMIT 1"))


async def test_a_disabled_account_or_officer_is_refused(api: RunningApi, pool: asyncpg.Pool) -> None:
    officer, line_user_id = await linked_officer(pool, api.line.platform, OfficerRole.INSPECTOR,
                                                 station_id=await pool.fetchval("SELECT min(id) FROM stations"))
    person = await add_account(pool, AccountRole.STATION_OFFICER, officer_id=officer.officer_id)
    async with pool.acquire() as connection:
        await disable_account(connection, person.username)
    refused_in_thai_first(await signing_in_with_line(api, line_user_id), 403, "บัญชีระบบหลังบ้านของท่านถูกระงับแล้ว")
    assert await pool.fetchval(
        "SELECT details ->> 'officer_id' FROM audit_log WHERE action = 'LINE_SIGN_IN_REFUSED' ORDER BY id DESC LIMIT 1"
    ) == str(officer.officer_id)

    await pool.execute("UPDATE officers SET active = false WHERE id = $1", officer.officer_id)
    refused_in_thai_first(await signing_in_with_line(api, line_user_id), 403,
                          "เจ้าหน้าที่หรือสมาชิกทีมที่ผูกกับบัญชี LINE นี้ถูกระงับแล้ว")


async def test_a_national_desk_officer_or_team_member_without_an_account_is_refused(
        api: RunningApi, pool: asyncpg.Pool) -> None:
    """A national scope, and a team's, are granted only by an administrator: LINE creates no account for them."""
    desk, desk_line = await linked_officer(pool, api.line.platform, OfficerRole.NATIONAL_DESK)
    refused_in_thai_first(await signing_in_with_line(api, desk_line), 403,
                          "ยังไม่มีบัญชีระบบหลังบ้านที่ทำงานในนามของท่าน กรุณาขอให้ผู้ดูแลระบบสร้างบัญชีให้")
    member, member_line = await linked_team_member(pool, api.line.platform, TeamRole.COORDINATOR, "10")
    try:
        assert member_line is not None
        refused_in_thai_first(await signing_in_with_line(api, member_line), 403,
                              "ยังไม่มีบัญชีระบบหลังบ้านที่ทำงานในนามของท่าน")
    finally:
        await let_go(pool, [member])
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE officer_id = $1 OR team_member_id = $2",
                               desk.officer_id, member.member_id) == 0


async def test_a_station_officer_without_an_account_taps_open_and_lands_on_the_case_as_their_station(
        api: RunningApi, scene: Scene, pool: asyncpg.Pool, page: Page) -> None:
    """Most officers who linked LINE have no account of their own: the first tap creates it, in the
    scope they are alerted for, and the case they were alerted about opens."""
    case_no, _ = await open_routed_case(scene)
    officer = scene.station_officer
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE officer_id = $1", officer.officer_id) == 0
    alert = await eventually(lambda: alert_for(api, scene.station_line, case_no))
    await page.context.add_cookies([{"name": LINE_SESSION_COOKIE, "value": scene.station_line,
                                     "domain": "127.0.0.1", "path": "/oauth2/v2.1/authorize"}])
    await page.goto(open_button(alert)["uri"])

    assert page.url == f"{api.base_url}/office/cases/{case_no}"
    await page.get_by_text(case_no).first.wait_for()
    await page.get_by_text("ร.ต.อ. ทดสอบ INSPECTOR").first.wait_for()  # signed in as themselves, the rank once
    account = await pool.fetchrow(
        "SELECT id, username, role, station_id, created_by_line_sign_in FROM accounts WHERE officer_id = $1",
        officer.officer_id)
    assert (account["role"], account["station_id"]) == (AccountRole.STATION_OFFICER.value, scene.station_id)
    assert account["username"] == f"line-officer-{officer.officer_id}" and account["created_by_line_sign_in"]
    created = await pool.fetchrow(
        "SELECT account_id, officer_id, details FROM audit_log WHERE action = 'ACCOUNT_CREATED' AND account_id = $1",
        account["id"])
    assert (created["officer_id"], created["details"]["via"]) == (officer.officer_id, "line_sign_in")
    assert scene.station_line not in str(created["details"])
    viewed = await pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'CASE_VIEWED' AND case_no = $1 AND account_id = $2",
        case_no, account["id"])
    assert viewed >= 1

    # Another station's officer signs in the same way, and that case is not theirs to open.
    elsewhere = await fresh_district(pool)
    _, other_line = await linked_officer(pool, api.line.platform, OfficerRole.INSPECTOR,
                                         station_id=await station_for(pool, elsewhere["code"]))
    answer = await signing_in_with_line(api, other_line, next_path=f"/office/cases/{case_no}")
    assert answer.status_code == 303
    async with httpx.AsyncClient(base_url=api.base_url, cookies=answer.extensions["cookies"]) as browser:
        assert (await browser.get(f"/office/cases/{case_no}")).status_code == 404
        assert (await browser.get("/office/cases")).status_code == 200  # signed in, to their own station's list


async def test_a_province_commander_without_an_account_reads_the_province_as_its_191_centre(
        api: RunningApi, scene: Scene, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    answer = await signing_in_with_line(api, scene.commander_line, next_path=f"/office/cases/{case_no}")
    assert answer.status_code == 303 and answer.headers["location"] == f"/office/cases/{case_no}"
    account = await pool.fetchrow("SELECT role, province_code FROM accounts WHERE officer_id = $1",
                                  scene.commander.officer_id)
    assert (account["role"], account["province_code"]) == (AccountRole.CENTRE_OPERATOR.value,
                                                            scene.district["province_code"])
    async with httpx.AsyncClient(base_url=api.base_url, cookies=answer.extensions["cookies"]) as browser:
        assert (await browser.get(f"/office/cases/{case_no}")).status_code == 200  # a case of their province


async def test_an_account_made_by_line_is_listed_for_administrators_and_once_disabled_refuses_the_officer(
        api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    officer, line_user_id = await linked_officer(pool, api.line.platform, OfficerRole.INSPECTOR,
                                                 station_id=await pool.fetchval("SELECT min(id) FROM stations"))
    assert (await signing_in_with_line(api, line_user_id)).status_code == 303
    assert (await signing_in_with_line(api, line_user_id)).status_code == 303  # the second uses the same account
    username = f"line-officer-{officer.officer_id}"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE officer_id = $1", officer.officer_id) == 1

    admin = await add_account(pool, AccountRole.SUPERADMIN)
    http = browser_like()
    assert (await sign_in(http, admin)).status_code == 303
    listing = await http.get("/office/accounts")
    row = listing.text.split(f'data-account="{username}"')[1].split("</tr>")[0]
    assert "สร้างจากการเข้าสู่ระบบด้วย LINE" in row and "ร.ต.อ. ทดสอบ INSPECTOR" in row
    created = await http.get("/office/audit", params={"username": username, "action": "ACCOUNT_CREATED"})
    assert "ทาง: การเข้าสู่ระบบด้วย LINE ครั้งแรก" in created.text  # the audit log in words
    account_id = await pool.fetchval("SELECT id FROM accounts WHERE username = $1", username)
    disabled = await http.post(f"/office/accounts/{account_id}/disable", data={"csrf_token": csrf_of(listing)})
    assert disabled.status_code == 303

    refused_in_thai_first(await signing_in_with_line(api, line_user_id), 403, "บัญชีระบบหลังบ้านของท่านถูกระงับแล้ว")
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE officer_id = $1", officer.officer_id) == 1
    refusals_in_words = await http.get("/office/audit", params={"action": "LINE_SIGN_IN_REFUSED"})
    assert "เหตุผล: บัญชีถูกระงับ" in refusals_in_words.text  # the reason in words, not account_disabled


@pytest.mark.parametrize(("tampering", "reason", "thai"), [
    ({"signing_secret": "a-secret-that-is-not-the-channel-secret"}, "invalid_token", "ยืนยันตัวตนจาก LINE ไม่ผ่าน"),
    ({"expires_in": -3600}, "expired_token", "การยืนยันตัวตนจาก LINE หมดอายุแล้ว"),
    ({"nonce": "a-nonce-of-another-sign-in"}, "nonce", "ไม่ตรงกับการเข้าสู่ระบบครั้งนี้"),
])
async def test_an_id_token_that_does_not_check_out_is_refused(api: RunningApi, pool: asyncpg.Pool,
                                                              tampering: dict[str, Any], reason: str,
                                                              thai: str) -> None:
    officer, line_user_id = await linked_officer(pool, api.line.platform, OfficerRole.INSPECTOR,
                                                 station_id=await pool.fetchval("SELECT min(id) FROM stations"))
    await add_account(pool, AccountRole.STATION_OFFICER, officer_id=officer.officer_id)
    before = await refusals(pool, reason)
    api.line.platform.line_login.tamper_next_id_token(**tampering)
    refused_in_thai_first(await signing_in_with_line(api, line_user_id), 403, thai)
    assert await refusals(pool, reason) == before + 1
    # The same officer with a true ID token is welcome.
    assert (await signing_in_with_line(api, line_user_id)).status_code == 303


async def test_a_callback_whose_state_is_not_this_browsers_is_refused(api: RunningApi, pool: asyncpg.Pool) -> None:
    officer, line_user_id = await linked_officer(pool, api.line.platform, OfficerRole.INSPECTOR,
                                                 station_id=await pool.fetchval("SELECT min(id) FROM stations"))
    await add_account(pool, AccountRole.STATION_OFFICER, officer_id=officer.officer_id)
    answer = await signing_in_with_line(api, line_user_id, callback_changes={"state": "someone-elses-state"})
    refused_in_thai_first(answer, 400, "การเข้าสู่ระบบด้วย LINE หมดเวลาหรือไม่ได้เริ่มจากระบบนี้")


async def test_desk_accounts_still_sign_in_with_a_password_beside_the_line_button(
        api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    desk = await add_account(pool, AccountRole.PROVINCE_ADMIN, province_code="10")
    http = browser_like()
    form = await http.get("/office/sign-in?next=/office/dashboard")
    assert 'href="/office/line-login?next=/office/dashboard"' in form.text and "เข้าสู่ระบบด้วย LINE" in form.text
    response = await sign_in(http, desk)
    assert response.status_code == 303
    assert (await http.get("/office/cases")).status_code == 200


@pytest.mark.parametrize(("changes", "reason"), [
    ({"iss": "https://access.line.example"}, "invalid_token"),  # another issuer
    ({"aud": "1999999999"}, "invalid_token"),  # another channel's token
    ({"sub": None}, "invalid_token"),  # no one
    ({"nonce": None}, "nonce"),  # no nonce at all
])
def test_an_id_token_of_another_issuer_channel_or_without_subject_or_nonce_is_refused(
        line_settings: Settings, changes: dict[str, Any], reason: str) -> None:
    now = int(time.time())
    claims = {"iss": "https://access.line.me", "sub": "U" + "1" * 32, "aud": line_settings.line_login_channel_id,
              "exp": now + 600, "iat": now, "nonce": "n-1"} | changes
    token = jwt.encode({name: value for name, value in claims.items() if value is not None},
                       line_settings.line_login_channel_secret, algorithm="HS256")
    with pytest.raises(LineLoginProblem) as refused:
        verified_claims(token, line_settings, "n-1")
    assert refused.value.reason == reason


def test_an_unsigned_id_token_is_refused(line_settings: Settings) -> None:
    now = int(time.time())
    unsigned = jwt.encode({"iss": "https://access.line.me", "sub": "U" + "1" * 32,
                           "aud": line_settings.line_login_channel_id, "exp": now + 600, "iat": now, "nonce": "n-1"},
                          key=None, algorithm="none")
    with pytest.raises(LineLoginProblem) as refused:
        verified_claims(unsigned, line_settings, "n-1")
    assert refused.value.reason == "invalid_token"
