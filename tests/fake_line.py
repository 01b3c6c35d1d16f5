"""Pytest fixtures: a fake LINE platform served over real HTTP for the whole test session.

    async def test_x(fake_line, line_user, line_settings): ...

`fake_line.platform` is the FakeLinePlatform (state, chat logs, fault injection), `fake_line.base_url`
is what LINE_API_BASE_URL points at. Tests stay apart by using their own user (`line_user`, or
`fake_line.platform.add_user()`); faults left queued by a test are cleared after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import uvicorn
from fastapi import FastAPI

from configuration.settings import Settings
from line_simulator.line_platform import FakeLinePlatform
from line_simulator.messaging import SimulatedUser

ACCESS_TOKEN = "test-channel-access-token"
CHANNEL_SECRET = "test-channel-secret"


@dataclass
class FakeLine:
    platform: FakeLinePlatform
    base_url: str
    access_token: str = ACCESS_TOKEN
    channel_secret: str = CHANNEL_SECRET


@contextlib.asynccontextmanager
async def serve(app: FastAPI, lifespan: str = "off", port: int = 0) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a loopback port inside the running loop (`port`, or a free one);
    yields its base URL.

    lifespan="on" runs the app's start-up and shut-down, and fails here if start-up fails."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    # As the image serves the API: without uvicorn's own reading of X-Forwarded-For (the application
    # decides whom to believe, api.client_address).
    config = uvicorn.Config(app, log_level="warning", lifespan=lifespan, access_log=False, proxy_headers=False)
    server = uvicorn.Server(config)
    # Signal handlers belong to pytest, not to a server that lives inside a test.
    server.capture_signals = contextlib.nullcontext
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # surfaces an error raised while starting
                raise RuntimeError("the test server stopped while starting (see the log above)")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture(scope="session")
async def fake_line_server() -> AsyncIterator[FakeLine]:
    platform = FakeLinePlatform(access_token=ACCESS_TOKEN)
    app = FastAPI()
    app.include_router(platform.router())
    async with serve(app) as base_url:
        yield FakeLine(platform=platform, base_url=base_url)


@pytest.fixture
async def fake_line(fake_line_server: FakeLine) -> AsyncIterator[FakeLine]:
    yield fake_line_server
    fake_line_server.platform.clear_faults()


@pytest.fixture
def line_user(fake_line: FakeLine) -> SimulatedUser:
    """A fresh LINE user who follows the bot, with a Thai LINE app."""
    return fake_line.platform.add_user(display_name="ผู้แจ้งทดสอบ", language="th")


@pytest.fixture
def line_settings(fake_line: FakeLine) -> Settings:
    """Settings whose LINE channel is the fake platform."""
    return Settings(
        line_api_base_url=fake_line.base_url,
        line_channel_access_token=fake_line.access_token,
        line_channel_secret=fake_line.channel_secret,
        # The session's tests share one database: their failed sign-ins together must not reach the
        # service-wide cap by chance (the spec of the cap sets its own).
        sign_in_failures_per_minute=100_000,
    )
