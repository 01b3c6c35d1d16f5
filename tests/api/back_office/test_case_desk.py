"""The case desk: who sees which case, masked phone numbers, actions through the case workflow,
and every view, unmasking and action in the audit log."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import asyncpg

from domain.models import CaseStatus, ReporterMessage
from tests.api.back_office.conftest import Person, Staff, csrf_of, open_routed_case, sign_in
from tests.scene import Scene
from tests.waiting import eventually
from workflows.case import CaseWorkflow


async def signed_in(browser_like, person: Person):
    http = browser_like()
    assert (await sign_in(http, person)).status_code == 303
    return http


async def audit_actions(pool: asyncpg.Pool, person: Person, case_no: str) -> list[str]:
    rows = await pool.fetch(
        "SELECT a.action FROM audit_log a JOIN accounts u ON u.id = a.account_id "
        "WHERE u.username = $1 AND a.case_no = $2 ORDER BY a.id", person.username, case_no)
    return [row["action"] for row in rows]


async def test_each_role_sees_the_cases_of_its_scope_and_no_other(scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    sees = {"station_officer": True, "centre_operator": True, "province_admin": True, "superadmin": True,
            "team_member": False, "foreign_admin": False}  # a team only sees cases forwarded to it
    for name, expected in sees.items():
        http = await signed_in(browser_like, getattr(staff, name))
        listing = await http.get("/office/cases?status=ALL&q=" + case_no)
        page = await http.get(f"/office/cases/{case_no}")
        assert (f'data-case="{case_no}"' in listing.text) is expected, name
        assert page.status_code == (200 if expected else 404), name


async def test_a_guessed_case_number_outside_the_scope_looks_like_no_case_and_is_logged(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    http = await signed_in(browser_like, staff.foreign_admin)
    outside = await http.get(f"/office/cases/{case_no}")
    missing = await http.get("/office/cases/ESS-2569-999999")
    assert outside.status_code == missing.status_code == 404
    # The same page, but for the number asked for (the page links its own address, e.g. to switch language).
    assert outside.text.replace(case_no, "ESS-NUMBER") == missing.text.replace("ESS-2569-999999", "ESS-NUMBER")
    assert await audit_actions(pool, staff.foreign_admin, case_no) == ["CASE_VIEW_REFUSED"]


async def test_the_phone_is_masked_for_those_not_handling_the_case_until_they_ask_and_it_is_logged(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    officer = await signed_in(browser_like, staff.station_officer)
    assert "081-234-5678" in (await officer.get(f"/office/cases/{case_no}")).text

    admin = await signed_in(browser_like, staff.province_admin)
    page = await admin.get(f"/office/cases/{case_no}")
    assert "081-234-5678" not in page.text and "5678" in page.text
    assert (await admin.post(f"/office/cases/{case_no}/unmask", data={})).status_code == 403  # no form token
    shown = await admin.post(f"/office/cases/{case_no}/unmask", data={"csrf_token": csrf_of(page)},
                             follow_redirects=True)
    assert "081-234-5678" in shown.text
    assert "PHONE_UNMASKED" in await audit_actions(pool, staff.province_admin, case_no)


async def test_asking_for_the_unmasked_page_without_the_audited_unmask_shows_the_masked_phone(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    admin = await signed_in(browser_like, staff.province_admin)
    page = await admin.get(f"/office/cases/{case_no}?unmasked=true")
    assert "081-234-5678" not in page.text and "xxx-xxx-5678" in page.text
    assert "PHONE_UNMASKED" not in await audit_actions(pool, staff.province_admin, case_no)


async def test_an_unmask_holds_for_this_session_and_this_case_only_and_for_a_few_minutes(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    other_case_no, _ = await open_routed_case(scene)
    admin = await signed_in(browser_like, staff.province_admin)
    page = await admin.get(f"/office/cases/{case_no}")
    shown = await admin.post(f"/office/cases/{case_no}/unmask", data={"csrf_token": csrf_of(page)})
    assert shown.status_code == 303 and "unmasked" not in shown.headers["location"]

    assert "081-234-5678" in (await admin.get(f"/office/cases/{case_no}")).text  # held on a reload
    assert "081-234-5678" not in (await admin.get(f"/office/cases/{other_case_no}")).text  # this case only
    same_person_elsewhere = await signed_in(browser_like, staff.province_admin)
    assert "081-234-5678" not in (await same_person_elsewhere.get(f"/office/cases/{case_no}")).text  # this session only

    # Five minutes later (the grant's expiry moved to the past): masked again, the button offered again.
    await pool.execute("UPDATE phone_unmask_grants SET expires_at = now() - interval '1 second' WHERE case_no = $1",
                       case_no)
    later = await admin.get(f"/office/cases/{case_no}")
    assert "081-234-5678" not in later.text and f'action="/office/cases/{case_no}/unmask"' in later.text


async def test_acknowledging_from_the_case_page_goes_through_the_case_workflow(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handle = await open_routed_case(scene)
    http = await signed_in(browser_like, staff.station_officer)
    page = await http.get(f"/office/cases/{case_no}")
    form = {"csrf_token": csrf_of(page), "kind": "ACKNOWLEDGE",
            "idempotency_key": page.text.split('name="idempotency_key" value="')[1].split('"')[0]}
    done = await http.post(f"/office/cases/{case_no}/actions", data=form, follow_redirects=True)
    assert done.status_code == 200 and "บันทึกแล้ว" in done.text
    assert await handle.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED
    again = await http.post(f"/office/cases/{case_no}/actions", data=form, follow_redirects=True)
    assert again.status_code == 200  # the same form sent twice is applied once
    acknowledged = await eventually(lambda: pool.fetch(
        "SELECT 1 FROM case_events WHERE case_no = $1 AND kind = 'STATUS_CHANGED'", case_no))
    assert len(acknowledged) == 1
    assert "CASE_ACTION" in await audit_actions(pool, staff.station_officer, case_no)


async def test_an_illegal_action_is_refused_with_the_reason(scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    http = await signed_in(browser_like, staff.station_officer)
    page = await http.get(f"/office/cases/{case_no}")
    refused = await http.post(f"/office/cases/{case_no}/actions", data={
        "csrf_token": csrf_of(page), "kind": "CLOSE", "idempotency_key": "k1", "note": ""})
    assert refused.status_code == 422 and "ต้องมีบันทึกประกอบ" in refused.text


async def test_an_action_without_the_forms_token_is_refused(scene: Scene, staff: Staff, browser_like) -> None:
    case_no, handle = await open_routed_case(scene)
    http = await signed_in(browser_like, staff.station_officer)
    refused = await http.post(f"/office/cases/{case_no}/actions", data={"kind": "ACKNOWLEDGE", "idempotency_key": "k"})
    assert refused.status_code == 403
    assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW


async def test_a_read_only_account_cannot_act(scene: Scene, staff: Staff, browser_like) -> None:
    case_no, handle = await open_routed_case(scene)
    http = await signed_in(browser_like, staff.province_admin)
    page = await http.get(f"/office/cases/{case_no}")
    assert 'name="kind"' not in page.text  # no action buttons offered
    refused = await http.post(f"/office/cases/{case_no}/actions", data={
        "csrf_token": csrf_of(page), "kind": "ACKNOWLEDGE", "idempotency_key": "k"})
    assert refused.status_code == 403
    assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW


async def test_a_reporters_message_with_markup_is_shown_as_text(scene: Scene, staff: Staff, browser_like,
                                                                 pool: asyncpg.Pool) -> None:
    case_no, handle = await open_routed_case(scene)
    await handle.signal(CaseWorkflow.reporter_message, ReporterMessage(
        event_id="evt-markup", message_type="text", received_at=datetime.now(UTC),
        text='<script>alert("x")</script><b>ช่วยด้วย</b>'))
    await eventually(lambda: pool.fetch(
        "SELECT 1 FROM case_events WHERE case_no = $1 AND kind = 'REPORTER_MESSAGE'", case_no))
    http = await signed_in(browser_like, staff.station_officer)
    page = await http.get(f"/office/cases/{case_no}")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;ช่วยด้วย&lt;/b&gt;" in page.text


async def test_a_case_is_moved_to_another_station_of_the_province_from_its_page(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, _handle = await open_routed_case(scene)
    http = await signed_in(browser_like, staff.centre_operator)  # the province's 191 centre
    page = await http.get(f"/office/cases/{case_no}")
    other = await pool.fetchval(
        "SELECT id FROM stations WHERE province_code = $1 AND kind = 'STATION' AND id <> $2 ORDER BY id LIMIT 1",
        scene.district["province_code"], scene.station_id)
    assert f'<option value="{other}">' in page.text and "selected" not in page.text.split('name="station_id"')[1][:2000]
    form = {"csrf_token": csrf_of(page), "kind": "REASSIGN", "station_id": str(other), "idempotency_key": "move-1",
            "note": "เกิดเหตุในเขตสถานีข้างเคียง"}
    asked = await http.post(f"/office/cases/{case_no}/actions", data=form)
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in asked.text  # confirmed first
    moved = await http.post(f"/office/cases/{case_no}/actions", data={**form, "confirmed": "yes"},
                            follow_redirects=True)
    assert moved.status_code == 200 and moved.url.path == f"/office/cases/{case_no}"  # the case page, not JSON
    assert moved.url.params["done"] == "REASSIGN" and "บันทึกแล้ว" in moved.text
    assert await eventually(lambda: pool.fetchval(
        "SELECT station_id FROM cases WHERE case_no = $1 AND station_id = $2", case_no, other)) == other


async def test_an_action_from_the_case_page_while_line_answers_500_is_done_at_once_and_told_once_after(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handle = await open_routed_case(scene)
    await scene.officer_hears(scene.station_line).hears()  # the alert went out before LINE failed
    http = await signed_in(browser_like, staff.station_officer)
    page = await http.get(f"/office/cases/{case_no}")
    form = {"csrf_token": csrf_of(page), "kind": "ACKNOWLEDGE",
            "idempotency_key": page.text.split('name="idempotency_key" value="')[1].split('"')[0]}
    scene.platform.fail_for("push", seconds=6, status=500)
    started = time.monotonic()
    done = await http.post(f"/office/cases/{case_no}/actions", data=form)
    assert done.status_code == 303 and "done=ACKNOWLEDGE" in done.headers["location"]
    assert time.monotonic() - started < 1.5  # applied, so never "try again"
    assert await handle.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED
    [news] = await scene.reporter.hears(timeout=30)  # once LINE is back
    assert case_no in news["text"]
    await scene.reporter.hears_nothing(within=1)


async def test_an_officer_finds_a_case_by_its_last_digits_or_with_the_buddhist_era_year(
        scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    _, year, running = case_no.split("-")
    http = await signed_in(browser_like, staff.station_officer)
    buddhist_era = str(int(year) + 543)
    for typed in (case_no, running, running.lstrip("0"), f"{buddhist_era}-{running[-3:]}",
                  f"ESS-{buddhist_era}-{running}", case_no.lower()):
        listing = await http.get("/office/cases", params={"status": "ALL", "q": typed})
        assert f'data-case="{case_no}"' in listing.text, typed
    elsewhere = await http.get("/office/cases", params={"status": "ALL", "q": f"{int(year) - 1}-{running}"})
    assert f'data-case="{case_no}"' not in elsewhere.text


async def test_the_header_speaks_the_readers_language(staff: Staff, browser_like) -> None:
    http = await signed_in(browser_like, staff.station_officer)
    thai = (await http.get("/office/cases")).text
    http.cookies.set("ess_lang", "en")
    english = (await http.get("/office/cases")).text
    assert "ESS Help Me · ระบบหลังบ้าน" in thai and "Backoffice" not in thai
    assert "ESS Help Me · Back office" in english
