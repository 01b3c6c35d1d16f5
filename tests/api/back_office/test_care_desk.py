"""Risk and supervision in the back office (issue 17): the risk questions the national administrator
keeps, the assessment on the hand-off page, who may answer what waits for approval (the province's
office head; a case worker or another province's head may not), and the caseload's risk column."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import asyncpg

from domain.clock import THAILAND
from domain.handoff import TeamRole
from tests.api.back_office.conftest import Staff, csrf_of
from tests.api.back_office.teams import account_of
from tests.api.back_office.test_caseload_desk import cell, row
from tests.api.back_office.test_handoff_desk import (
    Team,
    answers_approval,
    assesses_risk,
    forwarded_for_real,
    key_of,
    signed_in,
    team,
    team_acts,
)
from tests.scene import Scene
from tests.team import let_go, linked_team_member

__all__ = ["team"]  # the fixture


async def test_the_national_administrator_adds_rewords_and_retires_risk_questions_and_each_change_is_audited(
        staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    admin = await signed_in(browser_like, staff.superadmin)
    settings = await admin.get("/office/settings")
    assert "คำถามประเมินความเสี่ยง" in settings.text and 'data-question="WEAPON"' in settings.text
    question = {"csrf_token": csrf_of(settings), "code": "left_alone", "text_th": "ถูกทิ้งให้อยู่ลำพังหรือไม่",
                "text_en": "Left alone?", "raises_to": "MEDIUM", "position": "90", "active": "yes"}
    try:
        assert (await admin.post("/office/settings/risk-questions", data=question)).status_code == 303
        saved = await pool.fetchrow("SELECT text_th, raises_to, active FROM risk_questions WHERE code = 'LEFT_ALONE'")
        assert tuple(saved) == ("ถูกทิ้งให้อยู่ลำพังหรือไม่", "MEDIUM", True)
        retired = {**question, "code": "LEFT_ALONE", "text_th": "ถูกทิ้งให้อยู่ลำพังบ่อยหรือไม่", "active": ""}
        assert (await admin.post("/office/settings/risk-questions", data=retired)).status_code == 303
        assert await pool.fetchval("SELECT active FROM risk_questions WHERE code = 'LEFT_ALONE'") is False
        change = await pool.fetchval("SELECT details FROM audit_log WHERE action = 'SETTINGS_CHANGED' "
                                     "AND details->>'risk_question' = 'LEFT_ALONE' ORDER BY id DESC LIMIT 1")
        assert change["before"]["text_th"] == "ถูกทิ้งให้อยู่ลำพังหรือไม่"
        assert (change["after"]["text_th"], change["after"]["active"]) == ("ถูกทิ้งให้อยู่ลำพังบ่อยหรือไม่", False)

        bad = await admin.post("/office/settings/risk-questions", data={**question, "code": "ไม่ใช่รหัส"})
        assert bad.status_code == 422 and "รหัสเป็นอักษรอังกฤษ" in bad.text
        assert (await admin.post("/office/settings/risk-questions",
                                 data={**question, "raises_to": "EXTREME"})).status_code == 422
        province_admin = await signed_in(browser_like, staff.province_admin)
        page = await province_admin.get("/office/settings")
        refused = await province_admin.post("/office/settings/risk-questions",
                                            data={**question, "csrf_token": csrf_of(page)})
        assert refused.status_code == 403
    finally:
        await pool.execute("DELETE FROM risk_questions WHERE code = 'LEFT_ALONE'")


async def test_only_the_provinces_office_head_answers_what_waits_and_sending_back_needs_a_reason(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    _case_no, handoff_id, _officer = await forwarded_for_real(scene, staff, browser_like)
    worker = await signed_in(browser_like, team.social_worker_account)
    await team_acts(worker, handoff_id, "ACCEPT")
    high = await assesses_risk(worker, handoff_id, "HIGH", "มีอาวุธในบ้าน", WEAPON="YES")
    assert 'data-subject="HIGH_RISK_PLAN"' in high.text and 'name="decision"' not in high.text
    # A case worker who posts an approval anyway is refused by the workflow, in words.
    refused = await worker.post(f"/office/handoffs/{handoff_id}/approval", data={
        "csrf_token": csrf_of(high), "idempotency_key": key_of(high), "subject": "HIGH_RISK_PLAN",
        "decision": "APPROVE"})
    assert refused.status_code == 403 and "เฉพาะหัวหน้าสำนักงาน" in refused.text

    other = await pool.fetchval("SELECT code FROM provinces WHERE code <> $1 ORDER BY code LIMIT 1",
                                scene.district["province_code"])
    stranger_head, _ = await linked_team_member(pool, scene.platform, TeamRole.OFFICE_HEAD, other)
    try:
        stranger = await signed_in(browser_like, await account_of(pool, stranger_head))
        page = await stranger.get("/office/handoffs")
        assert (await stranger.post(f"/office/handoffs/{handoff_id}/approval", data={
            "csrf_token": csrf_of(page), "idempotency_key": "k", "subject": "HIGH_RISK_PLAN",
            "decision": "APPROVE"})).status_code == 404
    finally:
        await let_go(pool, [stranger_head])

    head = await signed_in(browser_like, team.office_head_account)
    no_reason = await answers_approval(head, handoff_id, "HIGH_RISK_PLAN", "SEND_BACK")
    assert no_reason.status_code == 422 and "ต้องระบุเหตุผลที่ส่งกลับ" in no_reason.text
    sent_back = await answers_approval(head, handoff_id, "HIGH_RISK_PLAN", "SEND_BACK", note="ขอแผนที่พักพิงก่อน")
    assert sent_back.status_code == 200 and "บันทึกแล้ว: ส่งกลับให้แก้ไข" in sent_back.text
    assert 'data-subject="HIGH_RISK_PLAN"' not in sent_back.text
    assert "ขอแผนที่พักพิงก่อน" in sent_back.text  # on the timeline, for the case worker to read
    answers = await pool.fetch("SELECT answer, reason FROM care_approvals WHERE handoff_id = $1", handoff_id)
    assert [tuple(a) for a in answers] == [("SENT_BACK", "ขอแผนที่พักพิงก่อน")]


async def test_the_caseload_shows_each_cares_risk_and_each_members_high_risk_and_unassessed_cares(
        scene: Scene, staff: Staff, team: Team, browser_like) -> None:
    _case_no, handoff_id, _officer = await forwarded_for_real(scene, staff, browser_like)
    _other_case, unassessed, _ = await forwarded_for_real(scene, staff, browser_like)
    worker = await signed_in(browser_like, team.social_worker_account)
    for accepted in (handoff_id, unassessed):
        await team_acts(worker, accepted, "ACCEPT")
    await assesses_risk(worker, handoff_id, "HIGH", "มีอาวุธในบ้าน", WEAPON="YES")

    caseload = (await worker.get("/office/handoffs/caseload")).text
    load = row(caseload, "member", team.social_worker.member_id)
    assert (cell(load, "high-risk"), cell(load, "not-assessed")) == ("1", "1")
    assert "ความเสี่ยงสูง" in row(caseload, "handoff", handoff_id)
    assert "รออนุมัติ" in row(caseload, "handoff", handoff_id)
    assert "ยังไม่ประเมิน" in row(caseload, "handoff", unassessed)


async def test_a_referral_names_an_agency_of_the_provinces_directory_and_records_its_answer(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    _case_no, handoff_id, _officer = await forwarded_for_real(scene, staff, browser_like)
    province = scene.district["province_code"]
    other = await pool.fetchval("SELECT code FROM provinces WHERE code <> $1 ORDER BY code LIMIT 1", province)
    ours, theirs = [await pool.fetchval(
        "INSERT INTO agencies (code, province_code, kind, name_th, name_en) VALUES ($1, $2, 'OSCC', $3, 'OSCC')"
        " RETURNING id", f"TEST-{uuid.uuid4().hex[:10]}", where, f"ศูนย์พึ่งได้ {name}") for where, name in (
        (province, "ของจังหวัดนี้"), (other, "จังหวัดอื่น"))]
    try:
        worker = await signed_in(browser_like, team.social_worker_account)
        await team_acts(worker, handoff_id, "ACCEPT")
        page = await worker.get(f"/office/handoffs/{handoff_id}")
        assert "ศูนย์พึ่งได้ ของจังหวัดนี้" in page.text and "ศูนย์พึ่งได้ จังหวัดอื่น" not in page.text

        async def refers(agency_id: int):
            page = await worker.get(f"/office/handoffs/{handoff_id}")
            return await worker.post(f"/office/handoffs/{handoff_id}/referrals", data={
                "csrf_token": csrf_of(page), "idempotency_key": key_of(page), "agency_id": str(agency_id),
                "due_at": (datetime.now(THAILAND) + timedelta(days=2)).strftime("%d/%m/%Y 10:00"),
                "note": "ตรวจร่างกาย"}, follow_redirects=True)

        refused = await refers(theirs)  # another province's agency is not in this care's directory
        assert refused.status_code == 422 and "ไม่พบหน่วยงานนี้ในทำเนียบของจังหวัด" in refused.text
        referred = await refers(ours)
        assert referred.status_code == 200 and "บันทึกแล้ว: ส่งต่อหน่วยงาน" in referred.text
        waiting = re.search(r'<tr data-referral="(\d+)".*?</tr>', referred.text, re.S)
        assert waiting and "รอคำตอบ" in waiting.group(0)
        answered = await worker.post(f"/office/handoffs/{handoff_id}/referrals/{waiting.group(1)}/answer", data={
            "csrf_token": csrf_of(referred), "idempotency_key": key_of(referred), "answer": "ACCEPTED"},
            follow_redirects=True)
        assert answered.status_code == 200 and "หน่วยงานรับแล้ว" in answered.text
        assert await pool.fetchval("SELECT answer FROM referrals WHERE handoff_id = $1", handoff_id) == "ACCEPTED"
    finally:
        await pool.execute("UPDATE agencies SET active = false WHERE id = ANY($1::int[])", [ours, theirs])


async def test_a_message_to_the_reporter_is_offered_and_sent_only_with_their_consent(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    _case_no, handoff_id, _officer = await forwarded_for_real(scene, staff, browser_like)
    worker = await signed_in(browser_like, team.social_worker_account)
    page = await team_acts(worker, handoff_id, "ACCEPT")
    assert "ผู้แจ้งยังไม่ได้ยินยอมให้ติดต่อ" in page.text and 'data-action="MESSAGE_REPORTER"' not in page.text
    refused = await worker.post(f"/office/handoffs/{handoff_id}/reporter-message", data={
        "csrf_token": csrf_of(page), "idempotency_key": key_of(page), "text": "สวัสดีค่ะ"})
    assert refused.status_code == 422 and "ผู้แจ้งไม่ได้ยินยอมให้ติดต่อ" in refused.text
    assert await pool.fetchval("SELECT count(*) FROM handoff_events WHERE handoff_id = $1 AND kind = $2",
                               handoff_id, "REPORTER_MESSAGED") == 0
