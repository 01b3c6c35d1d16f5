"""Referrals and safe contact in the care (issue 17), on the time-skipping server with the real
activities: a referral to one of the province's agencies is a step of the care plan whose answer is
due by a time (reminded before, and when it passes with no answer), answered accepted or declined
with the reason; and the case worker's message to the reporter through the bot, silent and in
neutral words, only to a reporter who agreed to be contacted, recorded with whether LINE took it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.agencies import AgencyKind
from domain.handoff import (
    Consent,
    FollowUpStatus,
    ReferralAnswer,
    ReferralPlan,
    TeamAction,
    TeamActionKind,
)
from domain.postbacks import Postback
from tests.conversation import actions_of, text_of
from tests.scene import Scene
from tests.waiting import eventually
from tests.workflows.handoff_team import LOW_RISK, Team, forwarded_case, hears, started_handoff, team, team_action
from workflows.handoff import HandoffWorkflow

__all__ = ["team"]  # the fixture

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
async def crisis_centre(scene: Scene) -> AsyncIterator[ReferralPlan]:
    """The province's hospital crisis centre, as the directory names it (the due time is the spec's)."""
    code = f"TEST-OSCC-{uuid.uuid4().hex[:8]}"
    agency_id = await scene.pool.fetchval(
        "INSERT INTO agencies (code, province_code, kind, name_th, name_en) VALUES ($1, $2, 'OSCC',"
        " 'ศูนย์พึ่งได้ โรงพยาบาลทดสอบ', 'OSCC, Test Hospital') RETURNING id", code, scene.district["province_code"])
    yield ReferralPlan(agency_id=agency_id, agency_kind=AgencyKind.OSCC, agency_name_th="ศูนย์พึ่งได้ โรงพยาบาลทดสอบ",
                       agency_name_en="OSCC, Test Hospital", due_at=await scene.env.get_current_time() + 3 * DAY,
                       note="ตรวจร่างกายและเก็บหลักฐาน")
    await scene.pool.execute("UPDATE agencies SET active = false WHERE id = $1", agency_id)


async def refused(handoff: WorkflowHandle, action: TeamAction) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refusal:
        await handoff.execute_update(HandoffWorkflow.act, action)
    return refusal.value.cause.type


async def referral_rows(scene: Scene, case_no: str) -> list[tuple]:
    rows = await scene.pool.fetch(
        "SELECT r.number, r.agency_kind, r.answer, r.reason FROM referrals r JOIN handoffs h USING (handoff_id)"
        " WHERE h.case_no = $1 ORDER BY r.number", case_no)
    return [tuple(row) for row in rows]


@pytest.mark.records_history("referrals_and_contact")
async def test_a_referral_waits_for_the_agencys_answer_and_the_case_worker_hears_when_none_came(
        scene: Scene, team: Team, crisis_centre: ReferralPlan) -> None:
    case_no, _case, handoff = await forwarded_case(scene)  # a real case: its histories are recorded
    env = scene.env
    worker = hears(scene, team, team.social_worker)
    await worker.hears()  # the alert
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.social_worker))
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=LOW_RISK))

    referred = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.REFER, team.social_worker, referral=crisis_centre))
    assert referred.follow_up_number == 3  # 1 the first assessment, 2 the next review
    assert await eventually(lambda: referral_rows(scene, case_no)) == [(3, "OSCC", None, None)]
    # Recorded as the agency's answer, never as a plain follow-up.
    assert await refused(handoff, team_action(TeamActionKind.RECORD, team.social_worker, follow_up_number=3,
                                              note="ส่งแล้ว")) == "InvalidAction"

    await env.sleep(2 * DAY - HOUR)
    await worker.hears_nothing(within=0.3)
    await env.sleep(2 * HOUR)
    [soon] = await worker.hears()
    assert soon["altText"] == f"ใกล้ถึงกำหนดคำตอบจากศูนย์พึ่งได้ โรงพยาบาลทดสอบ: {case_no}"
    await env.sleep(DAY)
    [none_came] = await worker.hears()
    assert none_came["altText"] == f"ยังไม่ได้คำตอบจากศูนย์พึ่งได้ โรงพยาบาลทดสอบ: {case_no}"
    reminded = await eventually(lambda: scene.pool.fetch(
        "SELECT e.details FROM handoff_events e JOIN handoffs h USING (handoff_id)"
        " WHERE h.case_no = $1 AND e.kind = 'FOLLOW_UP_REMINDED' AND e.details->>'number' = '3'", case_no))
    assert [r["details"]["what"] for r in reminded] == ["due_soon", "overdue"]

    # The answer came late: accepted. The step is done, and a second answer is refused.
    accepted = team_action(TeamActionKind.ANSWER_REFERRAL, team.social_worker, follow_up_number=3,
                           referral_answer=ReferralAnswer.ACCEPTED)
    await handoff.execute_update(HandoffWorkflow.act, accepted)
    assert await refused(handoff, accepted) == "InvalidAction"
    plan = {f.number: f for f in await handoff.query(HandoffWorkflow.care_plan)}
    assert plan[3].status == FollowUpStatus.DONE
    assert await eventually(lambda: referral_rows(scene, case_no)) == [(3, "OSCC", "ACCEPTED", None)]

    # Declined needs the agency's reason.
    shelter = crisis_centre.model_copy(update={"agency_kind": AgencyKind.SHELTER, "due_at": plan[2].due_at - DAY})
    second = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.REFER, team.social_worker, referral=shelter))
    declined = team_action(TeamActionKind.ANSWER_REFERRAL, team.social_worker, follow_up_number=second.follow_up_number,
                           referral_answer=ReferralAnswer.DECLINED)
    assert await refused(handoff, declined) == "InvalidAction"
    await handoff.execute_update(HandoffWorkflow.act, declined.model_copy(update={"note": "เต็ม รับได้เดือนหน้า"}))
    assert (await eventually(lambda: referral_rows(scene, case_no)))[-1] == (
        second.follow_up_number, "SHELTER", "DECLINED", "เต็ม รับได้เดือนหน้า")
    past = crisis_centre.model_copy(update={"due_at": await env.get_current_time() - HOUR})
    assert await refused(handoff, team_action(TeamActionKind.REFER, team.social_worker,
                                              referral=past)) == "InvalidAction"


async def test_the_case_worker_writes_to_a_reporter_who_agreed_silently_and_the_reply_comes_back(
        scene: Scene, team: Team) -> None:
    case_no, handoff = await started_handoff(scene)
    worker = hears(scene, team, team.social_worker)
    await worker.hears()  # the alert
    [question] = await scene.reporter.hears()
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.social_worker))
    message = team_action(TeamActionKind.MESSAGE_REPORTER, team.social_worker, note="สะดวกให้โทรหาช่วงไหนคะ")
    # Not before the reporter agreed: nothing is sent.
    assert await refused(handoff, message) == "InvalidAction"
    await scene.reporter.hears_nothing(within=0.3)

    [yes] = [a["data"] for a in actions_of(question)
             if a["type"] == "postback" and Postback.decode(a["data"]).code == "YES"]
    await scene.reporter.taps_postback(yes)
    await scene.reporter.hears(2)  # thanks, and someone will contact you
    assert await handoff.query(HandoffWorkflow.consent) == Consent.GIVEN
    outcome = await handoff.execute_update(HandoffWorkflow.act, message)
    assert outcome.delivered is True
    [relayed] = await scene.reporter.hears()
    assert text_of(relayed) == (f"เรื่อง {case_no}: ข้อความจากเจ้าหน้าที่ที่ดูแลท่าน\nสะดวกให้โทรหาช่วงไหนคะ"
                                "\n\nตอบกลับในแชตนี้ได้")
    push = [r for r in scene.platform.requests_to("push") if r.body.get("to") == scene.reporter.user_id][-1]
    assert push.body.get("notificationDisabled") is True  # silent: the abuser may be in the room
    [entry] = await eventually(lambda: scene.pool.fetch(
        "SELECT e.details FROM handoff_events e JOIN handoffs h USING (handoff_id)"
        " WHERE h.case_no = $1 AND e.kind = 'REPORTER_MESSAGED'", case_no))
    assert (entry["details"]["text"], entry["details"]["delivered"]) == ("สะดวกให้โทรหาช่วงไหนคะ", True)

    # LINE refuses the next one for good: the answer and the timeline say it did not arrive.
    scene.platform.fail_next("push", status=400)
    outcome = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.MESSAGE_REPORTER, team.social_worker, note="พรุ่งนี้จะโทรไปนะคะ"))
    assert outcome.delivered is False
    undelivered = await eventually(lambda: scene.pool.fetchval(
        "SELECT count(*) FROM handoff_events e JOIN handoffs h USING (handoff_id) WHERE h.case_no = $1"
        " AND e.kind = 'REPORTER_MESSAGED' AND NOT (e.details->>'delivered')::boolean", case_no))
    assert undelivered == 1
