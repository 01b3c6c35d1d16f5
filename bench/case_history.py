"""How long a case's history grows while its reporter writes for weeks, and that it stays bounded:
`python -m bench.case_history`.

On the time-skipping test server, one case is opened, alerted and acknowledged; then its reporter
sends 5,000 messages (by default; every eighth a photo, every fiftieth a pinned place) in bursts of 25
every five hours, about six weeks of skipped time, each kept on the case and relayed to the officer
who holds it; then the officer closes it. The case continues as new whenever a run passes its history
budget (workflows.case.HISTORY_BUDGET, or --budget), and the benchmark follows the chain of runs: it
prints the events of each run and the number of runs, and checks that every run stayed under the
budget (plus what a run finishes while handing over), that each message was kept and relayed exactly
once, and that the case ended CLOSED.

The workflow is the real CaseWorkflow; its activities are stand-ins that answer at once (what a
case's history holds does not depend on what PostgreSQL or LINE do with a call), so nothing but the
bundled test server is needed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.worker import Worker

from bench.workflow_runs import print_runs, runs_of, time_skipping_environment, within_budget
from domain.case_timeline import TimelineEntry
from domain.models import (
    ActionKind,
    AttachmentRequest,
    AudienceRequest,
    CaseOpening,
    CaseStatus,
    Delivery,
    DeliveryResult,
    IncidentType,
    Language,
    Location,
    Officer,
    OfficerAction,
    OfficerContact,
    OfficerRole,
    Place,
    Report,
    Reporter,
    ReporterMessage,
    Route,
    RoutingRequest,
    Station,
    StationKind,
)
from orchestration.ids import case_workflow_id
from workflows.case import HISTORY_BUDGET, CaseWorkflow

PROVINCE = "10"
STATION = Station(station_id=1, code="BENCH", kind=StationKind.STATION, name_th="สน.ทดสอบ", name_en="Bench station",
                  province_code=PROVINCE)
OFFICER = Officer(officer_id=1, name="ร.ต.อ. ทดสอบ", role=OfficerRole.INSPECTOR, province_code=PROVINCE, station_id=1)
CONTACT = OfficerContact(officer_id=1, line_user_id="U-bench-officer")
BURST = 25
BETWEEN_BURSTS = timedelta(hours=5)
# What a run may write past its budget: it notices between events, then lets the item in hand finish
# and the relays already queued go out (a burst's worth, each a few events).
DRAIN_ALLOWANCE = 250


class StandIns:
    """The case's activities, answering at once under their registered names; they count what the
    case kept and relayed, by key, so a message kept or relayed twice shows."""

    def __init__(self) -> None:
        self.calls = 0
        self.kept: Counter[str] = Counter()  # timeline keys of the reporter's messages
        self.relayed: Counter[str] = Counter()  # LINE retry keys of the relays to the officer

    @activity.defn(name="route_case")
    async def route_case(self, request: RoutingRequest) -> Route:
        self.calls += 1
        return Route(station=STATION, method="district")

    @activity.defn(name="count_prank_reports")
    async def count_prank_reports(self, reporter_key: str) -> int:
        self.calls += 1
        return 0

    @activity.defn(name="append_case_event")
    async def append_case_event(self, entry: TimelineEntry) -> None:
        self.calls += 1
        if entry.event.kind == "REPORTER_MESSAGE":
            self.kept[entry.key] += 1

    @activity.defn(name="officers_for_audiences")
    async def officers_for_audiences(self, request: AudienceRequest) -> list[OfficerContact]:
        self.calls += 1
        return [CONTACT]

    @activity.defn(name="officer_contact")
    async def officer_contact(self, officer_id: int) -> OfficerContact | None:
        self.calls += 1
        return CONTACT

    @activity.defn(name="save_attachment")
    async def save_attachment(self, request: AttachmentRequest) -> int:
        self.calls += 1
        return len(self.kept) + 1

    @activity.defn(name="send_line_messages")
    async def send_line_messages(self, delivery: Delivery) -> DeliveryResult:
        self.calls += 1
        if "/relay-" in delivery.key:
            self.relayed[delivery.key] += 1
        return DeliveryResult(method="push")

    @activity.defn(name="get_line_language")
    async def get_line_language(self, user_id: str) -> Language | None:
        self.calls += 1
        return Language.THAI

    def all(self) -> list:
        return [self.route_case, self.count_prank_reports, self.append_case_event, self.officers_for_audiences,
                self.officer_contact, self.save_attachment, self.send_line_messages, self.get_line_language]


def opening(reported_at: datetime, budget: int | None) -> CaseOpening:
    case_no = f"ESS-2026-{uuid.uuid4().int % 900_000 + 100_000}"
    return CaseOpening(
        case_no=case_no, conversation_id=f"bench-{uuid.uuid4()}",
        reporter=Reporter(user_id="U-bench-reporter", reporter_key="bench"),
        report=Report(
            incident_type=IncidentType(code="DETENTION", label_th="กักขังหน่วงเหนี่ยว", label_en="Detained"),
            location=Location(latitude=13.75, longitude=100.5),
            place=Place(inside_thailand=True, province_code=PROVINCE, province_name_th="กรุงเทพมหานคร"),
            complete=True, reported_at=reported_at,
        ),
        history_budget=budget,
    )


def message(number: int, at: datetime) -> ReporterMessage:
    if number % 8 == 0:
        return ReporterMessage(event_id=f"bench-{number}", message_type="image", message_id=f"photo-{number}",
                               received_at=at)
    if number % 50 == 1:
        return ReporterMessage(event_id=f"bench-{number}", message_type="location", received_at=at,
                               location=Location(latitude=13.75, longitude=100.5, address="ที่เดิม"))
    return ReporterMessage(event_id=f"bench-{number}", message_type="text", text=f"ข้อความที่ {number}",
                           received_at=at)


async def bench(messages: int, budget: int) -> int:
    env = await time_skipping_environment()
    try:
        stand_ins = StandIns()
        task_queue = f"bench-{uuid.uuid4()}"
        async with Worker(env.client, task_queue=task_queue, workflows=[CaseWorkflow], activities=stand_ins.all()):
            started = time.monotonic()
            case = opening(await env.get_current_time() or datetime.now(UTC),
                           None if budget == HISTORY_BUDGET else budget)
            first = await env.client.start_workflow(CaseWorkflow.run, case, id=case_workflow_id(case.case_no),
                                                    task_queue=task_queue)
            handle = env.client.get_workflow_handle(first.id)  # whatever run the case is in
            await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.ACKNOWLEDGE, officer=OFFICER))
            for number in range(1, messages + 1):
                await handle.signal(CaseWorkflow.reporter_message, message(number, await env.get_current_time()))
                if number % BURST == 0:
                    await env.sleep(BETWEEN_BURSTS)
                if number % 1000 == 0:
                    print(f"  {number} messages", file=sys.stderr)
            while len(stand_ins.kept) < messages or len(stand_ins.relayed) < messages:
                await asyncio.sleep(0.2)
            await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.CLOSE, officer=OFFICER,
                                                                        note="จบเรื่อง"))
            status = CaseStatus(await handle.result())
            seconds = time.monotonic() - started
            runs = await runs_of(env.client, first.id, first.result_run_id or "")
    finally:
        await env.shutdown()
    weeks = messages / BURST * BETWEEN_BURSTS / timedelta(weeks=1)
    print(f"case with {messages} reporter messages over {weeks:.1f} skipped weeks "
          f"(history budget {budget} events), {seconds:.0f} s:")
    print_runs(runs, stand_ins.calls)
    once = (len(stand_ins.kept) == messages and set(stand_ins.kept.values()) == {1}
            and len(stand_ins.relayed) == messages and set(stand_ins.relayed.values()) == {1})
    within = within_budget(runs, budget, DRAIN_ALLOWANCE)
    print(f"every message kept and relayed exactly once: {'yes' if once else 'NO'}; "
          f"every run within the budget: {'yes' if within else 'NO'}; ended: {status.value}")
    return 0 if once and within and status == CaseStatus.CLOSED and not runs[-1].continued else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.case_history", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5_000, help="messages the reporter sends (5,000)")
    parser.add_argument("--budget", type=int, default=HISTORY_BUDGET,
                        help=f"history events a run may grow to before continuing as new ({HISTORY_BUDGET})")
    args = parser.parse_args(argv)
    return asyncio.run(bench(args.messages, args.budget))


if __name__ == "__main__":
    sys.exit(main())
