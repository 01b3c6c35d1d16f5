"""The hand-off desk: the team's inbox and a hand-off's page — who sees which hand-off, what the
team sees of a case (and what it never sees), the team's actions through the hand-off workflow,
and every view and action in the audit log."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from api.back_office import handoff_desk
from database.accounts import create_account
from domain.accounts import AccountRole
from domain.clock import THAILAND
from domain.handoff import HandoffStatus, TeamMember, TeamRole
from domain.models import CaseStatus, ReporterMessage
from tests.api.back_office.confirming import confirm, is_confirmation
from tests.api.back_office.conftest import PASSWORD, Person, Staff, csrf_of, open_routed_case, sign_in
from tests.api.back_office.teams import account_of, forwarded_rows, handoff_row
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually
from workflows.case import CaseWorkflow

IDEMPOTENCY_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


async def signed_in(browser_like, person: Person):
    http = browser_like()
    assert (await sign_in(http, person)).status_code == 303
    return http


@dataclass
class Team:
    """The scene's province's team (with the head of the provincial office, who approves), and a
    coordinator of another province."""

    coordinator: TeamMember
    social_worker: TeamMember
    stranger: TeamMember
    coordinator_account: Person
    social_worker_account: Person
    stranger_account: Person
    office_head: TeamMember
    office_head_account: Person


@pytest.fixture
async def team(scene: Scene, pool: asyncpg.Pool) -> AsyncIterator[Team]:
    province = scene.district["province_code"]
    other = await pool.fetchval("SELECT code FROM provinces WHERE code <> $1 ORDER BY code LIMIT 1", province)
    coordinator, _ = await linked_team_member(pool, scene.platform, TeamRole.COORDINATOR, province)
    social_worker, _ = await linked_team_member(pool, scene.platform, TeamRole.SOCIAL_WORKER, province)
    stranger, _ = await linked_team_member(pool, scene.platform, TeamRole.COORDINATOR, other)
    office_head, _ = await linked_team_member(pool, scene.platform, TeamRole.OFFICE_HEAD, province)
    yield Team(coordinator, social_worker, stranger, await account_of(pool, coordinator),
               await account_of(pool, social_worker), await account_of(pool, stranger),
               office_head, await account_of(pool, office_head))
    await let_go(pool, [coordinator, social_worker, stranger, office_head])


async def audit_actions(pool: asyncpg.Pool, person: Person, case_no: str) -> list[str]:
    rows = await pool.fetch(
        "SELECT a.action FROM audit_log a JOIN accounts u ON u.id = a.account_id "
        "WHERE u.username = $1 AND a.case_no = $2 ORDER BY a.id", person.username, case_no)
    return [row["action"] for row in rows]


# --- the read model, written directly (tests.api.back_office.teams) -----------------------

def row_of(page_text: str, handoff_id: str) -> str:
    found = re.search(rf'<tr [^>]*data-handoff="{re.escape(handoff_id)}".*?</tr>', page_text, re.S)
    assert found, f"{handoff_id} is not listed"
    return found.group(0)


async def test_the_inbox_lists_its_provinces_hand_offs_with_what_the_team_must_know(
        scene: Scene, team: Team, browser_like) -> None:
    now = datetime.now(UTC)
    waiting_case, waiting = await forwarded_rows(scene, forwarded_at=now - timedelta(hours=2))
    late_case, late = await forwarded_rows(scene, forwarded_at=now - timedelta(hours=1),
                                           accept_due_at=now - timedelta(minutes=5))
    cared_case, cared = await forwarded_rows(scene, status=HandoffStatus.IN_CARE, case_worker=team.social_worker)
    await scene.pool.execute(
        "INSERT INTO follow_ups (handoff_id, number, kind, due_at, planned_by, planned_at) VALUES "
        "($1, 1, 'HOME_VISIT', $2, $3, now()), ($1, 2, 'CALL', $4, $3, now())",
        cared, datetime(2031, 3, 5, 3, 0, tzinfo=UTC), team.social_worker.member_id,
        datetime(2031, 3, 4, 2, 0, tzinfo=UTC))
    http = await signed_in(browser_like, team.coordinator_account)
    inbox = await http.get("/office/handoffs")
    assert inbox.status_code == 200
    text = inbox.text
    assert text.index(f'data-handoff="{cared}"') < text.index(f'data-handoff="{late}"') < text.index(
        f'data-handoff="{waiting}"')  # newest first
    waiting_row = row_of(text, waiting)
    assert waiting_case in waiting_row and "กักขังหน่วงเหนี่ยว" in waiting_row and scene.district["name_th"] in waiting_row
    assert "รอทีมรับเรื่อง" in waiting_row and re.search(r"เหลือ 2[12] ชม\. \d+ นาที", waiting_row)
    assert "เกินกำหนด" in row_of(text, late)
    cared_row = row_of(text, cared)
    assert "อยู่ในความดูแล" in cared_row and team.social_worker.name in cared_row
    assert "04/03/2574 09:00" in cared_row  # the next follow-up due, in Thailand's time and the Buddhist era
    assert cared_case in cared_row and late_case in row_of(text, late)


async def test_the_inbox_shows_open_hand_offs_unless_asked_and_mine_on_request(
        scene: Scene, team: Team, browser_like) -> None:
    _, mine = await forwarded_rows(scene, status=HandoffStatus.IN_CARE, case_worker=team.coordinator)
    _, theirs = await forwarded_rows(scene, status=HandoffStatus.IN_CARE, case_worker=team.social_worker)
    _, closed = await forwarded_rows(scene, status=HandoffStatus.CLOSED, case_worker=team.coordinator)
    http = await signed_in(browser_like, team.coordinator_account)

    def listed(response) -> set[str]:
        return {h for h in (mine, theirs, closed) if f'data-handoff="{h}"' in response.text}

    assert listed(await http.get("/office/handoffs")) == {mine, theirs}
    assert listed(await http.get("/office/handoffs?mine=true")) == {mine}
    assert listed(await http.get("/office/handoffs?status=ALL&mine=true")) == {mine, closed}
    assert listed(await http.get("/office/handoffs?status=CLOSED")) == {closed}


async def test_the_inbox_is_paginated_newest_first(scene: Scene, team: Team, browser_like,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff_desk, "PAGE_SIZE", 2)
    now = datetime.now(UTC)
    handoffs = [(await forwarded_rows(scene, status=HandoffStatus.IN_CARE, case_worker=team.social_worker,
                                      forwarded_at=now - timedelta(minutes=minutes)))[1] for minutes in (3, 2, 1)]
    http = await signed_in(browser_like, team.social_worker_account)
    first = await http.get("/office/handoffs?mine=true")
    assert re.findall(r'data-handoff="([^"]+)"', first.text) == [handoffs[2], handoffs[1]]
    older = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = await http.get(older)
    assert re.findall(r'data-handoff="([^"]+)"', second.text) == [handoffs[0]]
    assert 'rel="next"' not in second.text and 'rel="prev"' in second.text


async def test_each_role_sees_the_hand_offs_of_its_scope_and_gets_404_for_others(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id = await forwarded_rows(scene)
    sees = [(staff.province_admin, True), (staff.superadmin, True), (staff.team_member, True),
            (team.coordinator_account, True), (staff.foreign_admin, False), (team.stranger_account, False)]
    for person, expected in sees:
        http = await signed_in(browser_like, person)
        inbox = await http.get("/office/handoffs?status=ALL")
        page = await http.get(f"/office/handoffs/{handoff_id}")
        assert (f'data-handoff="{handoff_id}"' in inbox.text) is expected, person.role
        assert page.status_code == (200 if expected else 404), person.role
    # The police, even the forwarding station, read the outcome on their case page, not the team's notes.
    for person in (staff.station_officer, staff.centre_operator):
        http = await signed_in(browser_like, person)
        assert (await http.get(f"/office/handoffs/{handoff_id}")).status_code == 403
        assert (await http.get("/office/handoffs")).status_code == 403
    stranger = await signed_in(browser_like, team.stranger_account)
    outside = await stranger.get(f"/office/handoffs/{handoff_id}")
    missing = await stranger.get(f"/office/handoffs/{case_no}-9")
    # Out of scope looks exactly like no such hand-off (but for the address asked for, which the page links).
    assert outside.text.replace(handoff_id, "HANDOFF") == missing.text.replace(f"{case_no}-9", "HANDOFF")
    assert "HANDOFF_VIEW_REFUSED" in [r["action"] for r in await pool.fetch(
        "SELECT a.action FROM audit_log a JOIN accounts u ON u.id = a.account_id WHERE u.username = $1",
        team.stranger_account.username)]


async def test_the_team_sees_what_the_care_needs_and_nothing_of_the_police_timeline_or_the_reporters_messages(
        scene: Scene, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handle = await open_routed_case(scene)
    await handle.signal(CaseWorkflow.reporter_message, ReporterMessage(
        event_id=f"evt-{uuid.uuid4().hex}", message_type="text", received_at=datetime.now(UTC),
        text="เขากำลังจะกลับมา ช่วยด้วย"))
    await eventually(lambda: pool.fetch(
        "SELECT 1 FROM case_events WHERE case_no = $1 AND kind = 'REPORTER_MESSAGE'", case_no))
    handoff_id = await handoff_row(scene, case_no, note="ผู้เสียหายขอความช่วยเหลือเรื่องที่พัก <b>ด่วน</b>")
    http = await signed_in(browser_like, team.coordinator_account)

    page = await http.get(f"/office/handoffs/{handoff_id}")
    assert page.status_code == 200
    assert "กักขังหน่วงเหนี่ยว" in page.text and scene.district["name_th"] in page.text and "ที่เกิดเหตุทดสอบ" in page.text
    assert 'id="case-map" data-lat="15.0" data-lng="100.5"' in page.text
    assert "ผู้เสียหายขอความช่วยเหลือเรื่องที่พัก &lt;b&gt;ด่วน&lt;/b&gt;" in page.text  # the forward note, as text
    assert "รอคำตอบจากผู้แจ้ง" in page.text  # consent not given yet: no number at all
    assert "234-5678" not in page.text
    assert "เขากำลังจะกลับมา" not in page.text  # the reporter's messages stay with the police
    assert "ส่งถึงสถานี" not in page.text and "/attachments/" not in page.text  # no police timeline, no photos
    assert "ตำรวจส่งต่อทีมสหวิชาชีพ" in page.text  # the hand-off's own timeline

    await pool.execute("UPDATE handoffs SET consent = 'REFUSED' WHERE handoff_id = $1", handoff_id)
    refused = await http.get(f"/office/handoffs/{handoff_id}")
    assert "ผู้แจ้งไม่ยินยอมให้ติดต่อ" in refused.text and "234-5678" not in refused.text
    await pool.execute("UPDATE handoffs SET consent = 'GIVEN' WHERE handoff_id = $1", handoff_id)
    given = await http.get(f"/office/handoffs/{handoff_id}")
    assert "081-234-5678" in given.text and "ผู้แจ้งยินยอมให้ติดต่อ" in given.text
    assert await audit_actions(pool, team.coordinator_account, case_no) == ["HANDOFF_VIEWED"] * 3


async def test_a_team_opens_no_police_case_page_and_lands_on_its_inbox(
        scene: Scene, team: Team, browser_like) -> None:
    case_no, _ = await forwarded_rows(scene)
    http = browser_like()
    signed = await sign_in(http, team.coordinator_account)
    assert signed.status_code == 303 and signed.headers["location"] == "/office/handoffs"
    listing = await http.get("/office/cases")
    assert listing.status_code == 303 and listing.headers["location"] == "/office/handoffs"
    assert (await http.get(f"/office/cases/{case_no}")).status_code == 404
    inbox = await http.get("/office/handoffs")
    assert 'href="/office/handoffs"' in inbox.text and 'href="/office/cases"' not in inbox.text  # the menu


async def test_only_a_team_account_linked_to_a_member_is_offered_forms_and_may_act(
        scene: Scene, staff: Staff, team: Team, browser_like) -> None:
    _, handoff_id = await forwarded_rows(scene)
    for person in (staff.team_member, staff.province_admin, staff.superadmin):
        http = await signed_in(browser_like, person)
        page = await http.get(f"/office/handoffs/{handoff_id}")
        assert page.status_code == 200 and 'name="kind"' not in page.text, person.role
        refused = await http.post(f"/office/handoffs/{handoff_id}/actions", data={
            "csrf_token": csrf_of(page), "kind": "ACCEPT", "idempotency_key": "k"})
        assert refused.status_code == 403 and "ดูได้อย่างเดียว" in refused.text, person.role
    assert await scene.pool.fetchval("SELECT status FROM handoffs WHERE handoff_id = $1", handoff_id) == "AWAITING"

    http = await signed_in(browser_like, team.coordinator_account)
    page = await http.get(f"/office/handoffs/{handoff_id}")
    offered = set(re.findall(r'name="kind" value="([A-Z_]+)"', page.text))
    assert offered == {"ACCEPT", "REJECT", "ADD_NOTE"}  # what an awaiting hand-off allows
    assert f'<option value="{team.social_worker.member_id}"' in page.text  # the province's team to choose from
    assert f'<option value="{team.stranger.member_id}"' not in page.text
    no_token = await http.post(f"/office/handoffs/{handoff_id}/actions",
                               data={"kind": "ACCEPT", "idempotency_key": "k"})
    assert no_token.status_code == 403


async def test_a_follow_up_without_a_date_is_refused_before_it_reaches_the_workflow(
        scene: Scene, team: Team, browser_like) -> None:
    _, handoff_id = await forwarded_rows(scene, status=HandoffStatus.IN_CARE, case_worker=team.coordinator)
    http = await signed_in(browser_like, team.coordinator_account)
    page = await http.get(f"/office/handoffs/{handoff_id}")
    assert {"ASSIGN", "PLAN", "CLOSE", "ADD_NOTE"} <= set(re.findall(r'name="kind" value="([A-Z_]+)"', page.text))
    refused = await http.post(f"/office/handoffs/{handoff_id}/actions", data={
        "csrf_token": csrf_of(page), "kind": "PLAN", "idempotency_key": "k", "follow_up_kind": "CALL", "due_at": ""})
    assert refused.status_code == 422 and "ต้องระบุวันและเวลานัดติดตาม" in refused.text


async def test_a_hand_off_whose_workflow_has_ended_takes_no_more_actions(
        scene: Scene, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    _, handoff_id = await forwarded_rows(scene)  # in the read model, with no workflow behind it
    http = await signed_in(browser_like, team.coordinator_account)
    refused = await team_acts(http, handoff_id, "ADD_NOTE", note="ยังติดตามอยู่")
    assert refused.status_code == 409 and "เรื่องส่งต่อนี้ไม่รับการดำเนินการแล้ว" in refused.text
    assert await pool.fetchval(
        "SELECT details->>'refused' FROM audit_log WHERE action = 'HANDOFF_ACTION' AND details->>'handoff_id' = $1",
        handoff_id) == "HandoffNotActive"


@pytest.mark.parametrize("typed", ["2026-05-03T14:30", "03/05/2569 14:30", "3/5/2026 14.30", "03/05/2569, 14:30"])
def test_a_due_time_typed_in_thailand_becomes_that_moment(typed: str) -> None:
    """dd/mm/yyyy hh:mm in either era, as the back office's date fields take it, or ISO."""
    assert handoff_desk.thailand_time(typed) == datetime(2026, 5, 3, 7, 30, tzinfo=UTC)
    assert handoff_desk.thailand_time(typed).tzinfo == THAILAND


@pytest.mark.parametrize("typed", ["03/05/2026", "31/02/2569 10:00", "03/05/2569 25:00", "tomorrow 10:00", ""])
def test_a_due_time_without_a_day_and_a_time_is_a_form_problem(typed: str) -> None:
    with pytest.raises(handoff_desk.FormProblem, match="05/12/2569 14:30"):
        handoff_desk.thailand_time(typed)


async def test_the_police_case_page_shows_the_team_s_answer_but_not_its_timeline(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id = await forwarded_rows(scene, status=HandoffStatus.CLOSED, case_worker=team.coordinator)
    await pool.execute(
        "INSERT INTO handoff_events (handoff_id, event_key, kind, at, actor, details) "
        "VALUES ($1, $2, 'NOTE', now(), $3, $4::text::jsonb)",
        handoff_id, f"{handoff_id}:note", f"member:{team.coordinator.member_id}", '{"note": "บันทึกภายในทีม"}')
    http = await signed_in(browser_like, staff.station_officer)
    page = await http.get(f"/office/cases/{case_no}")
    assert "ปิดการดูแล" in page.text and "เข้าบ้านพัก/สถานคุ้มครอง" in page.text and "เข้าบ้านพักแล้ว" in page.text
    assert "บันทึกภายในทีม" not in page.text
    assert f'href="/office/handoffs/{handoff_id}"' not in page.text  # the team's page would refuse them


# --- for real: the case workflow forwards, the hand-off workflow takes the team's actions ---------

def key_of(page) -> str:
    return IDEMPOTENCY_KEY.search(page.text).group(1)


async def forward_on_the_case_page(http, case_no: str, note: str = "ผู้เสียหายต้องการที่พักพิงด่วน"):
    page = await http.get(f"/office/cases/{case_no}")
    asked = await http.post(f"/office/cases/{case_no}/actions", data={
        "csrf_token": csrf_of(page), "idempotency_key": key_of(page), "kind": "FORWARD", "note": note})
    assert "ทีมจะได้รับแจ้งเตือน" in asked.text  # the confirmation says what forwarding does
    return await confirm(http, asked)


async def forwarded_for_real(scene: Scene, staff: Staff, browser_like) -> tuple[str, str, object]:
    """A case the station officer forwarded from its page: (case number, hand-off id, officer's client)."""
    case_no, _ = await open_routed_case(scene)
    officer = await signed_in(browser_like, staff.station_officer)
    forwarded = await forward_on_the_case_page(officer, case_no)
    assert forwarded.status_code == 200 and "บันทึกแล้ว" in forwarded.text
    handoff_id = await eventually(lambda: scene.pool.fetchval(
        "SELECT handoff_id FROM handoffs WHERE case_no = $1 AND attempt = 1", case_no))
    return case_no, handoff_id, officer


async def team_acts(http, handoff_id: str, kind: str, **fields: str):
    """Fills and sends the action's form on the hand-off page, as a person would; returning the case and
    closing the care are confirmed on the page that follows (unless the form was refused)."""
    page = await http.get(f"/office/handoffs/{handoff_id}")
    assert f'name="kind" value="{kind}"' in page.text, f"no {kind} form offered"
    answer = await http.post(f"/office/handoffs/{handoff_id}/actions", data={
        "csrf_token": csrf_of(page), "idempotency_key": key_of(page), "kind": kind, **fields}, follow_redirects=True)
    if kind in ("REJECT", "CLOSE") and answer.status_code == 200:
        return await confirm(http, answer)
    assert not is_confirmation(answer)
    return answer


async def assesses_risk(http, handoff_id: str, level: str, reason: str, **answers: str):
    """Fills the risk assessment on the hand-off page: each question's answer (by its code), the level and why."""
    page = await http.get(f"/office/handoffs/{handoff_id}")
    assert 'data-action="ASSESS_RISK"' in page.text, "no risk assessment offered"
    return await http.post(f"/office/handoffs/{handoff_id}/risk", data={
        "csrf_token": csrf_of(page), "idempotency_key": key_of(page), "level": level, "reason": reason,
        **{f"answer-{code}": answer for code, answer in answers.items()}}, follow_redirects=True)


async def answers_approval(http, handoff_id: str, subject: str, decision: str, note: str = ""):
    page = await http.get(f"/office/handoffs/{handoff_id}")
    assert f'name="subject" value="{subject}"' in page.text, f"no {subject} awaiting approval"
    return await http.post(f"/office/handoffs/{handoff_id}/approval", data={
        "csrf_token": csrf_of(page), "idempotency_key": key_of(page), "subject": subject, "decision": decision,
        "note": note}, follow_redirects=True)


async def test_a_case_forwarded_on_its_page_reaches_its_provinces_team_and_no_other(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id, officer = await forwarded_for_real(scene, staff, browser_like)
    assert handoff_id == f"{case_no}-1"
    coordinator = await signed_in(browser_like, team.coordinator_account)
    inbox = await coordinator.get("/office/handoffs")
    assert "รอทีมรับเรื่อง" in row_of(inbox.text, handoff_id)
    stranger = await signed_in(browser_like, team.stranger_account)
    assert f'data-handoff="{handoff_id}"' not in (await stranger.get("/office/handoffs?status=ALL")).text
    assert (await stranger.get(f"/office/handoffs/{handoff_id}")).status_code == 404
    page = await coordinator.get(f"/office/handoffs/{handoff_id}")
    assert "ผู้เสียหายต้องการที่พักพิงด่วน" in page.text  # the officer's forward note reaches the team
    assert (await stranger.post(f"/office/handoffs/{handoff_id}/actions", data={
        "csrf_token": csrf_of(page := await stranger.get("/office/handoffs")), "kind": "ACCEPT",
        "idempotency_key": "k"})).status_code == 404
    assert await pool.fetchval("SELECT status FROM handoffs WHERE handoff_id = $1", handoff_id) == "AWAITING"

    case_page = await officer.get(f"/office/cases/{case_no}")
    assert "ส่งต่อทีมสหวิชาชีพ" in case_page.text and "รอทีมรับเรื่อง" in case_page.text
    assert await audit_actions(pool, team.coordinator_account, case_no) == ["HANDOFF_VIEWED"]
    assert await pool.fetchval(
        "SELECT count(*) FROM audit_log a JOIN accounts u ON u.id = a.account_id WHERE u.username = $1 "
        "AND a.action = 'HANDOFF_VIEW_REFUSED' AND a.details->>'handoff_id' = $2",
        team.stranger_account.username, handoff_id) == 1


async def test_the_team_accepts_plans_records_and_closes_and_the_police_see_how_the_care_ended(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id, officer = await forwarded_for_real(scene, staff, browser_like)
    coordinator = await signed_in(browser_like, team.coordinator_account)
    accepted = await team_acts(coordinator, handoff_id, "ACCEPT", case_worker_id=str(team.social_worker.member_id))
    assert accepted.status_code == 200 and "บันทึกแล้ว: รับเรื่อง" in accepted.text
    assert "อยู่ในความดูแล" in accepted.text and team.social_worker.name in accepted.text
    accepted_at = await pool.fetchval("SELECT accepted_at FROM handoffs WHERE handoff_id = $1", handoff_id)
    assert accepted_at is not None

    social_worker = await signed_in(browser_like, team.social_worker_account)
    assert f'data-handoff="{handoff_id}"' in (await social_worker.get("/office/handoffs?mine=true")).text
    page = await social_worker.get(f"/office/handoffs/{handoff_id}")
    assert "ยังไม่ได้ประเมินความเสี่ยงแรกรับ" in page.text
    assessed = await assesses_risk(social_worker, handoff_id, "MEDIUM", "ยังอยู่บ้านเดียวกับผู้กระทำ",
                                   LIVES_WITH_HARMER="YES", WEAPON="NO")
    assert assessed.status_code == 200 and "บันทึกแล้ว: ประเมินความเสี่ยง" in assessed.text
    assert 'data-level="MEDIUM"' in assessed.text and "ยังอยู่บ้านเดียวกับผู้กระทำ" in assessed.text
    due = (datetime.now(THAILAND) + timedelta(days=2)).replace(hour=10, minute=30, second=0, microsecond=0)
    planned = await team_acts(social_worker, handoff_id, "PLAN", follow_up_kind="HOME_VISIT",
                              due_at=due.strftime("%Y-%m-%dT%H:%M"), note="เยี่ยมบ้านพร้อมครูประจำชั้น")
    assert planned.status_code == 200 and "เยี่ยมบ้านพร้อมครูประจำชั้น" in planned.text
    # 1 the first risk assessment (done), 2 the next review, 3 the home visit.
    assert await pool.fetchval("SELECT due_at FROM follow_ups WHERE handoff_id = $1 AND number = 3", handoff_id) == due
    recorded = await team_acts(social_worker, handoff_id, "RECORD", follow_up_number="3",
                               note="พบผู้เสียหาย ปลอดภัยดี")
    assert recorded.status_code == 200 and "พบผู้เสียหาย ปลอดภัยดี" in recorded.text
    follow_up_status = await pool.fetchval(
        "SELECT status FROM follow_ups WHERE handoff_id = $1 AND number = 3", handoff_id)
    assert follow_up_status == "DONE"
    asked = await team_acts(social_worker, handoff_id, "CLOSE", outcome="SAFE_WITH_FAMILY",
                            note="กลับไปอยู่กับยาย โรงเรียนช่วยดูแลต่อ")
    # Not closed yet: the page says it waits for the office head, and offers the case worker no approval.
    assert asked.status_code == 200 and "ส่งขออนุมัติแล้ว: ขออนุมัติปิดการดูแล" in asked.text
    assert "อยู่ในความดูแล" in asked.text and 'name="decision"' not in asked.text
    assert await pool.fetchval("SELECT status FROM handoffs WHERE handoff_id = $1", handoff_id) == "IN_CARE"
    head = await signed_in(browser_like, team.office_head_account)
    closed = await answers_approval(head, handoff_id, "CLOSURE", "APPROVE")
    assert closed.status_code == 200 and "บันทึกแล้ว: อนุมัติ" in closed.text
    assert 'name="kind"' not in closed.text  # a closed care takes no more actions

    case_page = await officer.get(f"/office/cases/{case_no}")
    assert "ปิดการดูแล" in case_page.text and "ปลอดภัย อยู่กับครอบครัว" in case_page.text
    assert "กลับไปอยู่กับยาย โรงเรียนช่วยดูแลต่อ" in case_page.text
    assert "พบผู้เสียหาย ปลอดภัยดี" not in case_page.text  # the team's own timeline stays on its side
    # The police see the risk level the team set, never its answers or reason.
    assert "ความเสี่ยงปานกลาง" in case_page.text and "ยังอยู่บ้านเดียวกับผู้กระทำ" not in case_page.text
    assert "ยังอาศัยอยู่กับผู้กระทำหรือไม่" not in case_page.text
    views = await audit_actions(pool, team.social_worker_account, case_no)
    # Each form was read on the page, and each action showed the page again: every view is logged.
    assert views.count("HANDOFF_VIEWED") == 9 and views.count("HANDOFF_ACTION") == 4


async def test_returning_a_case_needs_a_reason_and_opens_it_again_for_the_station(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id, officer = await forwarded_for_real(scene, staff, browser_like)
    coordinator = await signed_in(browser_like, team.coordinator_account)
    without_reason = await team_acts(coordinator, handoff_id, "REJECT", note="  ")
    assert without_reason.status_code == 422 and "ต้องมีบันทึกประกอบ" in without_reason.text
    returned = await team_acts(coordinator, handoff_id, "REJECT", note="ไม่ใช่กรณีที่ทีมรับได้ ควรส่งโรงพยาบาล")
    assert returned.status_code == 200 and "ทีมส่งคืน" in returned.text
    await eventually(lambda: pool.fetchval("SELECT 1 FROM cases WHERE case_no = $1 AND status = $2", case_no,
                                           CaseStatus.RETURNED.value))

    case_page = await officer.get(f"/office/cases/{case_no}")
    assert "ทีมสหวิชาชีพส่งคืน" in case_page.text  # the case's status
    assert "ไม่ใช่กรณีที่ทีมรับได้ ควรส่งโรงพยาบาล" in case_page.text
    assert 'name="kind" value="FORWARD"' in case_page.text  # the station acts again: close, or forward again
    again = await forward_on_the_case_page(officer, case_no, note="ส่งต่ออีกครั้งพร้อมข้อมูลเพิ่ม")
    assert again.status_code == 200
    second = await eventually(lambda: pool.fetchval(
        "SELECT handoff_id FROM handoffs WHERE case_no = $1 AND attempt = 2", case_no))
    assert f'data-handoff="{second}"' in (await coordinator.get("/office/handoffs")).text


async def test_a_form_sent_twice_applies_once(scene: Scene, staff: Staff, team: Team, browser_like,
                                             pool: asyncpg.Pool) -> None:
    _, handoff_id, _ = await forwarded_for_real(scene, staff, browser_like)
    coordinator = await signed_in(browser_like, team.coordinator_account)
    page = await coordinator.get(f"/office/handoffs/{handoff_id}")
    form = {"csrf_token": csrf_of(page), "idempotency_key": key_of(page), "kind": "ACCEPT"}
    first = await coordinator.post(f"/office/handoffs/{handoff_id}/actions", data=form)
    again = await coordinator.post(f"/office/handoffs/{handoff_id}/actions", data=form)
    assert first.status_code == again.status_code == 303  # the same answer, applied once
    assert await pool.fetchval(
        "SELECT count(*) FROM handoff_events WHERE handoff_id = $1 AND kind = 'ACCEPTED'", handoff_id) == 1
    another = await team_acts(coordinator, handoff_id, "ADD_NOTE", note="x")  # a new form: a new action
    assert another.status_code == 200
    fresh = await coordinator.get(f"/office/handoffs/{handoff_id}")
    refused = await coordinator.post(f"/office/handoffs/{handoff_id}/actions", data={
        "csrf_token": csrf_of(fresh), "idempotency_key": key_of(fresh), "kind": "ACCEPT"})
    assert refused.status_code == 409 and "สถานะการส่งต่อตอนนี้คือ IN_CARE" in refused.text


async def test_a_national_desk_account_reads_and_acts_on_every_provinces_hand_offs(
        scene: Scene, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    national, _ = await linked_team_member(pool, scene.platform, TeamRole.NATIONAL_DESK, None)
    try:
        username = f"test-{uuid.uuid4().hex[:10]}"
        async with pool.acquire() as connection:
            code = await connection.fetchval("SELECT code FROM team_members WHERE id = $1", national.member_id)
            await create_account(connection, username=username, display_name="ศูนย์ส่วนกลาง", password=PASSWORD,
                                 role=AccountRole.TEAM_MEMBER, team_member_code=code)
        _, handoff_id = await forwarded_rows(scene)
        http = await signed_in(browser_like, Person(username, AccountRole.TEAM_MEMBER))
        assert f'data-handoff="{handoff_id}"' in (await http.get("/office/handoffs?status=ALL")).text
        page = await http.get(f"/office/handoffs/{handoff_id}")
        assert page.status_code == 200 and 'name="kind" value="ACCEPT"' in page.text
    finally:
        await let_go(pool, [national])
