"""A hand-off's care runs for months: its history stays bounded by continuing as new with its whole
state, a signal and an update racing the hand-over are neither lost nor applied twice, the care plan's
reminders still come at their times in the new run. The team's decision carries a key the case
de-duplicates by, and what the reporter writes to the team is kept and, with consent, relayed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle

from domain.handoff import (
    ApprovalSubject,
    CareOutcome,
    Consent,
    FollowUpKind,
    FollowUpPlan,
    FollowUpStatus,
    HandoffDecision,
    HandoffStatus,
    TeamActionKind,
    handoff_id_of,
)
from domain.postbacks import Postback
from tests.conversation import actions_of, text_of
from tests.scene import Scene
from tests.waiting import eventually
from tests.workflows.handoff_team import (
    LOW_RISK,
    Team,
    consent_tap,
    forwarded_case,
    hears,
    reporter_wrote,
    started_handoff,
    team,
    team_action,
)
from workflows.handoff import HandoffWorkflow

__all__ = ["team"]  # the fixture

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
# Low enough to hand over after a few follow-ups, high enough for the first run's own events.
BUDGET = 150


async def _history_length(handle: WorkflowHandle) -> int:
    return (await handle.describe()).raw_description.workflow_execution_info.history_length


async def _run_id(handle: WorkflowHandle) -> str:
    return (await handle.describe()).run_id or ""


async def _timeline(scene: Scene, handoff_id: str, kind: str) -> list:
    return await scene.pool.fetch(
        "select event_key, actor, details from handoff_events where handoff_id = $1 and kind = $2 order by at, id",
        handoff_id, kind)


async def _consent_answer(scene: Scene, code: str) -> str:
    """The data of the reporter's yes or no button on the consent question."""
    [question] = await scene.reporter.hears()
    [data] = [a["data"] for a in actions_of(question)
              if a["type"] == "postback" and Postback.decode(a["data"]).code == code]
    return data


async def test_a_long_care_continues_as_new_with_a_signal_and_an_update_racing_the_hand_over(
        scene: Scene, team: Team) -> None:
    case_no, handoff = await started_handoff(scene, history_budget=BUDGET)
    handoff_id = handoff_id_of(case_no, 1)
    env = scene.env
    worker = hears(scene, team, team.social_worker)
    await worker.hears()  # the alert
    yes = await _consent_answer(scene, "YES")
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ACCEPT, team.coordinator, case_worker_id=team.social_worker.member_id))
    await worker.hears()  # you are the case worker
    first_run = await _run_id(handoff)
    start = await env.get_current_time()
    # The first risk assessment (follow-up 1) at once: the next review (2) is a month away.
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=LOW_RISK))

    # A call due in a day and a half, reminded in this run (18 hours before it is due).
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.PLAN, team.social_worker,
        follow_up=FollowUpPlan(kind=FollowUpKind.CALL, due_at=start + 36 * HOUR, note="โทรถามอาการ")))
    await env.sleep(19 * HOUR)
    [due_soon] = await worker.hears()
    assert due_soon["altText"].startswith("ใกล้ถึงกำหนดติดตาม ครั้งที่ 3:")
    now = await env.get_current_time()

    # Follow-ups due days apart, until the run is close to its budget.
    planned = 3
    while await _history_length(handoff) < BUDGET - 25:
        planned += 1
        outcome = await handoff.execute_update(HandoffWorkflow.act, team_action(
            TeamActionKind.PLAN, team.social_worker,
            follow_up=FollowUpPlan(kind=FollowUpKind.CALL, due_at=start + (planned + 1) * DAY, note=f"โทร {planned}")))
        assert outcome.follow_up_number == planned
    assert await _run_id(handoff) == first_run

    # Racing the hand-over: two more actions, the reporter's yes and a message from them, all at once.
    racing = await asyncio.gather(
        handoff.execute_update(HandoffWorkflow.act, team_action(
            TeamActionKind.PLAN, team.social_worker,
            follow_up=FollowUpPlan(kind=FollowUpKind.HOME_VISIT, due_at=now + 2 * DAY, note="เยี่ยมบ้าน"))),
        handoff.signal(HandoffWorkflow.reporter_consent, consent_tap(scene.reporter.user_id, yes)),
        handoff.execute_update(HandoffWorkflow.act, team_action(
            TeamActionKind.RECORD, team.social_worker, follow_up_number=4, note="โทรแล้ว ปลอดภัย")),
        handoff.signal(HandoffWorkflow.reporter_message, reporter_wrote("ขอบคุณที่ช่วยค่ะ")),
        *(handoff.execute_update(HandoffWorkflow.act, team_action(
            TeamActionKind.ADD_NOTE, team.coordinator, note=f"บันทึก {n}")) for n in range(3)),
    )
    home_visit = racing[0].follow_up_number
    assert home_visit == planned + 1
    assert racing[2].status == HandoffStatus.IN_CARE

    # A new run took over, with everything.
    assert await eventually(lambda: _continued(handoff, first_run))
    assert (await handoff.describe()).status == WorkflowExecutionStatus.RUNNING
    plan = await handoff.query(HandoffWorkflow.care_plan)
    assert [f.number for f in plan] == list(range(1, planned + 2))
    assert [f.status for f in plan] == ([FollowUpStatus.DONE, FollowUpStatus.PLANNED, FollowUpStatus.PLANNED,
                                         FollowUpStatus.DONE] + [FollowUpStatus.PLANNED] * (planned - 3))
    assert plan[3].outcome == "โทรแล้ว ปลอดภัย" and plan[-1].kind == FollowUpKind.HOME_VISIT
    assert await handoff.query(HandoffWorkflow.status) == HandoffStatus.IN_CARE
    assert await eventually(lambda: _consent_is(handoff, Consent.GIVEN))
    [message] = await eventually(lambda: _timeline(scene, handoff_id, "REPORTER_MESSAGE"))
    assert message["details"]["text"] == "ขอบคุณที่ช่วยค่ะ"
    if message["details"]["member_ids"]:  # heard after the yes (the two raced): relayed to the case worker
        [relayed] = await worker.hears()
        assert "ขอบคุณที่ช่วยค่ะ" in text_of(relayed)
    notes = await eventually(lambda: _count(scene, handoff_id, "NOTE", 3))
    assert sorted(n["details"]["note"] for n in notes) == ["บันทึก 0", "บันทึก 1", "บันทึก 2"]
    # Every entry under a key of its own, across the runs: none was dropped as a "retry".
    assert len(await _timeline(scene, handoff_id, "PLANNED")) == planned + 1
    assert await scene.pool.fetchval("select count(*) from follow_ups where handoff_id = $1", handoff_id) == planned + 1

    # The reminders resume at their times, none of them twice: the first call's when it is overdue (its
    # first reminder went out in the first run), the home visit's a day before it is due and when it is,
    # then the next call still planned (the second was done).
    await env.sleep(start + 37 * HOUR - await env.get_current_time())
    [overdue] = await worker.hears()
    assert overdue["altText"].startswith("เลยกำหนดติดตาม ครั้งที่ 3:")
    await env.sleep(now + DAY + HOUR - await env.get_current_time())
    [due_soon] = await worker.hears()
    assert due_soon["altText"].startswith(f"ใกล้ถึงกำหนดติดตาม ครั้งที่ {home_visit}:")
    await env.sleep(DAY)
    [overdue] = await worker.hears()
    assert overdue["altText"].startswith(f"เลยกำหนดติดตาม ครั้งที่ {home_visit}:")
    await env.sleep(start + 5 * DAY + HOUR - await env.get_current_time())
    [call] = await worker.hears()
    assert call["altText"].startswith("ใกล้ถึงกำหนดติดตาม ครั้งที่ 5:")
    await worker.hears_nothing(within=0.3)
    reminders = await eventually(lambda: _count(scene, handoff_id, "FOLLOW_UP_REMINDED", 5))
    assert [(r["details"]["number"], r["details"]["what"]) for r in reminders] == [
        (3, "due_soon"), (3, "overdue"), (home_visit, "due_soon"), (home_visit, "overdue"), (5, "due_soon")]

    # The care closes in the last run, as it would in the first: asked by the case worker, approved by
    # the office head.
    asked = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.CLOSE, team.social_worker, outcome=CareOutcome.SAFE_WITH_FAMILY, note="ปลอดภัยแล้ว"))
    assert asked.awaiting_approval
    closed = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.APPROVE, team.office_head, subject=ApprovalSubject.CLOSURE))
    assert closed.status == HandoffStatus.CLOSED
    assert await handoff.result() == HandoffStatus.CLOSED
    row = await scene.pool.fetchrow("select status, consent from handoffs where handoff_id = $1", handoff_id)
    assert (row["status"], row["consent"]) == ("CLOSED", "GIVEN")


async def test_a_handoff_awaiting_the_team_continues_as_new_and_its_ladder_goes_on_at_the_same_times(
        scene: Scene, team: Team) -> None:
    case_no, handoff = await started_handoff(scene, history_budget=BUDGET)
    handoff_id = handoff_id_of(case_no, 1)
    coordinator = hears(scene, team, team.coordinator)
    [alert] = await coordinator.hears()
    first_run = await _run_id(handoff)
    start = await env_now(scene)

    # The reporter writes and writes before anyone accepts: kept, and the history passes its budget.
    sent = 0
    while await _run_id(handoff) == first_run:
        sent += 1
        await handoff.signal(HandoffWorkflow.reporter_message, reporter_wrote(f"ข้อความ {sent}"))
        await eventually(lambda sent=sent: _count(scene, handoff_id, "REPORTER_MESSAGE", sent))  # this run or the next
        assert sent < 100, "never continued as new"
    entries = await eventually(lambda: _count(scene, handoff_id, "REPORTER_MESSAGE", sent))
    assert sorted(e["details"]["text"] for e in entries) == sorted(f"ข้อความ {n}" for n in range(1, sent + 1))
    assert await handoff.query(HandoffWorkflow.status) == HandoffStatus.AWAITING

    # The new run alerts nobody again; the reminder comes at half the time to accept, as it would have.
    await coordinator.hears_nothing(within=0.3)
    await scene.env.sleep(start + 12 * HOUR - MINUTE - await env_now(scene))
    await coordinator.hears_nothing(within=0.3)
    await scene.env.sleep(2 * MINUTE)
    [reminder] = await coordinator.hears()
    assert reminder["altText"] != alert["altText"] and case_no in reminder["altText"]
    assert [len(await _timeline(scene, handoff_id, kind)) for kind in ("ALERTED", "REMINDED")] == [1, 1]

    accepted = await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.coordinator))
    assert accepted.status == HandoffStatus.IN_CARE


async def env_now(scene: Scene):
    return await scene.env.get_current_time()


async def _continued(handle: WorkflowHandle, first_run: str) -> bool:
    return await _run_id(handle) != first_run


async def _consent_is(handle: WorkflowHandle, consent: Consent) -> bool:
    return await handle.query(HandoffWorkflow.consent) == consent


async def _count(scene: Scene, handoff_id: str, kind: str, count: int) -> list:
    entries = await _timeline(scene, handoff_id, kind)
    return entries if len(entries) >= count else []


async def _decisions(scene: Scene, case: WorkflowHandle) -> list[HandoffDecision]:
    decisions = []
    async for event in case.fetch_history_events():
        if (event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
                and event.workflow_execution_signaled_event_attributes.signal_name == "handoff_decided"):
            [decision] = await scene.client.data_converter.decode(
                event.workflow_execution_signaled_event_attributes.input.payloads, [HandoffDecision])
            decisions.append(decision)
    return decisions


async def test_the_teams_decision_carries_a_key_the_case_hears_it_once_by(scene: Scene, team: Team) -> None:
    case_no, case, handoff = await forwarded_case(scene)
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.coordinator))
    [decision] = await eventually(lambda: _decisions(scene, case))
    assert decision.accepted and decision.decision_id == f"{handoff_id_of(case_no, 1)}:accepted"


async def test_a_handed_back_decision_has_a_key_of_its_own(scene: Scene, team: Team) -> None:
    case_no, case, handoff = await forwarded_case(scene)
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.REJECT, team.coordinator, note="ไม่ใช่เรื่องในอำนาจของทีม"))
    [decision] = await eventually(lambda: _decisions(scene, case))
    assert not decision.accepted and decision.decision_id == f"{handoff_id_of(case_no, 1)}:rejected"


async def test_the_reporters_message_reaches_the_case_worker_only_after_acceptance_and_with_consent(
        scene: Scene, team: Team) -> None:
    case_no, _, handoff = await forwarded_case(scene)
    handoff_id = handoff_id_of(case_no, 1)
    worker, coordinator = hears(scene, team, team.social_worker), hears(scene, team, team.coordinator)
    await worker.hears()
    await coordinator.hears()
    yes = await _consent_answer(scene, "YES")
    await scene.reporter.taps_postback(yes)
    await scene.reporter.hears()  # thanks
    assert await eventually(lambda: _consent_is(handoff, Consent.GIVEN))

    # Before the team accepts: kept, told to nobody.
    await handoff.signal(HandoffWorkflow.reporter_message, reporter_wrote("ยังรออยู่ค่ะ"))
    [waiting] = await eventually(lambda: _timeline(scene, handoff_id, "REPORTER_MESSAGE"))
    assert (waiting["actor"], waiting["details"]["text"], waiting["details"]["member_ids"]) == (
        "reporter", "ยังรออยู่ค่ะ", [])
    await worker.hears_nothing(within=0.3)

    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ACCEPT, team.coordinator, case_worker_id=team.social_worker.member_id))
    await worker.hears()  # you are the case worker
    await scene.reporter.hears()  # someone will contact you

    # After: to the case worker, with sound, once however often LINE redelivers it.
    message = reporter_wrote("ตอนนี้อยู่บ้านป้าค่ะ")
    await handoff.signal(HandoffWorkflow.reporter_message, message)
    await handoff.signal(HandoffWorkflow.reporter_message, message)
    [relayed] = await worker.hears()
    assert case_no in text_of(relayed) and "ตอนนี้อยู่บ้านป้าค่ะ" in text_of(relayed)
    assert "081" not in text_of(relayed)  # no phone number in a team member's chat
    assert not worker.last_entries[0].notification_disabled
    entries = await eventually(lambda: _count(scene, handoff_id, "REPORTER_MESSAGE", 2))
    assert [e["details"]["member_ids"] for e in entries] == [[], [team.social_worker.member_id]]
    await worker.hears_nothing(within=0.5)
    await coordinator.hears_nothing(within=0.1)
    assert len(await _timeline(scene, handoff_id, "REPORTER_MESSAGE")) == 2


async def test_without_consent_the_reporters_message_is_kept_and_told_to_nobody(scene: Scene, team: Team) -> None:
    case_no, _, handoff = await forwarded_case(scene)
    handoff_id = handoff_id_of(case_no, 1)
    worker = hears(scene, team, team.social_worker)
    await worker.hears()
    no = await _consent_answer(scene, "NO")
    await scene.reporter.taps_postback(no)
    await scene.reporter.hears()
    assert await eventually(lambda: _consent_is(handoff, Consent.REFUSED))
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ACCEPT, team.coordinator, case_worker_id=team.social_worker.member_id))
    await worker.hears()

    await handoff.signal(HandoffWorkflow.reporter_message, reporter_wrote("ขอบคุณค่ะ"))
    [kept] = await eventually(lambda: _timeline(scene, handoff_id, "REPORTER_MESSAGE"))
    assert (kept["details"]["text"], kept["details"]["member_ids"]) == ("ขอบคุณค่ะ", [])
    await worker.hears_nothing(within=0.5)
