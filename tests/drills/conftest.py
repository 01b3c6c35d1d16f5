"""Fault drills: the whole system put through a fault mid-run, ending with every case present and
correct and no LINE message sent twice. `system` runs on the session's shared servers; drills that
break a server start their own (see tests/drills/stack.py) and never stop the shared ones."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from tests.drills.stack import Drill, running
from tests.fake_line import FakeLine


def drill_settings(line_settings: Settings, database_url: str, temporal_address: str, task_queue: str) -> Settings:
    return line_settings.model_copy(update={
        "database_url": database_url,
        "temporal_address": temporal_address,
        "temporal_task_queue": task_queue,
    })


@pytest.fixture
async def system(
    dev_server: WorkflowEnvironment, database_url: str, pool: asyncpg.Pool, fake_line: FakeLine,
    line_settings: Settings, task_queue: str,
) -> AsyncIterator[Drill]:
    settings = drill_settings(line_settings, database_url, dev_server.client.service_client.config.target_host,
                              task_queue)
    async with running(settings, dev_server.client, pool, fake_line.platform) as drill:
        yield drill
