"""Delivery that outlasts a LINE outage, on the time-skipping server with the real workflows and
activities: the reporter's case number arrives exactly once after LINE was down for half an hour,
and what officers must hear keeps trying for ESS_LINE_DELIVERY_HOURS, then is recorded on the case
as undelivered (by role and officer id, never by LINE user id).

The fake LINE platform's outages run on the wall clock, the retries on skipped time: a test keeps
LINE down across the skipped stretch and ends the outage itself (clear_faults) when it is over."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from prometheus_client import REGISTRY
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from domain.models import ActionKind, OfficerAction, ReporterMessage
from tests.conversation import CASE_NUMBER, text_of
from tests.fake_line import FakeLine
from tests.scene import Scene
from tests.waiting import eventually
from tests.workflows.conftest import Reporting, _reporting
from tests.workflows.test_intake import reach
from workflows.case import CaseWorkflow

MINUTE = timedelta(minutes=1)
WALL_CLOCK_OUTAGE = 3600  # seconds: longer than any test here takes; each test ends it itself


@pytest.fixture
async def quick_tokens(
    time_skipping_server: WorkflowEnvironment, pool: asyncpg.Pool, database_url: str, fake_line: FakeLine,
    line_settings: Settings, task_queue: str, request: pytest.FixtureRequest,
) -> AsyncIterator[Reporting]:
    """As `reporting`, with reply tokens the bot trusts for 5 s instead of 45. While a token is
    fresh, a reply LINE answers 5xx is repeated for seconds of wall-clock time inside its attempt
    (only a fresh token tells delivered from lost); time cannot be skipped meanwhile, and a
    minute of that can outlast a skip's RPC deadline. The outage's retries are the same."""
    settings = line_settings.model_copy(update={"line_reply_token_lifetime": timedelta(seconds=5)})
    async for reporting in _reporting(time_skipping_server, pool, database_url, fake_line, settings, task_queue,
                                      request):
        yield reporting


async def skip(env: WorkflowEnvironment, total: timedelta, step: timedelta = 5 * MINUTE) -> None:
    """Skip `total` in steps: one long skip can outlast its RPC's deadline on a loaded machine."""
    while total > timedelta(0):
        await env.sleep(min(step, total))
        total -= step


async def test_after_a_30_minute_line_outage_the_case_number_arrives_exactly_once(quick_tokens: Reporting) -> None:
    reporting = quick_tokens
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    platform = citizen.platform
    requests_before = len(platform.requests)
    for endpoint in ("reply", "push"):  # LINE down: every message call answers 503
        platform.fail_for(endpoint, WALL_CLOCK_OUTAGE, status=503)

    await citizen.says("081-234-5678")
    await skip(reporting.env, 30 * MINUTE, step=MINUTE)
    await citizen.hears_nothing(within=0.2)
    platform.clear_faults()  # LINE is back after half an hour
    await skip(reporting.env, 3 * MINUTE)  # the next attempt comes at most two minutes apart

    case_no = await citizen.hears_case_number()
    row = await reporting.case_row(case_no)
    assert row is not None and row["phone_e164"] == "+66812345678"
    await skip(reporting.env, 5 * MINUTE)
    told = [entry for entry in platform.bot_messages(citizen.user_id) if CASE_NUMBER.search(text_of(entry.message))]
    assert len(told) == 1, [text_of(entry.message) for entry in told]  # the chat shows it once
    failed = [r for r in platform.requests[requests_before:] if r.status == 503]
    assert len(failed) > 3  # the outage was met, and retried through


async def test_what_an_officer_must_hear_keeps_trying_for_hours_then_is_recorded_undelivered(scene: Scene) -> None:
    case_no, handle = await scene.open_case()
    await scene.officer_hears(scene.station_line).hears()  # the alert
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.ACKNOWLEDGE,
                                                                officer=scene.station_officer))
    scene.platform.fail_for("push", WALL_CLOCK_OUTAGE, status=500)
    pushes_before = len(scene.platform.requests_to("push"))
    await handle.signal(CaseWorkflow.reporter_message, ReporterMessage(
        event_id=f"event-{uuid.uuid4()}", message_type="text", text="ช่วยด้วย", received_at=datetime.now(UTC)))

    async def undelivered(prompt: str = "reporter_says") -> list:
        return await scene.pool.fetch(
            "select actor, details from case_events where case_no = $1 and kind = 'MESSAGE_UNDELIVERED'"
            " and details->>'prompt' = $2", case_no, prompt)

    window = timedelta(hours=scene.settings.line_delivery_hours)
    await skip(scene.env, window - 30 * MINUTE, step=30 * MINUTE)
    # The reporter's routine news (an officer has taken the case) gave up after minutes; what the
    # officer must hear is still trying.
    assert len(await undelivered("reporter_acknowledged")) == 1
    assert await undelivered() == []
    assert len(scene.platform.requests_to("push")) - pushes_before > 10
    await skip(scene.env, 45 * MINUTE)

    [recorded] = await eventually(undelivered)
    assert recorded["details"] == {"to": "officer", "officer_id": scene.station_officer.officer_id,
                                   "prompt": "reporter_says"}
    assert scene.station_line not in str(dict(recorded))


async def test_lines_retry_after_holds_the_next_attempt_back(live_scene: Scene) -> None:
    """On the real server: LINE asks for 3 s where the backoff would wait 1 s."""
    live_scene.platform.fail_next("push", status=429, retry_after=3)
    pushes_before = len(live_scene.platform.requests_to("push"))
    await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears(timeout=30)  # the alert, in the end

    pushes = live_scene.platform.requests_to("push")[pushes_before:]
    [refused] = [push for push in pushes if push.status == 429]
    [retried] = [push for push in pushes if push.body["to"] == refused.body["to"] and push.at > refused.at]
    assert retried.status == 200
    assert retried.at - refused.at >= 3
    assert len(live_scene.platform.bot_messages(refused.body["to"])) == 1


async def test_the_monthly_quota_is_not_hammered_and_the_message_is_recorded_undelivered(live_scene: Scene) -> None:
    """LINE's 429 for the used-up monthly quota is no burst: one try, an operator's counter, and
    the case shows the officer never heard (on the real server: no time is skipped)."""
    case_no, handle = await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears()  # the alert
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.ACKNOWLEDGE,
                                                                officer=live_scene.station_officer))
    await live_scene.reporter.hears()  # an officer has taken the case
    quota_before = REGISTRY.get_sample_value("ess_line_quota_exhausted_total", {"operation": "push"}) or 0.0
    live_scene.platform.exhaust_quota(seconds=WALL_CLOCK_OUTAGE)
    pushes_before = len(live_scene.platform.requests_to("push"))
    await handle.signal(CaseWorkflow.reporter_message, ReporterMessage(
        event_id=f"event-{uuid.uuid4()}", message_type="text", text="ช่วยด้วย", received_at=datetime.now(UTC)))

    recorded = await eventually(lambda: live_scene.pool.fetchrow(
        "select details from case_events where case_no = $1 and kind = 'MESSAGE_UNDELIVERED'", case_no))
    assert recorded["details"] == {"to": "officer", "officer_id": live_scene.station_officer.officer_id,
                                   "prompt": "reporter_says"}
    await asyncio.sleep(2)  # a retry would have come by now
    assert [push.status for push in live_scene.platform.requests_to("push")[pushes_before:]] == [429]
    assert REGISTRY.get_sample_value("ess_line_quota_exhausted_total", {"operation": "push"}) == quota_before + 1


@pytest.fixture
async def short_window_scene(
    dev_server: WorkflowEnvironment, pool: asyncpg.Pool, database_url: str, fake_line: FakeLine,
    line_settings: Settings, task_queue: str, request: pytest.FixtureRequest,
) -> AsyncIterator[Scene]:
    """A scene on the real server whose worker gives what must arrive 9 seconds (0.0025 hours)."""
    settings = line_settings.model_copy(update={"line_delivery_hours": 0.0025})
    async for reporting in _reporting(dev_server, pool, database_url, fake_line, settings, task_queue, request):
        yield await Scene(reporting.env.client, reporting.settings, reporting.pool, reporting.line.platform,
                          reporting.citizen, reporting.deliver).set_up()


async def test_the_window_is_counted_from_the_first_attempt_on_the_real_server(short_window_scene: Scene) -> None:
    """The real server's schedule times of a retried activity: first attempt, and this attempt."""
    scene = short_window_scene
    case_no, handle = await scene.open_case()
    await scene.officer_hears(scene.station_line).hears()  # the alert
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.ACKNOWLEDGE,
                                                                officer=scene.station_officer))
    await scene.reporter.hears()  # an officer has taken the case: out before LINE goes down
    scene.platform.fail_for("push", WALL_CLOCK_OUTAGE, status=503)
    pushes_before = len(scene.platform.requests_to("push"))
    started = asyncio.get_running_loop().time()
    await handle.signal(CaseWorkflow.reporter_message, ReporterMessage(
        event_id=f"event-{uuid.uuid4()}", message_type="text", text="ช่วยด้วย", received_at=datetime.now(UTC)))

    await eventually(lambda: scene.pool.fetchrow(
        "select 1 from case_events where case_no = $1 and kind = 'MESSAGE_UNDELIVERED'"
        " and details->>'prompt' = 'reporter_says'", case_no), timeout=40)
    took = asyncio.get_running_loop().time() - started
    relays = [push for push in scene.platform.requests_to("push")[pushes_before:]
              if push.body["to"] == scene.station_line]
    # Attempts 1, 2, 4, 8 s after the first; the one at 16 s is past the 9 s window and ends it.
    assert 9 <= took < 30
    assert 4 <= len(relays) <= 6
