"""The fake LINE platform's outages, which the drills rely on: for a stretch of time every call to
an endpoint fails (or does its work and loses its answer), then LINE is itself again."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from line_simulator.line_platform import SimulatedUser
from tests.fake_line import FakeLine

OUTAGE_SECONDS = 0.4


@pytest.fixture
async def http(fake_line: FakeLine):
    headers = {"authorization": f"Bearer {fake_line.access_token}"}
    async with httpx.AsyncClient(base_url=fake_line.base_url, headers=headers) as client:
        yield client


def push(line_user: SimulatedUser, retry_key: str | None = None) -> dict:
    return {"json": {"to": line_user.user_id, "messages": [{"type": "text", "text": "สวัสดี"}]},
            "headers": {"x-line-retry-key": retry_key} if retry_key else {}}


async def test_every_call_fails_during_an_outage_and_none_after(fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.fail_for("push", OUTAGE_SECONDS, status=429)
    during = [(await http.post("/v2/bot/message/push", **push(line_user))).status_code for _ in range(3)]
    profile = await http.get(f"/v2/bot/profile/{line_user.user_id}")  # other endpoints are untouched
    await asyncio.sleep(OUTAGE_SECONDS)
    after = await http.post("/v2/bot/message/push", **push(line_user))
    assert (during, profile.status_code, after.status_code) == ([429, 429, 429], 200, 200)
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1


async def test_after_work_delivers_and_loses_the_answer(fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.fail_for("push", OUTAGE_SECONDS, status=500, after_work=True)
    key = str(uuid.uuid4())
    lost = await http.post("/v2/bot/message/push", **push(line_user, key))
    await asyncio.sleep(OUTAGE_SECONDS)
    retried = await http.post("/v2/bot/message/push", **push(line_user, key))
    assert (lost.status_code, retried.status_code) == (500, 409)
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1


async def test_queued_faults_wait_until_the_outage_is_over(fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.fail_next("push", status=503)
    fake_line.platform.fail_for("push", OUTAGE_SECONDS, status=429)
    during = (await http.post("/v2/bot/message/push", **push(line_user))).status_code
    await asyncio.sleep(OUTAGE_SECONDS)
    after = [(await http.post("/v2/bot/message/push", **push(line_user))).status_code for _ in range(2)]
    assert (during, after) == (429, [503, 200])


async def test_clearing_faults_ends_an_outage(fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.fail_for("push", 60, status=500)
    fake_line.platform.clear_faults()
    assert (await http.post("/v2/bot/message/push", **push(line_user))).status_code == 200


def test_an_unknown_endpoint_is_refused(fake_line: FakeLine):
    with pytest.raises(ValueError):
        fake_line.platform.fail_for("broadcast", 1)
