"""A care moved to another province's team (issue 17), on the time-skipping server with the real
activities: the person helped moved, so the team offers the care to the province they moved to; that
team accepts within the same time as a new hand-off (reminded at half and three quarters of it, then its
office head hears), naming its case worker, and the hand-off is then that province's, its history with
it; or it declines with the reason and the care stays where it was."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.handoff import FollowUpKind, FollowUpPlan, TeamAction, TeamActionKind, TeamMember, TeamRole
from tests.conversation import Citizen
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually
from tests.workflows.handoff_team import LOW_RISK, Team, forwarded_case, hears, started_handoff, team, team_action
from workflows.handoff import HandoffWorkflow

__all__ = ["team"]  # the fixture

HOUR, MINUTE = timedelta(hours=1), timedelta(minutes=1)
ACCEPT_WITHIN = 24 * HOUR  # the service level migration 0006 sets (TEAM_ACCEPT)


@dataclass
class OtherTeam:
    province_code: str
    coordinator: TeamMember
    office_head: TeamMember
    lines: dict[int, str]


@pytest.fixture
async def moved_to(scene: Scene) -> AsyncIterator[OtherTeam]:
    """The team of the province the person helped moved to."""
    province = await scene.pool.fetchval("SELECT code FROM provinces WHERE code <> $1 ORDER BY code DESC LIMIT 1",
                                         scene.district["province_code"])
    lines: dict[int, str] = {}
    members = []
    for role in (TeamRole.COORDINATOR, TeamRole.OFFICE_HEAD):
        member, line = await linked_team_member(scene.pool, scene.platform, role, province)
        assert line is not None
        lines[member.member_id] = line
        members.append(member)
    yield OtherTeam(province, *members, lines=lines)
    await let_go(scene.pool, members)


async def refused(handoff: WorkflowHandle, action: TeamAction) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refusal:
        await handoff.execute_update(HandoffWorkflow.act, action)
    return refusal.value.cause.type


async def in_care_with(scene: Scene, team: Team, for_real: bool = False) -> tuple[str, WorkflowHandle, Citizen]:
    """A hand-off the social worker accepted, and what the social worker hears next; `for_real`, forwarded
    by a running case (whose histories may be recorded)."""
    if for_real:
        case_no, _case, handoff = await forwarded_case(scene)
    else:
        case_no, handoff = await started_handoff(scene)
    worker = hears(scene, team, team.social_worker)
    await worker.hears()  # the alert
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.social_worker))
    await handoff.execute_update(HandoffWorkflow.act, team_action(  # its next review a month away
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=LOW_RISK))
    return case_no, handoff, worker


@pytest.mark.records_history("transfer")
async def test_the_receiving_team_accepts_within_the_same_time_and_the_care_and_its_history_move_with_it(
        scene: Scene, team: Team, moved_to: OtherTeam) -> None:
    case_no, handoff, worker = await in_care_with(scene, team, for_real=True)
    env = scene.env
    handoff_id = f"{case_no}-1"
    coordinator = scene.officer_hears(moved_to.lines[moved_to.coordinator.member_id])
    head = scene.officer_hears(moved_to.lines[moved_to.office_head.member_id])
    entries_before = await scene.pool.fetchval("SELECT count(*) FROM handoff_events WHERE handoff_id = $1", handoff_id)

    transfer = team_action(TeamActionKind.TRANSFER, team.social_worker, to_province_code=moved_to.province_code,
                           note="ย้ายไปอยู่กับป้าที่จังหวัดปลายทาง")
    assert await refused(handoff, transfer.model_copy(update={"note": None})) == "InvalidAction"  # why, always
    await handoff.execute_update(HandoffWorkflow.act, transfer)
    [offer] = await coordinator.hears()
    assert offer["altText"] == f"ขอโอนการดูแลจากจังหวัดอื่น: {case_no}"
    assert "ย้ายไปอยู่กับป้าที่จังหวัดปลายทาง" in str(offer["contents"]["body"])
    assert await refused(handoff, transfer) == "InvalidAction"  # one offer at a time
    # Until it is accepted the care is this team's: the receiving team may not act on it as theirs.
    plan = team_action(TeamActionKind.PLAN, moved_to.coordinator, follow_up=FollowUpPlan(
        kind=FollowUpKind.CALL, due_at=await env.get_current_time() + 2 * HOUR))
    assert await refused(handoff, plan) == "OutsideTeam"
    # Another province's team may not answer an offer made to this one.
    assert await refused(handoff, team_action(TeamActionKind.ACCEPT_TRANSFER, team.coordinator)) == "OutsideTeam"

    # The same ladder as a new hand-off: reminded at half and three quarters, then the office head.
    await env.sleep(ACCEPT_WITHIN / 2 + MINUTE)
    [reminder] = await coordinator.hears()
    assert reminder["altText"] == f"เตือน: ยังไม่มีผู้รับโอนการดูแล: {case_no}"
    await env.sleep(ACCEPT_WITHIN / 4)
    await coordinator.hears()
    await head.hears_nothing(within=0.3)
    await env.sleep(ACCEPT_WITHIN / 4)
    [late] = await head.hears()
    assert late["altText"] == f"ครบเวลารับโอนแล้ว (ขั้นที่ 1): {case_no}"

    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT_TRANSFER, moved_to.coordinator))
    [taken] = await worker.hears()
    assert taken["altText"] == f"ทีมจังหวัดปลายทางรับโอนการดูแลแล้ว: {case_no}"
    row = await eventually(lambda: scene.pool.fetchrow(
        "SELECT province_code, case_worker_id FROM handoffs WHERE handoff_id = $1 AND province_code = $2",
        handoff_id, moved_to.province_code))
    assert row["case_worker_id"] == moved_to.coordinator.member_id
    answer = await scene.pool.fetchrow("SELECT answer, answered_by FROM handoff_transfers WHERE handoff_id = $1",
                                       handoff_id)
    assert tuple(answer) == ("ACCEPTED", moved_to.coordinator.member_id)
    # The care is the new team's now, its history with it; the old team no longer acts on it.
    later = plan.follow_up.model_copy(update={"due_at": await env.get_current_time() + 2 * HOUR})
    await handoff.execute_update(HandoffWorkflow.act, plan.model_copy(update={"follow_up": later}))
    assert await refused(handoff, team_action(TeamActionKind.ADD_NOTE, team.social_worker, note="x")) == "OutsideTeam"
    entries_after = await scene.pool.fetchval("SELECT count(*) FROM handoff_events WHERE handoff_id = $1", handoff_id)
    assert entries_after > entries_before
    kinds = [row["kind"] for row in await scene.pool.fetch(
        "SELECT kind FROM handoff_events WHERE handoff_id = $1 ORDER BY at, id", handoff_id)]
    assert kinds.index("ACCEPTED") < kinds.index("TRANSFER_REQUESTED")  # the care's history, from the start
    assert kinds.count("TRANSFER_ALERTED") == 4 and "TRANSFER_ACCEPTED" in kinds
    await env.sleep(ACCEPT_WITHIN)  # no more ladder once accepted
    await head.hears_nothing(within=0.3)


async def test_the_receiving_team_may_decline_with_the_reason_and_the_care_stays(
        scene: Scene, team: Team, moved_to: OtherTeam) -> None:
    case_no, handoff, worker = await in_care_with(scene, team)
    coordinator = scene.officer_hears(moved_to.lines[moved_to.coordinator.member_id])
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.TRANSFER, team.social_worker, to_province_code=moved_to.province_code, note="ย้ายไปทำงาน"))
    await coordinator.hears()
    decline = team_action(TeamActionKind.DECLINE_TRANSFER, moved_to.coordinator)
    assert await refused(handoff, decline) == "InvalidAction"  # the reason is needed
    await handoff.execute_update(HandoffWorkflow.act, decline.model_copy(update={"note": "ที่อยู่ใหม่อยู่นอกจังหวัดเรา"}))
    [declined] = await worker.hears()
    assert declined["altText"] == f"ทีมจังหวัดปลายทางไม่รับโอน: {case_no}"
    assert "ที่อยู่ใหม่อยู่นอกจังหวัดเรา" in str(declined["contents"]["body"])
    assert await scene.pool.fetchval("SELECT province_code FROM handoffs WHERE case_no = $1",
                                     case_no) == scene.district["province_code"]
    assert await refused(handoff, team_action(TeamActionKind.ACCEPT_TRANSFER, moved_to.coordinator)) == "InvalidAction"
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ADD_NOTE, team.social_worker,
                                                                  note="ยังดูแลต่อ"))


async def test_an_offer_outlives_a_continue_as_new_and_its_reminders_go_on_at_the_same_times(
        scene: Scene, team: Team, moved_to: OtherTeam) -> None:
    case_no, handoff = await started_handoff(scene, history_budget=120)
    env = scene.env
    await hears(scene, team, team.social_worker).hears()  # the alert
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.social_worker))
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ASSESS_RISK, team.social_worker, risk=LOW_RISK))
    coordinator = scene.officer_hears(moved_to.lines[moved_to.coordinator.member_id])
    await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.TRANSFER, team.social_worker, to_province_code=moved_to.province_code, note="ย้ายบ้าน"))
    await coordinator.hears()
    first_run = (await handoff.describe()).run_id
    notes = 0
    while (await handoff.describe()).run_id == first_run:  # notes until the run hands over to a new one
        notes += 1
        assert notes < 100, "the hand-off never continued as new"
        await handoff.execute_update(HandoffWorkflow.act, team_action(
            TeamActionKind.ADD_NOTE, team.social_worker, note=f"บันทึก {notes}"))

    await env.sleep(ACCEPT_WITHIN / 2 + MINUTE)  # the half-way reminder comes from the new run, once
    [reminder] = await coordinator.hears()
    assert reminder["altText"] == f"เตือน: ยังไม่มีผู้รับโอนการดูแล: {case_no}"
    await coordinator.hears_nothing(within=0.3)
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT_TRANSFER, moved_to.coordinator))
    alerted = await scene.pool.fetchval(
        "SELECT count(*) FROM handoff_events WHERE handoff_id = $1 AND kind = 'TRANSFER_ALERTED'", f"{case_no}-1")
    assert alerted == 2  # the first alert and the reminder, each once across the runs
    assert await eventually(lambda: scene.pool.fetchval(
        "SELECT province_code = $2 FROM handoffs WHERE handoff_id = $1", f"{case_no}-1", moved_to.province_code))
