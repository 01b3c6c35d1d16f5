"""Drill: a flood of 500 webhook events, 100 of them (20 %) duplicates, from 80 LINE users at once.

40 reporters each send a whole report (five events, without waiting for answers); 40 others chat
(follow, greetings, a change of language and back), five events each. Of those 400 events, 100
come twice, the way LINE and the network repeat them: a late redelivery (same webhookEventId,
isRedelivery) after the user's later events, the same event twice in one request body, or two
requests racing each other. Every distinct event is handled exactly once: 40 cases, five answers
per person, one alert per case."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

from line_simulator import events
from line_simulator.line_platform import FakeLinePlatform
from tests.conversation import Citizen
from tests.drills.reports import Reporter, check_reports, repeated_messages, station_for_pin, until_answered
from tests.drills.stack import Drill

REPORTERS = 40
CHATTERS = 40
EVENTS_EACH = 5
DUPLICATES = {"late redelivery": 40, "twice in one request": 30, "racing requests": 30}
# What a chatting user does: each earns its own answer (greeting, help, language changed, help in
# English, language changed back).
CHAT = ("follow", "สวัสดี", "english", "hello there", "ไทย")


@dataclass
class Sender:
    """One LINE user's events in order, each with the way it is to be duplicated, if at all."""

    events: list[dict[str, Any]] = field(default_factory=list)
    duplication: dict[int, str] = field(default_factory=dict)


class Recorder:
    """Collects what a user does instead of posting it, so the flood can be arranged first."""

    def __init__(self) -> None:
        self.sender = Sender()

    async def __call__(self, event: dict[str, Any]) -> None:
        self.sender.events.append(event)


async def test_a_flood_of_500_events_with_20_percent_duplicates_is_handled_once_each(system: Drill) -> None:
    platform = system.platform
    stations = {name: await station_for_pin(system.pool, platform, name) for name in ("bangkok", "chiang_mai")}
    reporters, chatters, senders = [], [], []
    for n in range(REPORTERS):
        recorder = Recorder()
        reporter = Reporter(Citizen(platform, recorder), ("bangkok", "chiang_mai")[n % 2], f"08123457{n:02d}")
        await reporter.send_all()
        reporters.append(reporter)
        senders.append(recorder.sender)
    for _ in range(CHATTERS):
        recorder = Recorder()
        chatter = Citizen(platform, recorder)
        await chatter.follows()
        for text in CHAT[1:]:
            await chatter.says(text)
        chatters.append(chatter)
        senders.append(recorder.sender)
    slots = [(sender, index) for sender in senders for index in range(EVENTS_EACH)]
    chosen = random.Random(500).sample(slots, sum(DUPLICATES.values()))
    kinds = [kind for kind, count in DUPLICATES.items() for _ in range(count)]
    for (sender, index), kind in zip(chosen, kinds, strict=True):
        sender.duplication[index] = kind

    responses = await asyncio.gather(*(flood(system, sender) for sender in senders))
    answers = [answer for per_sender in responses for answer in per_sender]
    assert sum(received for received, _ in answers) == REPORTERS * EVENTS_EACH + CHATTERS * EVENTS_EACH + len(chosen)
    delivered = sum(count for _, count in answers)
    # Repeats that come after the first was taken are refused at the door; racing ones may both
    # get in, and the conversation drops the second.
    assert REPORTERS * EVENTS_EACH + CHATTERS * EVENTS_EACH <= delivered \
        <= REPORTERS * EVENTS_EACH + CHATTERS * EVENTS_EACH + DUPLICATES["racing requests"]

    await until_answered(platform, reporters, timeout=120)
    await until_chatted(platform, chatters, timeout=60)
    await system.settled(timeout=120)

    await check_reports(system.pool, platform, reporters, stations)
    for chatter in chatters:
        assert len(platform.bot_messages(chatter.user_id)) == EVENTS_EACH
        assert repeated_messages(platform, chatter.user_id) == []
    event_ids = [event["webhookEventId"] for sender in senders for event in sender.events]
    assert await system.pool.fetchval("select count(*) from webhook_events where event_id = any($1::text[])",
                                      event_ids) == len(event_ids)
    alerts = sum(len(platform.bot_messages(station.officer_line)) for station in stations.values())
    assert alerts == REPORTERS


async def flood(system: Drill, sender: Sender) -> list[tuple[int, int]]:
    """Posts one user's events in order, with their duplicates; (events received, delivered) per request."""
    answers = []

    async def post(batch: list[dict[str, Any]]) -> None:
        response = await system.post(batch)
        assert response.status_code == 200, response.text
        answers.append((response.json()["received"], response.json()["delivered"]))

    late = []
    for index, event in enumerate(sender.events):
        kind = sender.duplication.get(index)
        if kind == "twice in one request":
            await post([event, event])
        elif kind == "racing requests":
            await asyncio.gather(post([event]), post([event]))
        else:
            await post([event])
        if kind == "late redelivery":
            late.append(events.redelivered(event))
    for event in late:
        await post([event])
    return answers


async def until_chatted(platform: FakeLinePlatform, chatters: list[Citizen], timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while any(len(platform.bot_messages(c.user_id)) < EVENTS_EACH for c in chatters) and loop.time() < deadline:
        await asyncio.sleep(0.2)
    heard = [len(platform.bot_messages(chatter.user_id)) for chatter in chatters]
    assert all(count >= EVENTS_EACH for count in heard), f"chatting users still wait for answers (heard {heard})"
