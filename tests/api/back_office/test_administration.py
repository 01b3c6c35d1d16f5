"""Administration pages: accounts within a province, LINE registration codes, the incident
types' ladders, the directory import, the audit log and one's own password."""

from __future__ import annotations

import io
import re
import uuid

import asyncpg
import httpx
from openpyxl import Workbook

from database.sign_in_throttle import FREE_FAILURES
from domain.accounts import AccountRole
from domain.models import ActionKind, OfficerAction
from tests.api.back_office.conftest import PASSWORD, Person, Staff, add_account, csrf_of, open_routed_case, sign_in
from tests.scene import Scene
from tests.waiting import eventually
from workflows.case import CaseWorkflow


async def signed_in(browser_like, person: Person) -> tuple[httpx.AsyncClient, str]:
    http = browser_like()
    await sign_in(http, person)
    return http, csrf_of(await http.get("/office/password"))


async def officer_code(pool: asyncpg.Pool, officer_id: int) -> str:
    return await pool.fetchval("SELECT code FROM officers WHERE id = $1", officer_id)


async def test_a_province_administrator_creates_accounts_in_their_province_only(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    http, token = await signed_in(browser_like, staff.province_admin)
    username = f"insp-{uuid.uuid4().hex[:8]}"
    created = await http.post("/office/accounts", data={
        "csrf_token": token, "username": username, "display_name": "สารวัตรเวร", "role": "STATION_OFFICER",
        "officer_code": await officer_code(pool, scene.superintendent.officer_id), "password": "long enough password"})
    assert created.status_code == 303
    row = await pool.fetchrow("SELECT role, station_id, province_code FROM accounts WHERE username = $1", username)
    assert (row["role"], row["station_id"], row["province_code"]) == (
        "STATION_OFFICER", scene.station_id, scene.district["province_code"])
    assert username in (await http.get("/office/accounts")).text

    foreign = await http.post("/office/accounts", data={
        "csrf_token": token, "username": f"far-{uuid.uuid4().hex[:8]}", "display_name": "นอกเขต",
        "role": "STATION_OFFICER", "officer_code": "DEMO-OFFICER-1033-INSPECTOR", "password": "long enough password"})
    assert foreign.status_code == 422 and "another province" in foreign.text
    national = await http.post("/office/accounts", data={
        "csrf_token": token, "username": f"nat-{uuid.uuid4().hex[:8]}", "display_name": "ส่วนกลาง",
        "role": "SUPERADMIN", "password": "long enough password"})
    assert national.status_code == 403


async def test_a_province_administrator_cannot_link_an_account_to_the_national_desk(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    http, token = await signed_in(browser_like, staff.province_admin)
    desk_member = f"DESK-{uuid.uuid4().hex[:8]}"
    await pool.execute("INSERT INTO team_members (code, name, role) VALUES ($1, 'ส่วนกลาง', 'NATIONAL_DESK')",
                       desk_member)
    attempts = {
        "the national desk's officer": {"role": "CENTRE_OPERATOR",
                                        "officer_code": await officer_code(pool, scene.national.officer_id)},
        "the national desk's team member": {"role": "TEAM_MEMBER", "team_member_code": desk_member},
    }
    for who, link in attempts.items():
        username = f"desk-{uuid.uuid4().hex[:8]}"
        refused = await http.post("/office/accounts", data={
            "csrf_token": token, "username": username, "display_name": "ในนามส่วนกลาง",
            "password": "long enough password"} | link)
        assert refused.status_code == 422 and "national desk" in refused.text, who
        assert await pool.fetchval("SELECT count(*) FROM accounts WHERE username = $1", username) == 0, who


async def test_a_registration_code_is_shown_once_and_only_for_officers_of_the_area(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    http, token = await signed_in(browser_like, staff.province_admin)
    code = await officer_code(pool, scene.superintendent.officer_id)
    issued = await http.post("/office/accounts/registration-code", data={"csrf_token": token, "officer_code": code})
    assert issued.status_code == 200
    shown = re.search(r'<strong class="code">([^<]+)</strong>', issued.text).group(1)
    stored = await pool.fetch(
        "SELECT code_hash FROM officer_registration_codes r JOIN officers o ON o.id = r.officer_id WHERE o.code = $1",
        code)
    assert stored and all(shown not in row["code_hash"] for row in stored)  # only a hash is kept
    elsewhere = await http.post("/office/accounts/registration-code",
                                data={"csrf_token": token, "officer_code": "DEMO-OFFICER-1033-INSPECTOR"})
    assert elsewhere.status_code == 404


async def test_a_team_members_registration_code_is_shown_once_and_only_for_the_areas_team(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    http, token = await signed_in(browser_like, staff.province_admin)
    member_code = f"TEAM-{uuid.uuid4().hex[:8]}"
    await pool.execute(
        "INSERT INTO team_members (code, name, role, province_code) VALUES ($1, 'ทดสอบ', 'SOCIAL_WORKER', $2)",
        member_code, scene.district["province_code"])
    issued = await http.post("/office/accounts/team-registration-code",
                             data={"csrf_token": token, "member_code": member_code})
    assert issued.status_code == 200
    shown = re.search(r'<strong class="code">([^<]+)</strong>', issued.text).group(1)
    stored = await pool.fetch("SELECT code_hash FROM officer_registration_codes r JOIN team_members m "
                              "ON m.id = r.team_member_id WHERE m.code = $1", member_code)
    assert len(stored) == 1 and shown not in stored[0]["code_hash"]
    for elsewhere in ("DEMO-TEAM-10-COORDINATOR", "DEMO-TEAM-NATIONAL-DESK", "NO-SUCH-MEMBER"):
        refused = await http.post("/office/accounts/team-registration-code",
                                  data={"csrf_token": token, "member_code": elsewhere})
        assert refused.status_code == 404


async def test_an_escalation_ladder_is_saved_checked_and_audited(
        staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    http, token = await signed_in(browser_like, staff.superadmin)
    code = f"TEST_{uuid.uuid4().hex[:6].upper()}"
    form = {"csrf_token": token, "label_th": "เหตุทดสอบ", "label_en": "Test incident", "sort_order": "90",
            "rung-0-minutes": "0", "rung-0-STATION": "on", "rung-1-minutes": "5", "rung-1-CENTRE_191": "on",
            "rung-1-SUPERINTENDENT": "on"}
    assert (await http.post(f"/office/settings/incident-types/{code}", data=form)).status_code == 303
    saved = await pool.fetchrow("SELECT label_th, active, escalation FROM incident_types WHERE code = $1", code)
    assert saved["escalation"] == [{"after": 0, "audiences": ["STATION"]},
                                   {"after": 300, "audiences": ["SUPERINTENDENT", "CENTRE_191"]}]
    assert not saved["active"]  # the box was not ticked: reporters do not see it
    late_start = form | {"rung-0-minutes": "3"}
    refused = await http.post(f"/office/settings/incident-types/{code}", data=late_start)
    assert refused.status_code == 422 and "0 นาที" in refused.text
    changes = await pool.fetch("SELECT details FROM audit_log WHERE action = 'SETTINGS_CHANGED' "
                               "AND details->>'incident_type' = $1", code)
    assert len(changes) == 1 and changes[0]["details"]["after"]["escalation"][1]["after"] == 300


def workbook_with_a_bad_officer_row() -> bytes:
    book = Workbook()
    officers = book.active
    officers.title = "officers"
    officers.append(["officer code", "name", "role", "station code"])
    officers.append([f"IMP-{uuid.uuid4().hex[:6]}", "ร.ต.ท. นำเข้า", "NOT_A_ROLE", "DEMO-1033"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_an_import_with_a_bad_row_imports_nothing_and_says_why(staff: Staff, browser_like,
                                                                     pool: asyncpg.Pool) -> None:
    http, token = await signed_in(browser_like, staff.superadmin)
    before = await pool.fetchval("SELECT count(*) FROM officers")
    response = await http.post("/office/accounts/import", data={"csrf_token": token}, files={
        "workbook": ("officers.xlsx", workbook_with_a_bad_officer_row(),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert response.status_code == 422 and "officers แถว/row 2" in response.text
    assert await pool.fetchval("SELECT count(*) FROM officers") == before
    not_a_workbook = await http.post("/office/accounts/import", data={"csrf_token": token},
                                     files={"workbook": ("x.xlsx", b"not a workbook", "application/octet-stream")})
    assert not_a_workbook.status_code == 422


async def test_the_audit_log_shows_who_saw_which_case(scene: Scene, staff: Staff, browser_like) -> None:
    officer, _ = await signed_in(browser_like, staff.station_officer)
    case_no, _ = await scene.open_case()
    await officer.get(f"/office/cases/{case_no}")  # whether or not routed yet: viewed or refused, logged
    admin, _ = await signed_in(browser_like, staff.superadmin)
    page = await admin.get(f"/office/audit?case_no={case_no}")
    assert staff.station_officer.username in page.text and case_no in page.text


async def test_changing_ones_password_needs_the_current_one(staff: Staff, browser_like) -> None:
    http, token = await signed_in(browser_like, staff.team_member)
    new_password = "a new long password"
    wrong = await http.post("/office/password", data={"csrf_token": token, "current": "nope", "new": new_password})
    assert wrong.status_code == 403
    done = await http.post("/office/password", data={"csrf_token": token, "current": PASSWORD, "new": new_password})
    assert done.status_code == 200 and "เปลี่ยนรหัสผ่านแล้ว" in done.text
    assert (await sign_in(browser_like(), staff.team_member)).status_code == 401
    assert (await sign_in(browser_like(), staff.team_member, password=new_password)).status_code == 303


async def test_a_service_level_is_edited_by_the_national_administrator_and_shown_on_the_dashboard(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    http, token = await signed_in(browser_like, staff.superadmin)
    original = await pool.fetchval("SELECT minutes FROM service_levels WHERE code = 'TEAM_ACCEPT'")
    try:
        assert (await http.post("/office/settings/service-levels/TEAM_ACCEPT",
                                data={"csrf_token": token, "minutes": "720"})).status_code == 303
        assert await pool.fetchval("SELECT minutes FROM service_levels WHERE code = 'TEAM_ACCEPT'") == 720
        assert (await http.post("/office/settings/service-levels/TEAM_ACCEPT",
                                data={"csrf_token": token, "minutes": "0"})).status_code == 422
        change = await pool.fetchval("SELECT details FROM audit_log WHERE action = 'SETTINGS_CHANGED' "
                                     "AND details->>'service_level' = 'TEAM_ACCEPT' ORDER BY id DESC LIMIT 1")
        assert change["before"] == {"minutes": original} and change["after"] == {"minutes": 720}
    finally:
        await pool.execute("UPDATE service_levels SET minutes = $1 WHERE code = 'TEAM_ACCEPT'", original)
    admin, admin_token = await signed_in(browser_like, staff.province_admin)
    assert (await admin.post("/office/settings/service-levels/TEAM_ACCEPT",
                             data={"csrf_token": admin_token, "minutes": "60"})).status_code == 403

    case_no, handle = await open_routed_case(scene)
    acknowledge = OfficerAction(kind=ActionKind.ACKNOWLEDGE, officer=scene.station_officer)
    await handle.execute_update(CaseWorkflow.act, acknowledge)
    await eventually(lambda: pool.fetchval("SELECT 1 FROM cases WHERE case_no = $1 AND acknowledged_at IS NOT NULL",
                                           case_no))
    dashboard = await admin.get(f"/office/dashboard?province={scene.district['province_code']}")
    line = re.search(r'data-service-level="ACKNOWLEDGE">([^<]*)<strong>(\d+)</strong>', dashboard.text)
    assert line and "รับทราบเหตุภายใน 3" in line.group(1) and int(line.group(2)) >= 1


# --- one's own password, and the sign-in throttle -------------------------------------------------


def as_the_proxy_passes(http: httpx.AsyncClient) -> httpx.AsyncClient:
    """A client address of its own, named by the reverse proxy on this machine (trusted by default)."""
    http.headers["x-forwarded-for"] = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    return http


async def test_changing_ones_password_ends_the_accounts_other_sessions(pool: asyncpg.Pool, browser_like) -> None:
    person = await add_account(pool, AccountRole.TEAM_MEMBER, province_code="50")
    here, token = await signed_in(browser_like, person)
    elsewhere, _ = await signed_in(browser_like, person)
    done = await here.post("/office/password", data={"csrf_token": token, "current": PASSWORD,
                                                      "new": "a new long password"})
    assert done.status_code == 200
    assert (await here.get("/office/password")).status_code == 200  # the session that changed it stays
    assert (await elsewhere.get("/office/password")).status_code == 303  # the other one is over
    changed = await pool.fetchval("SELECT details FROM audit_log a JOIN accounts u ON u.id = a.account_id "
                                  "WHERE u.username = $1 AND a.action = 'PASSWORD_CHANGED'", person.username)
    assert changed == {"other_sessions_ended": 1}


async def test_wrong_current_passwords_count_as_failed_sign_ins_of_the_account(pool: asyncpg.Pool,
                                                                              browser_like) -> None:
    person = await add_account(pool, AccountRole.TEAM_MEMBER, province_code="50")
    http = as_the_proxy_passes(browser_like())
    await sign_in(http, person)
    token = csrf_of(await http.get("/office/password"))
    for _ in range(FREE_FAILURES):
        wrong = await http.post("/office/password", data={"csrf_token": token, "current": "a guess",
                                                          "new": "a new long password"})
        assert wrong.status_code == 403
    waiting = await http.post("/office/password", data={"csrf_token": token, "current": PASSWORD,
                                                        "new": "a new long password"})
    assert waiting.status_code == 429 and "กรุณารอ 1 นาที" in waiting.text
    assert (await sign_in(http, person)).status_code == 429  # the same throttle as the sign-in page
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'SIGN_IN_THROTTLED' "
                               "AND details->>'username' = $1", person.username) == 1
    await pool.execute("DELETE FROM sign_in_failures WHERE username = $1", person.username)


async def test_administrators_see_and_clear_the_waits_of_their_own_accounts(pool: asyncpg.Pool,
                                                                            browser_like) -> None:
    chiang_mai = await add_account(pool, AccountRole.TEAM_MEMBER, province_code="50")
    bangkok = await add_account(pool, AccountRole.TEAM_MEMBER, province_code="10")
    guesser = as_the_proxy_passes(browser_like())
    for person in (chiang_mai, bangkok):
        for _ in range(FREE_FAILURES):
            await sign_in(guesser, person, password="a guess")
    address = guesser.headers["x-forwarded-for"]
    national, national_token = await signed_in(browser_like, await add_account(pool, AccountRole.SUPERADMIN))
    province, province_token = await signed_in(
        browser_like, await add_account(pool, AccountRole.PROVINCE_ADMIN, province_code="50"))

    everything = await national.get("/office/sign-in-throttles")
    assert chiang_mai.username in everything.text and bangkok.username in everything.text
    assert address in everything.text
    own = await province.get("/office/sign-in-throttles")
    assert chiang_mai.username in own.text and bangkok.username not in own.text
    other_province = await province.post("/office/sign-in-throttles/clear", data={
        "csrf_token": province_token, "username": bangkok.username, "client": address})
    assert other_province.status_code == 404
    staff_member, _ = await signed_in(
        browser_like, await add_account(pool, AccountRole.TEAM_MEMBER, province_code="50"))
    assert (await staff_member.get("/office/sign-in-throttles")).status_code == 403

    cleared = await province.post("/office/sign-in-throttles/clear", data={
        "csrf_token": province_token, "username": chiang_mai.username, "client": address})
    assert cleared.status_code == 303
    assert (await sign_in(guesser, chiang_mai)).status_code == 303
    assert (await sign_in(guesser, bangkok)).status_code == 429
    assert await pool.fetchval("SELECT details FROM audit_log WHERE action = 'SIGN_IN_THROTTLE_CLEARED' "
                               "AND details->>'username' = $1", chiang_mai.username) == {
        "username": chiang_mai.username, "client": address}
    assert (await national.post("/office/sign-in-throttles/clear", data={
        "csrf_token": national_token, "username": bangkok.username, "client": address})).status_code == 303
    assert (await sign_in(guesser, bangkok)).status_code == 303
