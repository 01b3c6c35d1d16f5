"""GET /health answers 200 only while PostgreSQL and Temporal both answer, and otherwise 503 naming
the one that did not (never its address); GET /health/live answers as long as the process serves."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.health import CHECK_SECONDS, health_router
from tests.api.conftest import RunningApi


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def unreachable_pool(closed_port: int) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(f"postgresql://ess@127.0.0.1:{closed_port}/ess", min_size=0)
    yield pool
    await pool.close()


@pytest.fixture
async def unreachable_temporal(closed_port: int) -> Client:
    # lazy: connecting to a dead address would fail here; a client that lost its server fails later.
    return await Client.connect(f"127.0.0.1:{closed_port}", lazy=True)


async def health_of(pool: asyncpg.Pool | None, temporal: Client | None, path: str = "/health") -> httpx.Response:
    """The health routes on an app whose lifespan left this pool and client in app.state."""
    app = FastAPI()
    app.state.pool, app.state.temporal = pool, temporal
    app.include_router(health_router())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        return await http.get(path)


async def test_the_running_api_is_healthy_when_postgresql_and_temporal_answer(api: RunningApi) -> None:
    response = await api.http.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "postgres": "ok", "temporal": "ok"})
    assert (await api.http.get("/health/live")).json() == {"status": "ok"}


async def test_postgresql_unreachable_gives_503_naming_postgres(
    unreachable_pool: asyncpg.Pool, dev_server: WorkflowEnvironment, closed_port: int
) -> None:
    started = time.monotonic()
    response = await health_of(unreachable_pool, dev_server.client)
    assert time.monotonic() - started < CHECK_SECONDS + 1
    assert (response.status_code, response.json()) == (
        503, {"status": "unavailable", "postgres": "unavailable", "temporal": "ok"}
    )
    assert str(closed_port) not in response.text


async def test_temporal_unreachable_gives_503_naming_temporal(
    pool: asyncpg.Pool, unreachable_temporal: Client, closed_port: int
) -> None:
    started = time.monotonic()
    response = await health_of(pool, unreachable_temporal)
    assert time.monotonic() - started < CHECK_SECONDS + 1
    assert (response.status_code, response.json()) == (
        503, {"status": "unavailable", "postgres": "ok", "temporal": "unavailable"}
    )
    assert str(closed_port) not in response.text


async def test_while_starting_health_is_503_but_the_process_is_alive() -> None:
    """Before the lifespan has made the pool and the client (what a probe may see first)."""
    assert (await health_of(None, None)).status_code == 503
    live = await health_of(None, None, "/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
