"""The hand-off to the province's multidisciplinary team, on the time-skipping server with the real
activities: the team's time to accept with its reminders and escalation, accepting with one tap on
the alert, handing a case back, the care plan's reminders, the reporter's consent, and the hand-off
outliving its police case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError

from domain.handoff import (
    ApprovalSubject,
    CareOutcome,
    Consent,
    FollowUpKind,
    FollowUpPlan,
    HandoffStatus,
    TeamAction,
    TeamActionKind,
    TeamMember,
    TeamRole,
    handoff_id_of,
)
from domain.models import ActionKind, CaseStatus, OfficerAction
from domain.postbacks import Postback
from orchestration import search_attributes
from orchestration.ids import case_workflow_id, handoff_workflow_id
from tests.conversation import Citizen, actions_of, text_of
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually
from tests.workflows.handoff_team import LOW_RISK
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
# The team accepts within 24 hours: the service level migration 0006 sets (TEAM_ACCEPT).
ACCEPT_WITHIN = 24 * HOUR


@dataclass
class Team:
    coordinator: TeamMember
    social_worker: TeamMember
    office_head: TeamMember
    national: TeamMember
    stranger: TeamMember  # a coordinator in another province
    lines: dict[int, str]


@pytest.fixture
async def team(scene: Scene):
    province = scene.district["province_code"]
    pool, platform = scene.pool, scene.platform
    lines: dict[int, str] = {}
    members = []
    for role, where in ((TeamRole.COORDINATOR, province), (TeamRole.SOCIAL_WORKER, province),
                        (TeamRole.OFFICE_HEAD, province), (TeamRole.NATIONAL_DESK, None),
                        (TeamRole.COORDINATOR, "10" if province != "10" else "11")):
        member, line = await linked_team_member(pool, platform, role, where)
        lines[member.member_id] = line
        members.append(member)
    yield Team(*members, lines=lines)
    await let_go(pool, members)


def hears(scene: Scene, team: Team, member: TeamMember) -> Citizen:
    return scene.officer_hears(team.lines[member.member_id])


async def about(person: Citizen, case_no: str, count: int = 1) -> list[dict]:
    """The next messages that name this case (national desks also hear other tests' hand-offs)."""
    found: list[dict] = []
    while len(found) < count:
        found += [m for m in await person.hears() if case_no in text_of(m) + m.get("altText", "")]
    return found


def forward(scene: Scene) -> OfficerAction:
    return OfficerAction(kind=ActionKind.FORWARD, officer=scene.station_officer, note="ผู้เสียหายต้องการที่พักพิง")


def team_action(kind: TeamActionKind, member: TeamMember, **fields) -> TeamAction:
    return TeamAction(kind=kind, member=member, **fields)


async def forwarded_case(scene: Scene, attempt: int = 1) -> tuple[str, WorkflowHandle, WorkflowHandle]:
    case_no, case = await scene.open_case()
    await scene.officer_hears(scene.station_line).hears()  # the case's own alert
    await case.execute_update(CaseWorkflow.act, forward(scene))
    handoff = scene.client.get_workflow_handle(handoff_workflow_id(handoff_id_of(case_no, attempt)))
    await eventually(handoff.describe)
    return case_no, case, handoff


async def refusal(handoff: WorkflowHandle, action: TeamAction) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handoff.execute_update(HandoffWorkflow.act, action)
    return refused.value.cause.type


async def test_a_forwarded_case_starts_a_linked_handoff_its_provinces_team_hears(scene: Scene, team: Team) -> None:
    case_no, case, handoff = await forwarded_case(scene)

    description = await handoff.describe()
    assert description.parent_id == case_workflow_id(case_no)
    attributes = description.typed_search_attributes
    assert attributes.get(search_attributes.HANDOFF_STATUS) == "AWAITING"
    assert attributes.get(search_attributes.CASE_NO) == case_no
    assert attributes.get(search_attributes.PROVINCE) == scene.district["province_code"]

    for member in (team.coordinator, team.social_worker):
        [alert] = await hears(scene, team, member).hears()
        assert case_no in alert["altText"]
        assert "081" not in str(alert)  # no contact details in a team alert
    await hears(scene, team, team.office_head).hears_nothing(within=0.3)
    await hears(scene, team, team.stranger).hears_nothing(within=0.1)

    # The police case waits for the team's answer.
    assert await case.query(CaseWorkflow.status) == CaseStatus.FORWARDED
    assert (await case.describe()).status == WorkflowExecutionStatus.RUNNING
    row = await scene.pool.fetchrow("select * from handoffs where case_no = $1", case_no)
    assert row["status"] == "AWAITING" and row["consent"] == "ASKED" and row["attempt"] == 1
    assert row["accept_due_at"] - row["forwarded_at"] == ACCEPT_WITHIN


async def test_the_reporter_is_asked_once_and_only_an_agreeing_reporter_hears_of_the_care(
        scene: Scene, team: Team) -> None:
    case_no, _, handoff = await forwarded_case(scene)
    [question] = await scene.reporter.hears()
    answers = {Postback.decode(a["data"]).code: Postback.decode(a["data"])
               for a in actions_of(question) if a["type"] == "postback"}
    assert set(answers) == {"YES", "NO"}
    assert answers["YES"].handoff_id == handoff_id_of(case_no, 1)
    assert scene.reporter.last_entries[0].notification_disabled  # silent: someone may be watching

    # Someone else tapping the reporter's button changes nothing, and hears nothing back.
    stranger = Citizen(scene.platform, scene.reporter._send)
    await stranger.taps_postback(answers["YES"].encode())
    await stranger.hears_nothing(within=0.5)
    assert await handoff.query(HandoffWorkflow.consent) == Consent.ASKED
    await scene.reporter.taps_postback(answers["NO"].encode())
    [thanks] = await scene.reporter.hears()
    assert "จะไม่มีการติดต่อกลับ" in text_of(thanks)
    assert await eventually(lambda: _consent(handoff, Consent.REFUSED))
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.coordinator))
    await scene.reporter.hears_nothing(within=0.5)

    # Changing their mind: they hear that someone will contact them.
    await scene.reporter.taps_postback(answers["YES"].encode())
    said = [text_of(m) for m in await scene.reporter.hears(count=2)]
    assert any("ได้รับคำตอบแล้ว" in text for text in said)  # thanks for the yes
    assert any("จะติดต่อกลับ" in text and "ไม่มี" not in text for text in said)  # someone will contact them
    row = await eventually(lambda: scene.pool.fetchrow(
        "select consent from handoffs where case_no = $1 and consent = 'GIVEN'", case_no))
    assert row is not None


async def _consent(handoff: WorkflowHandle, expected: Consent) -> bool:
    return await handoff.query(HandoffWorkflow.consent) == expected


async def test_nobody_accepting_brings_reminders_then_the_office_head_then_the_national_desk(
        scene: Scene, team: Team) -> None:
    case_no, _, handoff = await forwarded_case(scene)
    coordinator = hears(scene, team, team.coordinator)
    head, national = hears(scene, team, team.office_head), hears(scene, team, team.national)
    await coordinator.hears()
    env = scene.env

    await env.sleep(ACCEPT_WITHIN / 2 - MINUTE)
    await coordinator.hears_nothing(within=0.3)
    await env.sleep(2 * MINUTE)
    [reminder] = await coordinator.hears()
    assert case_no in reminder["altText"]
    await env.sleep(ACCEPT_WITHIN / 4)
    await coordinator.hears()  # three quarters of the time gone
    await head.hears_nothing(within=0.1)

    await env.sleep(ACCEPT_WITHIN / 4)
    await about(head, case_no)
    await coordinator.hears()
    assert (await handoff.describe()).typed_search_attributes.get(search_attributes.ESCALATION_LEVEL) == 1
    await env.sleep(ACCEPT_WITHIN / 2)
    await about(national, case_no)
    row = await scene.pool.fetchrow("select escalation_level, status from handoffs where case_no = $1", case_no)
    assert (row["escalation_level"], row["status"]) == (2, "AWAITING")

    # Accepting stops the ladder: what the new case worker hears next is the first risk assessment
    # coming due (within a day of accepting), never the alert again.
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.coordinator))
    await env.sleep(ACCEPT_WITHIN)
    reminders = await coordinator.hears(2)
    assert [m["altText"] for m in reminders] == [f"ใกล้ถึงกำหนดประเมินความเสี่ยง: {case_no}",
                                                 f"เลยกำหนดประเมินความเสี่ยง: {case_no}"]
    await head.hears_nothing(within=0.3)


@pytest.mark.records_history("handoff_returned")
async def test_a_rejection_needs_a_reason_and_returns_the_case_to_its_station(scene: Scene, team: Team) -> None:
    case_no, case, handoff = await forwarded_case(scene)
    assert await refusal(handoff, team_action(TeamActionKind.REJECT, team.coordinator)) == "InvalidAction"

    outcome = await handoff.execute_update(
        HandoffWorkflow.act, team_action(TeamActionKind.REJECT, team.coordinator, note="ไม่ใช่เรื่องในอำนาจของทีม"))
    assert outcome.status == HandoffStatus.REJECTED
    assert await eventually(lambda: _has_ended(handoff))
    assert await handoff.query(HandoffWorkflow.status) == HandoffStatus.REJECTED
    assert await eventually(lambda: _case_is(case, CaseStatus.RETURNED))
    [_alert, notice] = await scene.officer_hears(scene.station_line).hears(count=2)
    assert case_no in text_of(notice) and "ไม่ใช่เรื่องในอำนาจของทีม" in text_of(notice)
    row = await eventually(lambda: scene.pool.fetchrow(
        "select status, closed_at from cases where case_no = $1 and status = 'RETURNED'", case_no))
    assert row["closed_at"] is None
    assert (await scene.pool.fetchval("select reject_reason from handoffs where case_no = $1", case_no)
            == "ไม่ใช่เรื่องในอำนาจของทีม")

    # Open again: the station may forward it once more, to a new hand-off.
    await case.execute_update(CaseWorkflow.act, forward(scene))
    second = scene.client.get_workflow_handle(handoff_workflow_id(handoff_id_of(case_no, 2)))
    assert await eventually(lambda: _handoff_is(second, HandoffStatus.AWAITING))


async def _has_ended(handle: WorkflowHandle) -> bool:
    return (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED


async def _case_is(case: WorkflowHandle, status: CaseStatus) -> bool:
    return await case.query(CaseWorkflow.status) == status


async def _handoff_is(handoff: WorkflowHandle, status: HandoffStatus) -> bool:
    return await handoff.query(HandoffWorkflow.status) == status


@pytest.mark.records_history("handoff_care")
async def test_the_care_plan_is_reminded_and_the_care_outlives_the_police_case(scene: Scene, team: Team) -> None:
    case_no, case, handoff = await forwarded_case(scene)
    env = scene.env
    worker = hears(scene, team, team.social_worker)
    await worker.hears()  # the hand-off's alert

    # A stranger's team may not take it; the coordinator names the social worker as case worker.
    assert await refusal(handoff, team_action(TeamActionKind.ACCEPT, team.stranger)) == "OutsideTeam"
    outcome = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ACCEPT, team.coordinator, case_worker_id=team.social_worker.member_id))
    assert (outcome.status, outcome.case_worker_id) == (HandoffStatus.IN_CARE, team.social_worker.member_id)
    [assigned] = await worker.hears()
    assert case_no in text_of(assigned) + assigned.get("altText", "")

    # The police part is over: the case ends handed over, the hand-off goes on. (Not `result()`: waiting
    # for a result lets the time-skipping server jump to the next timer of any workflow.)
    assert await eventually(lambda: _has_ended(case))
    assert await case.query(CaseWorkflow.status) == CaseStatus.HANDED_OVER
    assert (await handoff.describe()).status == WorkflowExecutionStatus.RUNNING

    # The first risk assessment (due within a day of accepting) is step 1 of the plan; assessing it plans
    # the next review, a month away at a low level.
    now = await env.get_current_time()
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=LOW_RISK))
    planned = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.PLAN, team.social_worker,
        follow_up=FollowUpPlan(kind=FollowUpKind.HOME_VISIT, due_at=now + 72 * HOUR, note="เยี่ยมบ้านพร้อม อสม.")))
    assert planned.follow_up_number == 3
    assert await refusal(handoff, team_action(TeamActionKind.PLAN, team.social_worker, follow_up=FollowUpPlan(
        kind=FollowUpKind.CALL, due_at=now - HOUR))) == "InvalidAction"

    await env.sleep(48 * HOUR - 10 * MINUTE)
    await worker.hears_nothing(within=0.3)
    await env.sleep(20 * MINUTE)
    [due_soon] = await worker.hears()
    await env.sleep(24 * HOUR)
    [overdue] = await worker.hears()
    assert text_of(due_soon) != text_of(overdue)
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.RECORD, team.social_worker, follow_up_number=3, note="ผู้เสียหายปลอดภัย อยู่กับญาติ"))
    assert await refusal(handoff, team_action(
        TeamActionKind.RECORD, team.social_worker, follow_up_number=3, note="ซ้ำ")) == "InvalidAction"

    # The case worker's closing waits for the office head, who approves it from LINE or the back office.
    assert await refusal(handoff, team_action(TeamActionKind.CLOSE, team.social_worker, note="จบ")) == "InvalidAction"
    asked = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.CLOSE, team.social_worker, outcome=CareOutcome.SAFE_WITH_FAMILY, note="ย้ายไปอยู่กับญาติ"))
    assert (asked.status, asked.awaiting_approval) == (HandoffStatus.IN_CARE, True)
    [request] = await about(hears(scene, team, team.office_head), case_no)
    assert request["altText"] == f"ขออนุมัติการปิดการดูแล: {case_no}"
    closed = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.APPROVE, team.office_head, subject=ApprovalSubject.CLOSURE))
    assert (closed.status, closed.awaiting_approval) == (HandoffStatus.CLOSED, False)
    [approved] = await worker.hears()
    assert approved["altText"] == f"หัวหน้าอนุมัติการปิดการดูแลแล้ว: {case_no}"
    assert await eventually(lambda: _has_ended(handoff))
    assert await handoff.query(HandoffWorkflow.status) == HandoffStatus.CLOSED

    # The police see how the care ended, on their own case.
    event = await eventually(lambda: scene.pool.fetchrow(
        "select details from case_events where case_no = $1 and kind = 'CARE_CLOSED'", case_no))
    assert (event["details"]["outcome"], event["details"]["note"]) == ("SAFE_WITH_FAMILY", "ย้ายไปอยู่กับญาติ")
    row = await scene.pool.fetchrow(
        "select status, care_outcome, case_worker_id, risk_level from handoffs where case_no = $1", case_no)
    assert (row["status"], row["care_outcome"], row["case_worker_id"], row["risk_level"]) == (
        "CLOSED", "SAFE_WITH_FAMILY", team.social_worker.member_id, "LOW")
    plan = await scene.pool.fetch("select number, kind, status, outcome from follow_ups where handoff_id = $1"
                                  " order by number", handoff_id_of(case_no, 1))
    assert [tuple(f) for f in plan] == [
        (1, "RISK_REVIEW", "DONE", LOW_RISK.reason), (2, "RISK_REVIEW", "CANCELLED", None),
        (3, "HOME_VISIT", "DONE", "ผู้เสียหายปลอดภัย อยู่กับญาติ")]

    # The team's own timeline keeps the details the back office has always read.
    coordinator, worker_id = team.coordinator.member_id, team.social_worker.member_id
    head_id = team.office_head.member_id
    entries = await scene.pool.fetch(
        "select kind, actor, details from handoff_events where handoff_id = $1 order by at, id",
        handoff_id_of(case_no, 1))
    # (The alert's entry is written once LINE took the alerts: it may come after the acceptance.)
    [alerted] = [e["details"] for e in entries if e["kind"] == "ALERTED"]
    assert (alerted.keys(), alerted["level"], alerted["reminder"], alerted["audiences"]) == (
        {"level", "reminder", "audiences", "member_ids"}, 0, False, ["TEAM"])
    assert worker_id in alerted["member_ids"]
    entries = [e for e in entries if e["kind"] != "ALERTED"]
    assert [e["kind"] for e in entries] == ["OPENED", "ACCEPTED", "PLANNED", "RISK_ASSESSED", "RECORDED", "PLANNED",
                                           "PLANNED", "FOLLOW_UP_REMINDED", "FOLLOW_UP_REMINDED", "RECORDED",
                                           "APPROVAL_REQUESTED", "APPROVED", "CLOSED"]
    assert [(e["actor"], e["details"]) for e in entries[6:]] == [
        (f"member:{worker_id}", {"member_id": worker_id, "number": 3, "kind": "HOME_VISIT",
                                 "due_at": (now + 72 * HOUR).isoformat(), "note": "เยี่ยมบ้านพร้อม อสม."}),
        ("system", {"number": 3, "what": "due_soon", "member_ids": [worker_id]}),
        ("system", {"number": 3, "what": "overdue", "member_ids": [worker_id]}),
        (f"member:{worker_id}", {"member_id": worker_id, "number": 3, "outcome": "ผู้เสียหายปลอดภัย อยู่กับญาติ"}),
        (f"member:{worker_id}", {"member_id": worker_id, "subject": "CLOSURE", "outcome": "SAFE_WITH_FAMILY",
                                 "note": "ย้ายไปอยู่กับญาติ", "member_ids": [head_id]}),
        (f"member:{head_id}", {"member_id": head_id, "subject": "CLOSURE", "requested_by": worker_id}),
        (f"member:{head_id}", {"member_id": worker_id, "outcome": "SAFE_WITH_FAMILY", "note": "ย้ายไปอยู่กับญาติ"}),
    ]
    assert entries[1]["details"] == {"member_id": coordinator, "case_worker_id": worker_id}


async def test_the_national_desk_may_act_for_any_province_but_names_a_local_case_worker(
        scene: Scene, team: Team) -> None:
    _, _, handoff = await forwarded_case(scene)
    assert await refusal(handoff, team_action(TeamActionKind.ACCEPT, team.national)) == "InvalidAction"
    assert await refusal(handoff, team_action(
        TeamActionKind.ACCEPT, team.national, case_worker_id=team.stranger.member_id)) == "InvalidAction"
    outcome = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ACCEPT, team.national, case_worker_id=team.coordinator.member_id))
    assert outcome.case_worker_id == team.coordinator.member_id


def accept_button(alert: dict) -> str:
    """The postback data of the alert's accept button."""
    [accept] = [action for action in actions_of(alert) if action["type"] == "postback"]
    return accept["data"]


async def _acceptances(scene: Scene, case_no: str) -> list:
    return await scene.pool.fetch(
        "select actor, details from handoff_events where handoff_id = $1 and kind = 'ACCEPTED'",
        handoff_id_of(case_no, 1))


@pytest.mark.records_history("handoff_tap")
async def test_a_member_accepts_with_one_tap_on_the_alert_and_later_taps_change_nothing(
    scene: Scene, team: Team,
) -> None:
    case_no, case, handoff = await forwarded_case(scene)
    coordinator, worker = hears(scene, team, team.coordinator), hears(scene, team, team.social_worker)
    [alert] = await coordinator.hears()
    [worker_alert] = await worker.hears()

    await coordinator.taps_postback(accept_button(alert))
    [confirmation] = await coordinator.hears()
    assert case_no in text_of(confirmation) and "ท่านเป็นผู้ดูแลเรื่องนี้" in text_of(confirmation)
    assert await eventually(lambda: _handoff_is(handoff, HandoffStatus.IN_CARE))
    # As if accepted in the back office with themselves as case worker: the police case hears it and
    # is done, the timeline names the member.
    member = team.coordinator.member_id
    row = await eventually(lambda: scene.pool.fetchrow(
        "select accepted_by, case_worker_id from handoffs where case_no = $1 and status = 'IN_CARE'", case_no))
    assert (row["accepted_by"], row["case_worker_id"]) == (member, member)
    [accepted] = await _acceptances(scene, case_no)
    assert (accepted["actor"], accepted["details"]["case_worker_id"]) == (f"member:{member}", member)
    police = await eventually(lambda: scene.pool.fetchrow(
        "select actor from case_events where case_no = $1 and kind = 'HANDOFF_ACCEPTED'", case_no))
    assert police["actor"] == f"member:{member}"
    assert await eventually(lambda: _has_ended(case))
    await coordinator.hears_nothing(within=0.5)  # one confirmation, no "you are the case worker" card too

    # Tapped again, by another member of the team, or by the national desk: already accepted, and
    # nothing moves.
    await coordinator.taps_postback(accept_button(alert))
    [again] = await coordinator.hears()
    await worker.taps_postback(accept_button(worker_alert))
    [late] = await worker.hears()
    national = hears(scene, team, team.national)
    await national.taps_postback(accept_button(alert))
    [desk] = await about(national, case_no)
    for answer in (again, late, desk):
        assert "ทีมรับเรื่องนี้แล้ว" in text_of(answer) and "IN_CARE" not in text_of(answer)
    assert len(await _acceptances(scene, case_no)) == 1
    row = await scene.pool.fetchrow("select accepted_by, case_worker_id from handoffs where case_no = $1", case_no)
    assert (row["accepted_by"], row["case_worker_id"]) == (member, member)
    await worker.hears_nothing(within=0.3)


async def test_a_tap_from_outside_the_provinces_team_is_answered_and_changes_nothing(
    scene: Scene, team: Team,
) -> None:
    case_no, _, handoff = await forwarded_case(scene)
    [alert] = await hears(scene, team, team.coordinator).hears()
    data = accept_button(alert)

    # Someone on LINE but on no team (a forwarded alert): told so, and nothing about the case.
    outsider = Citizen(scene.platform, scene.reporter._send)
    await outsider.taps_postback(data)
    [not_a_member] = await outsider.hears()
    assert "ไม่ได้อยู่ในทีมสหวิชาชีพ" in text_of(not_a_member) and case_no not in text_of(not_a_member)

    # Another province's member: the refusal's reason.
    elsewhere = hears(scene, team, team.stranger)
    await elsewhere.taps_postback(data)
    [refused] = await about(elsewhere, case_no)
    assert "เรื่องนี้เป็นของทีมจังหวัดอื่น" in text_of(refused)

    # The national desk must name one of the province's team as case worker: in the back office.
    national = hears(scene, team, team.national)
    await national.taps_postback(data)
    [back_office] = await about(national, case_no)
    page = (scene.settings.public_url.rstrip("/")  # through LINE Login, to the hand-off page
            + f"/office/line-login?next=/office/handoffs/{handoff_id_of(case_no, 1)}")
    assert page in text_of(back_office) and "ระบบหลังบ้าน" in text_of(back_office)

    assert await handoff.query(HandoffWorkflow.status) == HandoffStatus.AWAITING
    assert await _acceptances(scene, case_no) == []
    row = await scene.pool.fetchrow("select status, accepted_by from handoffs where case_no = $1", case_no)
    assert (row["status"], row["accepted_by"]) == ("AWAITING", None)
    # Still the team's to take.
    outcome = await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.coordinator))
    assert outcome.status == HandoffStatus.IN_CARE
