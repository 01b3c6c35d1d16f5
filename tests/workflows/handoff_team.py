"""What the hand-off's long-life specs share: a province's team on LINE, and a hand-off started straight
from a recorded case (so a spec may lower its history budget) or forwarded by a running case."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from temporalio.client import WorkflowHandle

from domain.handoff import HandoffOpening, TeamAction, TeamActionKind, TeamMember, TeamRole, handoff_id_of
from domain.models import ActionKind, EventKind, LineEvent, OfficerAction, ReporterMessage
from domain.risk import RiskAnswer, RiskAnswerGiven, RiskAssessment, RiskLevel
from orchestration.ids import handoff_workflow_id
from tests.conversation import Citizen
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow


@dataclass
class Team:
    coordinator: TeamMember
    social_worker: TeamMember
    office_head: TeamMember  # approves closings and high-risk plans
    lines: dict[int, str]


# A first risk assessment that finds little risk: the next review is a month away.
LOW_RISK = RiskAssessment(answers=[RiskAnswerGiven(code="WEAPON", question_th="ผู้กระทำมีหรือเคยใช้อาวุธหรือไม่",
                                                   question_en="Does the person who harms have or use a weapon?",
                                                   raises_to=RiskLevel.HIGH, answer=RiskAnswer.NO)],
                          level=RiskLevel.LOW, reason="ย้ายไปอยู่กับญาติแล้ว ผู้กระทำไม่รู้ที่อยู่")


@pytest.fixture
async def team(scene: Scene) -> AsyncIterator[Team]:
    province = scene.district["province_code"]
    lines: dict[int, str] = {}
    members = []
    for role in (TeamRole.COORDINATOR, TeamRole.SOCIAL_WORKER, TeamRole.OFFICE_HEAD):
        member, line = await linked_team_member(scene.pool, scene.platform, role, province)
        assert line is not None
        lines[member.member_id] = line
        members.append(member)
    yield Team(*members, lines=lines)
    await let_go(scene.pool, members)


def hears(scene: Scene, team: Team, member: TeamMember) -> Citizen:
    return scene.officer_hears(team.lines[member.member_id])


def team_action(kind: TeamActionKind, member: TeamMember, **fields: object) -> TeamAction:
    return TeamAction(kind=kind, member=member, **fields)  # type: ignore[arg-type]


async def started_handoff(scene: Scene, history_budget: int | None = None) -> tuple[str, WorkflowHandle]:
    """A hand-off of a case recorded in the store, started as the case would start it, without the case's
    workflow (its answer is recorded as not told)."""
    opening = await scene.recorded_case()
    now = await scene.env.get_current_time()
    handoff_id = handoff_id_of(opening.case_no, 1)
    handoff = HandoffOpening(
        handoff_id=handoff_id, case_no=opening.case_no, attempt=1, province_code=scene.district["province_code"],
        station_id=scene.station_id, reporter=opening.reporter, report=opening.report,
        forwarded_by=scene.station_officer, forward_note="ผู้เสียหายต้องการที่พักพิง", forwarded_at=now,
        history_budget=history_budget,
    )
    handle = await scene.client.start_workflow(HandoffWorkflow.run, handoff, id=handoff_workflow_id(handoff_id),
                                               task_queue=scene.settings.temporal_task_queue)
    return opening.case_no, handle


async def forwarded_case(scene: Scene) -> tuple[str, WorkflowHandle, WorkflowHandle]:
    case_no, case = await scene.open_case()
    await scene.officer_hears(scene.station_line).hears()  # the case's own alert
    await case.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.FORWARD, officer=scene.station_officer,
                                                              note="ผู้เสียหายต้องการที่พักพิง"))
    handoff = scene.client.get_workflow_handle(handoff_workflow_id(handoff_id_of(case_no, 1)))
    await eventually(handoff.describe)
    return case_no, case, handoff


def reporter_wrote(text: str, event_id: str | None = None) -> ReporterMessage:
    return ReporterMessage(event_id=event_id or f"evt-{uuid.uuid4().hex}", message_type="text",
                           received_at=datetime.now(UTC), text=text)


def consent_tap(user_id: str, data: str) -> LineEvent:
    """The reporter's answer to the consent question, as the webhook hands it to the hand-off."""
    return LineEvent(event_id=f"evt-{uuid.uuid4().hex}", kind=EventKind.POSTBACK, occurred_at=datetime.now(UTC),
                     user_id=user_id, postback_data=data)
