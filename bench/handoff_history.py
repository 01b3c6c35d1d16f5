"""How long a hand-off's history grows over months of care, and that it stays bounded:
`python -m bench.handoff_history`.

On the time-skipping test server, one hand-off is accepted and then carries a care plan of 200
follow-ups (by default), each planned three days ahead, reminded the day before, done on time (every
fourth one only after its "overdue" reminder), over skipped weeks; then the care closes. The
hand-off continues as new whenever a run passes its history budget (workflows.handoff.HISTORY_BUDGET,
or --budget), and the benchmark follows the chain of runs: it prints the events of each run, the
number of runs, and checks that every run stayed under the budget (plus the few events a run writes
while it finishes what is under way) and that the last one ended with the care closed.

The workflow is the real HandoffWorkflow; its activities here are stand-ins that answer at once
(what a hand-off's history holds does not depend on what PostgreSQL or LINE do with a call), so
nothing but the bundled test server is needed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bench.workflow_runs import print_runs, runs_of, time_skipping_environment, within_budget
from domain.case_timeline import TimelineEntry
from domain.handoff import (
    ApprovalSubject,
    CareOutcome,
    FollowUpKind,
    FollowUpPlan,
    HandoffOpened,
    HandoffOpening,
    HandoffStatus,
    TeamAction,
    TeamActionKind,
    TeamAudienceRequest,
    TeamContact,
    TeamMember,
    TeamRole,
    handoff_id_of,
)
from domain.handoff_timeline import HandoffTimelineEntry
from domain.models import (
    Delivery,
    DeliveryResult,
    IncidentType,
    Language,
    Location,
    Officer,
    OfficerRole,
    Place,
    Report,
    Reporter,
)
from domain.risk import RiskAnswer, RiskAnswerGiven, RiskAssessment, RiskLevel
from orchestration.ids import handoff_workflow_id
from workflows.handoff import HISTORY_BUDGET, HandoffWorkflow

PROVINCE = "10"
CASE_WORKER = TeamMember(member_id=1, name="นักสังคมสงเคราะห์", role=TeamRole.SOCIAL_WORKER, province_code=PROVINCE)
CONTACT = TeamContact(member_id=1, line_user_id="U-bench-case-worker")
# Approves the case worker's closing.
OFFICE_HEAD = TeamMember(member_id=2, name="หัวหน้าสำนักงาน", role=TeamRole.OFFICE_HEAD, province_code=PROVINCE)
LOW_RISK = RiskAssessment(answers=[RiskAnswerGiven(code="WEAPON", question_th="มีอาวุธหรือไม่", question_en="A weapon?",
                                                   raises_to=RiskLevel.HIGH, answer=RiskAnswer.NO)],
                          level=RiskLevel.LOW, reason="ปลอดภัยดี")
# A low risk is reviewed every 30 days: about every 13 follow-ups of the care below.
FOLLOW_UPS_PER_REVIEW = 13
# What a run may write past its budget: it notices between events, then lets what is under way finish.
DRAIN_ALLOWANCE = 100


class StandIns:
    """The hand-off's activities, answering at once under their registered names."""

    def __init__(self) -> None:
        self.calls = 0

    def _count(self) -> None:
        self.calls += 1

    @activity.defn(name="team_accept_minutes")
    async def team_accept_minutes(self) -> int:
        self._count()
        return 24 * 60

    @activity.defn(name="record_handoff_opened")
    async def record_handoff_opened(self, opened: HandoffOpened) -> None:
        self._count()

    @activity.defn(name="append_handoff_event")
    async def append_handoff_event(self, entry: HandoffTimelineEntry) -> None:
        self._count()

    @activity.defn(name="append_case_event")
    async def append_case_event(self, entry: TimelineEntry) -> None:
        self._count()

    @activity.defn(name="team_members_for_audiences")
    async def team_members_for_audiences(self, request: TeamAudienceRequest) -> list[TeamContact]:
        self._count()
        return [CONTACT]

    @activity.defn(name="get_team_member")
    async def get_team_member(self, member_id: int) -> TeamMember:
        self._count()
        return CASE_WORKER

    @activity.defn(name="team_member_contact")
    async def team_member_contact(self, member_id: int) -> TeamContact | None:
        self._count()
        return CONTACT

    @activity.defn(name="team_member_by_line")
    async def team_member_by_line(self, line_user_id: str) -> TeamMember | None:
        self._count()
        return CASE_WORKER

    @activity.defn(name="send_line_messages")
    async def send_line_messages(self, delivery: Delivery) -> DeliveryResult:
        self._count()
        return DeliveryResult(method="push")

    @activity.defn(name="get_line_language")
    async def get_line_language(self, user_id: str) -> Language | None:
        self._count()
        return Language.THAI

    def all(self) -> list:
        return [self.team_accept_minutes, self.record_handoff_opened, self.append_handoff_event,
                self.append_case_event, self.team_members_for_audiences, self.get_team_member,
                self.team_member_contact, self.team_member_by_line, self.send_line_messages, self.get_line_language]


def opening(forwarded_at: datetime, budget: int | None) -> HandoffOpening:
    case_no = f"ESS-2026-{uuid.uuid4().int % 900_000 + 100_000}"
    return HandoffOpening(
        handoff_id=handoff_id_of(case_no, 1), case_no=case_no, attempt=1, province_code=PROVINCE, station_id=1,
        reporter=Reporter(user_id="U-bench-reporter", reporter_key="bench"),
        report=Report(
            incident_type=IncidentType(code="DETENTION", label_th="กักขังหน่วงเหนี่ยว", label_en="Detained"),
            location=Location(latitude=13.75, longitude=100.5),
            place=Place(inside_thailand=True, province_code=PROVINCE, province_name_th="กรุงเทพมหานคร"),
            complete=True, reported_at=forwarded_at,
        ),
        forwarded_by=Officer(officer_id=1, name="ร.ต.อ. ทดสอบ", role=OfficerRole.INSPECTOR, station_id=1),
        forward_note="ผู้เสียหายต้องการที่พักพิง", forwarded_at=forwarded_at, history_budget=budget,
    )


async def care(env: WorkflowEnvironment, handle: WorkflowHandle, follow_ups: int) -> None:
    """Accepted and assessed, then follow-ups one after another, each reminded and done, the risk
    reviewed when it is due; then closed, as the case worker asks and the office head approves."""
    def act(kind: TeamActionKind, **fields: object) -> TeamAction:
        return TeamAction(kind=kind, member=CASE_WORKER, **fields)

    await handle.execute_update(HandoffWorkflow.act, act(TeamActionKind.ACCEPT))
    await handle.execute_update(HandoffWorkflow.act, act(TeamActionKind.ASSESS_RISK, risk=LOW_RISK))
    for number in range(1, follow_ups + 1):
        if number % FOLLOW_UPS_PER_REVIEW == 0:
            await handle.execute_update(HandoffWorkflow.act, act(TeamActionKind.ASSESS_RISK, risk=LOW_RISK))
        now = await env.get_current_time()
        plan = FollowUpPlan(kind=FollowUpKind.HOME_VISIT if number % 2 else FollowUpKind.CALL,
                            due_at=now + timedelta(days=3), note=f"ครั้งที่ {number}")
        planned = await handle.execute_update(HandoffWorkflow.act, act(TeamActionKind.PLAN, follow_up=plan))
        await env.sleep(timedelta(days=2, hours=1))  # the day-before reminder
        if number % 4 == 0:
            await env.sleep(timedelta(days=1))  # and the overdue one
        await handle.execute_update(HandoffWorkflow.act, act(
            TeamActionKind.RECORD, follow_up_number=planned.follow_up_number, note="เยี่ยมแล้ว ปลอดภัย"))
        if number % 50 == 0:
            print(f"  {number} follow-ups", file=sys.stderr)
    await handle.execute_update(HandoffWorkflow.act, act(
        TeamActionKind.CLOSE, outcome=CareOutcome.SAFE_WITH_FAMILY, note="ดูแลครบแผน"))
    await handle.execute_update(HandoffWorkflow.act, TeamAction(
        kind=TeamActionKind.APPROVE, member=OFFICE_HEAD, subject=ApprovalSubject.CLOSURE))


async def bench(follow_ups: int, budget: int) -> int:
    env = await time_skipping_environment()
    try:
        stand_ins = StandIns()
        task_queue = f"bench-{uuid.uuid4()}"
        async with Worker(env.client, task_queue=task_queue, workflows=[HandoffWorkflow], activities=stand_ins.all()):
            started = time.monotonic()
            handoff = opening(await env.get_current_time() or datetime.now(UTC),
                              None if budget == HISTORY_BUDGET else budget)
            handle = await env.client.start_workflow(HandoffWorkflow.run, handoff,
                                                     id=handoff_workflow_id(handoff.handoff_id), task_queue=task_queue)
            await care(env, handle, follow_ups)
            status = await handle.result()
            seconds = time.monotonic() - started
            runs = await runs_of(env.client, handle.id, handle.first_execution_run_id or handle.result_run_id or "")
    finally:
        await env.shutdown()
    print(f"hand-off with {follow_ups} follow-ups over {follow_ups * 2.25 / 7:.0f} skipped weeks "
          f"(history budget {budget} events), {seconds:.0f} s:")
    print_runs(runs, stand_ins.calls)
    within = within_budget(runs, budget, DRAIN_ALLOWANCE)
    print(f"every run within the budget: {'yes' if within else 'NO'}; ended: {status.value}")
    return 0 if within and status == HandoffStatus.CLOSED and not runs[-1].continued else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.handoff_history", description=__doc__.split("\n\n")[0])
    parser.add_argument("--follow-ups", type=int, default=200, help="follow-ups in the care plan (200)")
    parser.add_argument("--budget", type=int, default=HISTORY_BUDGET,
                        help=f"history events a run may grow to before continuing as new ({HISTORY_BUDGET})")
    args = parser.parse_args(argv)
    return asyncio.run(bench(args.follow_ups, args.budget))


if __name__ == "__main__":
    sys.exit(main())
