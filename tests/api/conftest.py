"""The real API application served over HTTP, wired to the dev server and PostgreSQL.
No worker runs here: the webhook only hands events to Temporal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from domain.settings import Settings
from tests.fake_line import FakeLine, serve


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
    })
    async with serve(create_app(settings), lifespan="on") as base_url, httpx.AsyncClient(base_url=base_url) as http:
        yield RunningApi(base_url, http, settings, dev_server, fake_line)
