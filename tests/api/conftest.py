"""The real API application served over HTTP, wired to the dev server and PostgreSQL.
No worker runs unless a test asks for one: the webhook only hands events to Temporal, and officers'
actions only update case workflows that are already running."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.line import LineMessenger
from api.app import create_app
from configuration.settings import Settings
from line_simulator import events
from tests.conversation import Citizen
from tests.fake_line import FakeLine, serve
from tests.scene import Scene
from worker import build_worker


@dataclass
class RunningApi:
    base_url: str
    http: httpx.AsyncClient
    settings: Settings
    env: WorkflowEnvironment
    line: FakeLine


@pytest.fixture
async def api(dev_server: WorkflowEnvironment, database_url: str, fake_line: FakeLine, line_settings: Settings,
              task_queue: str) -> AsyncIterator[RunningApi]:
    settings = line_settings.model_copy(update={
        "database_url": database_url,
        "temporal_address": dev_server.client.service_client.config.target_host,
        "temporal_task_queue": task_queue,
        "case_list_refresh": timedelta(milliseconds=300),  # the live case list, quick enough to watch
    })
    async with serve(create_app(settings), lifespan="on") as base_url, httpx.AsyncClient(base_url=base_url) as http:
        yield RunningApi(base_url, http, settings, dev_server, fake_line)


@pytest.fixture
async def case_worker(api: RunningApi, pool: asyncpg.Pool) -> AsyncIterator[None]:
    """The real worker, every activity included, on the task queue the API's settings name;
    it talks LINE to the fake platform."""
    messenger = LineMessenger(api.settings)
    async with build_worker(api.env.client, api.settings, pool, messenger, api.settings.temporal_task_queue):
        yield
    await messenger.close()


@pytest.fixture
async def scene(api: RunningApi, pool: asyncpg.Pool, case_worker: None) -> Scene:
    """A district with its station and officers, whose cases run in the real case workflow.
    What its people do on LINE reaches the bot as signed webhook calls to this API."""

    async def send(event: dict[str, Any]) -> None:
        body, headers = events.signed_webhook(api.line.platform, [event], api.settings.line_channel_secret)
        response = await api.http.post("/line/webhook", content=body, headers=headers)
        response.raise_for_status()

    return await Scene(api.env.client, api.settings, pool, api.line.platform,
                       lambda: Citizen(api.line.platform, send), send).set_up()
