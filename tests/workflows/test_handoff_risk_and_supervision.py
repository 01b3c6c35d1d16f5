"""Risk and supervision in the care (issue 17), on the time-skipping server with the real activities:
the risk assessment at acceptance and at each review, what a high level changes (follow-ups within 48
hours, the office head asked to approve the plan), and the office head's approval of a case worker's
closing — approved on LINE or in the back office, or sent back with the reason."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.handoff import (
    ApprovalSubject,
    CareOutcome,
    FollowUpKind,
    FollowUpPlan,
    FollowUpStatus,
    HandoffStatus,
    TeamAction,
    TeamActionKind,
)
from domain.risk import RiskAnswer, RiskAnswerGiven, RiskAssessment, RiskLevel
from tests.conversation import actions_of, text_of
from tests.scene import Scene
from tests.waiting import eventually
from tests.workflows.handoff_team import LOW_RISK, Team, forwarded_case, hears, started_handoff, team, team_action
from workflows.handoff import HandoffWorkflow

__all__ = ["team"]  # the fixture

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
HIGH_RISK = RiskAssessment(
    answers=[RiskAnswerGiven(code="WEAPON", question_th="ผู้กระทำมีหรือเคยใช้อาวุธหรือไม่",
                             question_en="Does the person who harms have or use a weapon?", raises_to=RiskLevel.HIGH,
                             answer=RiskAnswer.YES),
             RiskAnswerGiven(code="AFRAID", question_th="กลัวว่าจะถูกทำร้ายอีกหรือไม่",
                             question_en="Afraid of being hurt again?", raises_to=RiskLevel.MEDIUM,
                             answer=RiskAnswer.UNKNOWN)],
    level=RiskLevel.HIGH, reason="ผู้กระทำมีปืนในบ้าน และขู่ว่าจะตามหา")


async def refused(handoff: WorkflowHandle, action: TeamAction) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refusal:
        await handoff.execute_update(HandoffWorkflow.act, action)
    return refusal.value.cause.type


async def entries(scene: Scene, case_no: str, kind: str) -> list[dict]:
    rows = await scene.pool.fetch(
        "SELECT e.actor, e.details FROM handoff_events e JOIN handoffs h USING (handoff_id)"
        " WHERE h.case_no = $1 AND e.kind = $2 ORDER BY e.at, e.id", case_no, kind)
    return [{"actor": row["actor"], **row["details"]} for row in rows]


async def approvals(scene: Scene, case_no: str) -> list[tuple]:
    rows = await scene.pool.fetch(
        "SELECT a.subject, a.answer, a.reason FROM care_approvals a JOIN handoffs h USING (handoff_id)"
        " WHERE h.case_no = $1 ORDER BY a.requested_at, a.event_key", case_no)
    return [tuple(row) for row in rows]


def close_to(moment: datetime, expected: datetime) -> bool:
    """The server's clock moved on a little between the spec's reading and the workflow's."""
    return timedelta(0) <= moment - expected < timedelta(minutes=1)


def approve_button(card: dict) -> str:
    [approve] = [action for action in actions_of(card) if action["type"] == "postback"]
    return approve["data"]


@pytest.mark.records_history("risk_and_supervision")
async def test_a_high_risk_brings_follow_ups_within_two_days_and_asks_the_office_head_to_approve_the_plan(
        scene: Scene, team: Team) -> None:
    case_no, _case, handoff = await forwarded_case(scene)  # a real case: its histories are recorded
    env = scene.env
    worker, head = hears(scene, team, team.social_worker), hears(scene, team, team.office_head)
    await worker.hears()  # the alert
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.social_worker))
    now = await env.get_current_time()
    visit = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.PLAN, team.social_worker,
        follow_up=FollowUpPlan(kind=FollowUpKind.HOME_VISIT, due_at=now + 5 * DAY, note="เยี่ยมบ้าน")))
    assert visit.follow_up_number == 2  # 1 is the first risk assessment, due within a day

    # Assessed high: the home visit comes within 48 hours, the next review in a week, the office head asked.
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=HIGH_RISK))
    plan = {f.number: f for f in await handoff.query(HandoffWorkflow.care_plan)}
    assert plan[1].status == FollowUpStatus.DONE and plan[1].outcome == HIGH_RISK.reason
    assert close_to(plan[2].due_at, now + 48 * HOUR)
    assert plan[3].kind == FollowUpKind.RISK_REVIEW and close_to(plan[3].due_at, now + 7 * DAY)
    [request] = await head.hears()
    assert request["altText"] == f"ขออนุมัติแผนการดูแลกรณีความเสี่ยงสูง: {case_no}"
    assert "ความเสี่ยงสูง" in str(request["contents"]["body"])
    [moved] = await eventually(lambda: entries(scene, case_no, "FOLLOW_UP_MOVED"))
    assert (moved["number"], moved["because"]) == (2, "HIGH_RISK")
    [assessed] = await entries(scene, case_no, "RISK_ASSESSED")
    assert (assessed["occasion"], assessed["suggested"], assessed["assessment"]["level"]) == ("FIRST", "HIGH", "HIGH")
    assert assessed["assessment"]["answers"][0]["question_th"] == "ผู้กระทำมีหรือเคยใช้อาวุธหรือไม่"
    row = await scene.pool.fetchrow("SELECT risk_level FROM handoffs WHERE case_no = $1", case_no)
    assert row["risk_level"] == "HIGH"
    assert await scene.pool.fetchval(
        "SELECT due_at FROM follow_ups f JOIN handoffs h USING (handoff_id) WHERE h.case_no = $1 AND number = 2",
        case_no) == plan[2].due_at

    # While the risk is high, a follow-up must be due within 48 hours.
    assert await refused(handoff, team_action(TeamActionKind.PLAN, team.social_worker, follow_up=FollowUpPlan(
        kind=FollowUpKind.CALL, due_at=now + 3 * DAY))) == "InvalidAction"
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.PLAN, team.social_worker,
                                                                  follow_up=FollowUpPlan(kind=FollowUpKind.CALL,
                                                                                         due_at=now + 12 * HOUR)))
    # Risk reviews are planned by the assessment and done by assessing, never by hand.
    assert await refused(handoff, team_action(TeamActionKind.PLAN, team.social_worker, follow_up=FollowUpPlan(
        kind=FollowUpKind.RISK_REVIEW, due_at=now + HOUR))) == "InvalidAction"
    assert await refused(handoff, team_action(TeamActionKind.RECORD, team.social_worker, follow_up_number=3,
                                              note="ทบทวนแล้ว")) == "InvalidAction"

    # Only a supervisor answers; sending back needs the reason, which the case worker hears.
    assert await refused(handoff, team_action(TeamActionKind.APPROVE, team.coordinator,
                                              subject=ApprovalSubject.HIGH_RISK_PLAN)) == "NotSupervisor"
    assert await refused(handoff, team_action(TeamActionKind.SEND_BACK, team.office_head,
                                              subject=ApprovalSubject.HIGH_RISK_PLAN)) == "InvalidAction"
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.SEND_BACK, team.office_head, subject=ApprovalSubject.HIGH_RISK_PLAN,
        note="ขอแผนย้ายเข้าบ้านพักก่อนเยี่ยมบ้าน"))
    [sent_back] = await worker.hears()
    assert sent_back["altText"] == f"หัวหน้าส่งแผนการดูแลกรณีความเสี่ยงสูงกลับมาแก้ไข: {case_no}"
    assert "ขอแผนย้ายเข้าบ้านพักก่อนเยี่ยมบ้าน" in str(sent_back["contents"]["body"])
    assert await refused(handoff, team_action(TeamActionKind.APPROVE, team.office_head,
                                              subject=ApprovalSubject.HIGH_RISK_PLAN)) == "InvalidAction"

    # Reviewed, still high: asked again, and approved with one tap on LINE.
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=HIGH_RISK))
    [again] = await head.hears()
    await head.taps_postback(approve_button(again))
    [done] = await head.hears()
    assert case_no in text_of(done) and "อนุมัติแผนการดูแลกรณีความเสี่ยงสูงแล้ว" in text_of(done)
    [approved] = await worker.hears()
    assert approved["altText"] == f"หัวหน้าอนุมัติแผนการดูแลกรณีความเสี่ยงสูงแล้ว: {case_no}"
    assert await eventually(lambda: approvals(scene, case_no)) == [
        ("HIGH_RISK_PLAN", "SENT_BACK", "ขอแผนย้ายเข้าบ้านพักก่อนเยี่ยมบ้าน"), ("HIGH_RISK_PLAN", "APPROVED", None)]
    [first, review] = await entries(scene, case_no, "RISK_ASSESSED")
    assert (first["occasion"], review["occasion"]) == ("FIRST", "REVIEW")
    # The tap again: nothing waits any more, and the head hears so.
    await head.taps_postback(approve_button(again))
    [late] = await head.hears()
    assert "อนุมัติไม่ได้" in text_of(late)
    assert len(await entries(scene, case_no, "APPROVED")) == 1


async def test_a_case_workers_closing_waits_for_the_office_head_who_may_send_it_back(
        scene: Scene, team: Team) -> None:
    case_no, handoff = await started_handoff(scene)
    worker, head = hears(scene, team, team.social_worker), hears(scene, team, team.office_head)
    await worker.hears()  # the alert
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.social_worker))
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=LOW_RISK))

    close = team_action(TeamActionKind.CLOSE, team.social_worker, outcome=CareOutcome.SAFE_WITH_FAMILY,
                        note="อยู่กับญาติ ปลอดภัย")
    asked = await handoff.execute_update(HandoffWorkflow.act, close)
    assert (asked.status, asked.awaiting_approval) == (HandoffStatus.IN_CARE, True)
    [request] = await head.hears()
    assert request["altText"] == f"ขออนุมัติการปิดการดูแล: {case_no}"
    assert "ปลอดภัย อยู่กับครอบครัว" in str(request["contents"]["body"])
    assert await refused(handoff, close) == "InvalidAction"  # one closing waits at a time

    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.SEND_BACK, team.office_head, subject=ApprovalSubject.CLOSURE,
        note="ยังไม่ได้เยี่ยมบ้านหลังย้าย"))
    [back] = await worker.hears()
    assert "ยังไม่ได้เยี่ยมบ้านหลังย้าย" in str(back["contents"]["body"])
    assert await handoff.query(HandoffWorkflow.status) == HandoffStatus.IN_CARE
    [sent_back] = await eventually(lambda: entries(scene, case_no, "SENT_BACK"))
    assert (sent_back["reason"], sent_back["member_ids"]) == ("ยังไม่ได้เยี่ยมบ้านหลังย้าย", [team.social_worker.member_id])
    police = await scene.pool.fetchval("SELECT count(*) FROM case_events WHERE case_no = $1 AND kind = 'CARE_CLOSED'",
                                       case_no)
    assert police == 0  # nothing closed: the police hear nothing

    # Asked again after the visit: the office head approves in the back office, and the care closes with
    # the case worker's outcome and note.
    await handoff.execute_update(HandoffWorkflow.act, close.model_copy(update={"note": "เยี่ยมบ้านแล้ว ปลอดภัย"}))
    closed = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.APPROVE, team.office_head, subject=ApprovalSubject.CLOSURE))
    assert closed.status == HandoffStatus.CLOSED
    assert await handoff.result() == HandoffStatus.CLOSED
    row = await scene.pool.fetchrow("SELECT status, care_outcome, care_note FROM handoffs WHERE case_no = $1", case_no)
    assert tuple(row) == ("CLOSED", "SAFE_WITH_FAMILY", "เยี่ยมบ้านแล้ว ปลอดภัย")
    assert await approvals(scene, case_no) == [("CLOSURE", "SENT_BACK", "ยังไม่ได้เยี่ยมบ้านหลังย้าย"),
                                               ("CLOSURE", "APPROVED", None)]


async def test_the_office_heads_own_closing_needs_nobody_and_an_assessment_needs_its_reason(
        scene: Scene, team: Team) -> None:
    _case_no, handoff = await started_handoff(scene)
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.office_head))
    no_reason = HIGH_RISK.model_copy(update={"reason": "  "})
    assert await refused(handoff, team_action(TeamActionKind.ASSESS_RISK, team.office_head,
                                              risk=no_reason)) == "InvalidAction"
    assert await refused(handoff, team_action(TeamActionKind.ASSESS_RISK, team.office_head)) == "InvalidAction"
    closed = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.CLOSE, team.office_head, outcome=CareOutcome.REFERRED, note="ส่งต่อศูนย์พึ่งได้"))
    assert (closed.status, closed.awaiting_approval) == (HandoffStatus.CLOSED, False)


async def test_a_review_that_finds_the_risk_no_longer_high_withdraws_the_plans_approval(
        scene: Scene, team: Team) -> None:
    case_no, handoff = await started_handoff(scene)
    head = hears(scene, team, team.office_head)
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.social_worker))
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=HIGH_RISK))
    [_request] = await head.hears()

    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=LOW_RISK))
    assert await refused(handoff, team_action(TeamActionKind.APPROVE, team.office_head,
                                              subject=ApprovalSubject.HIGH_RISK_PLAN)) == "InvalidAction"
    [withdrawn] = await eventually(lambda: entries(scene, case_no, "APPROVAL_WITHDRAWN"))
    assert (withdrawn["subject"], withdrawn["requested_by"]) == ("HIGH_RISK_PLAN", team.social_worker.member_id)
    assert await approvals(scene, case_no) == [("HIGH_RISK_PLAN", "WITHDRAWN", None)]
