"""No event is lost in the gap where one conversation ends and the next message arrives.

With a one-second idle timeout, messages sent about a second apart keep landing just as a
conversation is closing, some of them in bursts that queue up inside one conversation. Every one
must be answered exactly once."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import httpx

from api.app import create_app
from line_simulator import events
from tests.conversation import text_of
from tests.e2e.conftest import System
from tests.fake_line import serve

ROUNDS = 10
BURST = 3  # every third round sends several events in one request


async def test_messages_sent_as_conversations_close_are_all_answered(system: System) -> None:
    settings = system.settings.model_copy(update={"intake_idle_after": timedelta(seconds=1)})
    platform = system.line.platform
    user = platform.add_user()
    randomness = random.Random(7)
    async with serve(create_app(settings), lifespan="on") as base_url, httpx.AsyncClient(base_url=base_url) as http:
        sent = 0
        for n in range(ROUNDS):
            batch = [events.text(platform, user.user_id, f"สวัสดี {n}.{k}") for k in range(BURST if n % 3 == 0 else 1)]
            body, headers = events.signed_webhook(platform, batch, settings.line_channel_secret)
            assert (await http.post("/line/webhook", content=body, headers=headers)).status_code == 200
            sent += len(batch)
            await asyncio.sleep(randomness.uniform(0.8, 1.3))
        deadline = asyncio.get_running_loop().time() + 30
        while len(platform.bot_messages(user.user_id)) < sent and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # and no more than that
    answers = [text_of(entry.message) for entry in platform.bot_messages(user.user_id)]
    assert len(answers) == sent, answers
    assert all("แจ้งเหตุ" in answer for answer in answers)
