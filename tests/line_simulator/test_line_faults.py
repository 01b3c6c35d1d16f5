"""The fake LINE platform's 429s and outages as LINE answers them: a burst's 429 or a 5xx with a
Retry-After, an outage of minutes, and the monthly quota used up (pushes refused with LINE's own
words, replies still free); every error in LINE's shape, every body still checked."""

from __future__ import annotations

import httpx
import pytest

from line_simulator import events
from line_simulator.errors import MONTHLY_LIMIT_MESSAGE
from line_simulator.line_platform import SimulatedUser
from tests.fake_line import FakeLine


@pytest.fixture
async def http(fake_line: FakeLine):
    headers = {"authorization": f"Bearer {fake_line.access_token}"}
    async with httpx.AsyncClient(base_url=fake_line.base_url, headers=headers) as client:
        yield client


def push_body(user: SimulatedUser) -> dict:
    return {"to": user.user_id, "messages": [{"type": "text", "text": "สวัสดี"}]}


async def test_a_429_burst_carries_retry_after_and_then_passes(fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.fail_next("push", status=429, times=2, retry_after=30)

    answers = [await http.post("/v2/bot/message/push", json=push_body(line_user)) for _ in range(3)]

    assert [a.status_code for a in answers] == [429, 429, 200]
    assert [a.headers.get("retry-after") for a in answers[:2]] == ["30", "30"]
    assert answers[0].json() == {"message": "The API rate limit has been exceeded. Try again later."}
    assert answers[0].headers["x-line-request-id"]
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1


async def test_an_outage_answers_5xx_with_retry_after_and_no_header_without_one(
        fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.fail_for("push", 60, status=503, retry_after=120)
    during = await http.post("/v2/bot/message/push", json=push_body(line_user))
    fake_line.platform.clear_faults()
    fake_line.platform.fail_for("push", 60, status=500)
    plain = await http.post("/v2/bot/message/push", json=push_body(line_user))

    assert (during.status_code, during.headers.get("retry-after")) == (503, "120")
    assert (plain.status_code, plain.headers.get("retry-after")) == (500, None)
    assert fake_line.platform.bot_messages(line_user.user_id) == []


async def test_the_monthly_quota_refuses_pushes_in_lines_words_but_not_replies(
        fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.exhaust_quota(seconds=60)
    refused = await http.post("/v2/bot/message/push", json=push_body(line_user))
    token = events.text(fake_line.platform, line_user.user_id, "ช่วยด้วย")["replyToken"]
    replied = await http.post("/v2/bot/message/reply",
                              json={"replyToken": token, "messages": [{"type": "text", "text": "รับทราบ"}]})

    assert refused.status_code == 429
    assert refused.json() == {"message": MONTHLY_LIMIT_MESSAGE} == {"message": "You have reached your monthly limit."}
    assert "retry-after" not in refused.headers
    assert replied.status_code == 200  # replies are free: the quota does not touch them
    assert [entry.via for entry in fake_line.platform.bot_messages(line_user.user_id)] == ["reply"]


async def test_a_malformed_push_is_refused_as_malformed_before_any_outage(
        fake_line: FakeLine, line_user: SimulatedUser, http):
    """Faults come after the access token check, and the body is still checked once LINE is back."""
    fake_line.platform.fail_next("push", status=503, retry_after=5)
    during = await http.post("/v2/bot/message/push", json={"to": line_user.user_id, "messages": []})
    after = await http.post("/v2/bot/message/push", json={"to": line_user.user_id, "messages": []})
    assert (during.status_code, after.status_code) == (503, 400)
    assert after.json()["details"]
