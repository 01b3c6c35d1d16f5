"""A worker with the real activities (fake LINE platform over HTTP, real PostgreSQL) on the
time-skipping server, and citizens who talk to it through the real conversation gateway."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.line import LineMessenger
from api.conversations import ConversationGateway
from api.line_events import LineEvent, read_event
from configuration.settings import Settings, release_version
from domain.pseudonyms import reporter_key
from orchestration.ids import case_workflow_id, handoff_workflow_id, intake_workflow_id
from tests.conversation import Citizen
from tests.fake_line import FakeLine
from tests.scene import Scene
from worker import build_worker

# One folder per release (pyproject.toml's version), each with a release.json; never rewritten.
HISTORIES = Path(__file__).parent / "histories"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _portable(history_json: str) -> str:
    """Stack traces in failures name files by absolute path: keep them relative to the project."""
    return history_json.replace(f"{PROJECT_ROOT}/", "")


class Reporting:
    """The system under test, as a citizen meets it, plus what tests inspect afterwards."""

    def __init__(self, env: WorkflowEnvironment, settings: Settings, pool: asyncpg.Pool, line: FakeLine,
                 messenger: LineMessenger) -> None:
        self.env = env
        self.settings = settings
        self.pool = pool
        self.line = line
        self.gateway = ConversationGateway(env.client, pool, settings, messenger)
        self.citizens: list[Citizen] = []

    async def deliver(self, raw_event: dict[str, Any]) -> None:
        event = read_event(raw_event, 0)
        assert isinstance(event, LineEvent)
        await self.gateway.deliver(event)

    def citizen(self, language: str = "th") -> Citizen:
        citizen = Citizen(self.line.platform, self.deliver, language=language)
        self.citizens.append(citizen)
        return citizen

    def conversation(self, citizen: Citizen):
        key = reporter_key(citizen.user_id, self.settings.pseudonym_key)
        return self.env.client.get_workflow_handle(intake_workflow_id(key))

    async def case_row(self, case_no: str) -> asyncpg.Record | None:
        return await self.pool.fetchrow("select * from cases where case_no = $1", case_no)

    async def cases_of(self, citizen: Citizen) -> list[asyncpg.Record]:
        key = reporter_key(citizen.user_id, self.settings.pseudonym_key)
        return await self.pool.fetch("select * from cases where reporter_key = $1 order by case_no", key)


@pytest.fixture
async def reporting(
    time_skipping_server: WorkflowEnvironment, pool: asyncpg.Pool, database_url: str, fake_line: FakeLine,
    line_settings: Settings, task_queue: str, request: pytest.FixtureRequest,
) -> AsyncIterator[Reporting]:
    """On the time-skipping server: for the stories that wait minutes."""
    async for reporting in _reporting(time_skipping_server, pool, database_url, fake_line, line_settings, task_queue,
                                      request):
        yield reporting


@pytest.fixture
async def live_reporting(
    dev_server: WorkflowEnvironment, pool: asyncpg.Pool, database_url: str, fake_line: FakeLine,
    line_settings: Settings, task_queue: str, request: pytest.FixtureRequest,
) -> AsyncIterator[Reporting]:
    """On the dev server (the real server): for what needs no skipped time."""
    async for reporting in _reporting(dev_server, pool, database_url, fake_line, line_settings, task_queue, request):
        yield reporting


async def _reporting(
    env: WorkflowEnvironment, pool: asyncpg.Pool, database_url: str, fake_line: FakeLine, line_settings: Settings,
    task_queue: str, request: pytest.FixtureRequest,
) -> AsyncIterator[Reporting]:
    settings = line_settings.model_copy(update={"database_url": database_url, "temporal_task_queue": task_queue})
    messenger = LineMessenger(settings)
    async with build_worker(env.client, settings, pool, messenger, task_queue):
        reporting = Reporting(env, settings, pool, fake_line, messenger)
        yield reporting
        marker = request.node.get_closest_marker("records_history")
        if marker and os.environ.get("ESS_RECORD_HISTORIES"):
            callspec = getattr(request.node, "callspec", None)
            await save_histories(reporting, marker.args[0] + (f"-{callspec.id}" if callspec else ""))
    await messenger.close()


@pytest.fixture
async def scene(reporting: Reporting) -> Scene:
    """A dispatch scene on the time-skipping server, for the minutes and days that must pass."""
    scene = await Scene(reporting.env.client, reporting.settings, reporting.pool, reporting.line.platform,
                        reporting.citizen, reporting.deliver).set_up()
    scene.env = reporting.env
    return scene


@pytest.fixture
async def live_scene(live_reporting: Reporting) -> Scene:
    """On the dev server, for everything that needs no skipped time."""
    r = live_reporting
    return await Scene(r.env.client, r.settings, r.pool, r.line.platform, r.citizen, r.deliver).set_up()


async def save_histories(reporting: Reporting, name: str) -> None:
    """Keep this test's workflow histories for the replay test, in this release's folder
    (`make record-histories`). A folder with a release.json belongs to a recorded release: never rewritten."""
    folder = HISTORIES / release_version()
    if (folder / "release.json").exists():
        pytest.fail(f"{folder} holds release {folder.name}'s histories, and a release's histories are never "
                    "rewritten: bump the version in pyproject.toml")
    folder.mkdir(parents=True, exist_ok=True)
    for citizen in reporting.citizens:
        try:
            history = await reporting.conversation(citizen).fetch_history()
        except RPCError:
            history = None  # a reporter whose case a test opened directly never talked to the bot
        if history is not None:
            (folder / f"{name}.intake.json").write_text(_portable(history.to_json()))
        for n, case in enumerate(await reporting.cases_of(citizen)):
            handle = reporting.env.client.get_workflow_handle(case_workflow_id(case["case_no"]))
            (folder / f"{name}.case{n}.json").write_text(_portable((await handle.fetch_history()).to_json()))
            for m, handoff_id in enumerate(await reporting.pool.fetch(
                    "select handoff_id from handoffs where case_no = $1 order by attempt", case["case_no"])):
                handle = reporting.env.client.get_workflow_handle(handoff_workflow_id(handoff_id["handoff_id"]))
                (folder / f"{name}.handoff{n}{m}.json").write_text(
                    _portable((await handle.fetch_history()).to_json()))
