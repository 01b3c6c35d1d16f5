"""Drill: the LINE API answers 429 for half a minute, then 500 for another half, on every endpoint
the bot calls, while reports and an officer's tap are under way. During the 500s a push is
delivered all the same and only LINE's answer is lost, the case the retry key exists for.

The sends retry (options.LINE); a push retried after LINE took it is answered 409 thanks to its
retry key. Afterwards every message has arrived exactly once and every case is in PostgreSQL as
it should be.

A reply cannot carry a retry key. When LINE delivers a reply but its answer is lost, the bot
replies again at once, while the token is fresh: LINE's "Invalid reply token" then proves the
first reply arrived, and nothing is pushed after it."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from tests.conversation import Citizen
from tests.drills.conftest import drill_settings
from tests.drills.reports import (
    REPORT_STEPS,
    check_reports,
    new_reporters,
    repeated_messages,
    station_for_pin,
    until_answered,
)
from tests.drills.stack import Drill, running
from tests.fake_line import FakeLine

PHASE_SECONDS = 30  # 429 for this long, then 500
ENDPOINTS = ("reply", "push", "loading", "profile")
RECOVERY_SECONDS = 60  # the retries back off up to 30 s apart


async def test_line_answering_429_then_500_for_a_minute_delivers_each_message_once(system: Drill) -> None:
    platform = system.platform
    stations = {name: await station_for_pin(system.pool, platform, name) for name in ("bangkok", "chiang_mai")}
    [done] = new_reporters(system.citizen, "bangkok")
    waiting = new_reporters(system.citizen, "chiang_mai", "bangkok")
    fresh = new_reporters(system.citizen, "chiang_mai", "bangkok")
    [late] = new_reporters(system.citizen, "bangkok")  # begins while LINE answers 500
    await asyncio.gather(done.steps(REPORT_STEPS), *(r.steps(REPORT_STEPS - 1) for r in waiting))
    officer = Citizen(platform, system.deliver, user_id=stations["bangkok"].officer_line)
    [alert] = await officer.hears()
    await system.settled()
    requests_before = len(platform.requests)

    for endpoint in ENDPOINTS:
        platform.fail_for(endpoint, PHASE_SECONDS, status=429)
    # Reporters finish or send a whole report without waiting for answers; the officer taps.
    await asyncio.gather(*(r.send_next() for r in waiting), *(r.send_all() for r in fresh),
                         officer.taps("รับทราบ", in_message=alert))
    await asyncio.sleep(PHASE_SECONDS)
    for endpoint in ENDPOINTS:
        platform.fail_for(endpoint, PHASE_SECONDS, status=500, after_work=endpoint == "push")
    await late.send_all()
    await asyncio.sleep(PHASE_SECONDS)

    done.extra_answers = 1  # "an officer has taken your case"
    reporters = [done, *waiting, *fresh, late]
    await until_answered(platform, reporters, timeout=RECOVERY_SECONDS)
    await system.settled()

    failures = Counter((r.endpoint, r.status) for r in platform.requests[requests_before:] if r.status >= 400)
    for endpoint in ("reply", "push"):  # the outage was met, in both its phases
        assert failures[(endpoint, 429)] and failures[(endpoint, 500)], failures
    await check_reports(system.pool, platform, reporters, stations, status={done.user_id: "ACKNOWLEDGED"})
    bangkok_cases = len([r for r in reporters if r.pin_name == "bangkok"])
    assert len(platform.bot_messages(officer.user_id)) == bangkok_cases + 1  # alerts, and the tap's confirmation
    assert repeated_messages(platform, officer.user_id) == []
    assert set(system.answers) == {200}



async def test_line_profiles_out_of_reach_hold_up_neither_a_report_nor_an_officer(system: Drill) -> None:
    """The bot asks LINE for a user's language when a conversation starts and when an officer taps
    an alert. LINE failing to say costs only the language (Thai, the default)."""
    platform = system.platform
    stations = {"bangkok": await station_for_pin(system.pool, platform, "bangkok")}
    lookups_before = len(platform.requests_to("profile"))
    platform.fail_for("profile", 120, status=500)
    [reporter] = new_reporters(system.citizen, "bangkok")
    await reporter.steps(REPORT_STEPS)
    officer = Citizen(platform, system.deliver, user_id=stations["bangkok"].officer_line)
    [alert] = await officer.hears()
    await officer.taps("รับทราบ", in_message=alert)
    await officer.hears()  # the officer's confirmation
    reporter.extra_answers = 1  # "an officer has taken your case"
    await until_answered(platform, [reporter], timeout=20)
    await system.settled()

    assert {r.status for r in platform.requests_to("profile")[lookups_before:]} == {500}
    await check_reports(system.pool, platform, [reporter], stations, status={reporter.user_id: "ACKNOWLEDGED"})
    assert len(platform.bot_messages(officer.user_id)) == 2

REPLY_TOKEN_SECONDS = 12  # the worker's idea of a reply token's lifetime, short so the drill is quick


@pytest.fixture
async def system_with_short_reply_tokens(
    monkeypatch: pytest.MonkeyPatch, dev_server: WorkflowEnvironment, database_url: str, pool: asyncpg.Pool,
    fake_line: FakeLine, line_settings: Settings, task_queue: str,
) -> AsyncIterator[Drill]:
    monkeypatch.setenv("ESS_LINE_REPLY_TOKEN_LIFETIME", f"PT{REPLY_TOKEN_SECONDS}S")  # the worker process reads it
    settings = drill_settings(line_settings, database_url, dev_server.client.service_client.config.target_host,
                              task_queue)
    async with running(settings, dev_server.client, pool, fake_line.platform) as drill:
        yield drill


async def test_a_reply_delivered_with_its_answer_lost_is_not_sent_again_after_its_token_expired(
        system_with_short_reply_tokens: Drill) -> None:
    system = system_with_short_reply_tokens
    platform = system.platform
    stations = {"bangkok": await station_for_pin(system.pool, platform, "bangkok")}
    [reporter] = new_reporters(system.citizen, "bangkok")
    await reporter.steps(REPORT_STEPS - 1)
    await system.settled()

    # The case number's reply meets three 429s (attempts about 0, 1 and 3 s after the phone
    # number), then LINE delivers it and the answer is lost (about 7 s); a retry at the activity's
    # pace (about 15 s) would find the token old, so the same attempt replies again at once.
    platform.fail_next("reply", status=429, times=3)
    platform.lose_next_response("reply")
    await reporter.send_next()
    await until_answered(platform, [reporter], timeout=30)
    await system.settled()

    assert [r.status for r in platform.requests_to("reply")[-5:]] == [429, 429, 429, 500, 400]
    assert [r for r in platform.requests_to("push") if r.body["to"] == reporter.user_id] == []
    await check_reports(system.pool, platform, [reporter], stations)
