"""Drill: PostgreSQL stops for 30 seconds in the middle of a run of reports (an embedded server of
the drill's own, stopped as `make run` stops it: fast shutdown, every session ended).

While it is down the webhook keeps answering 200: its de-duplication falls back to the workflows'
(LINE redelivers an event already handled, and one handled during the outage: nothing happens
twice). Reports in flight, reports begun during the outage and an officer's tap wait, their
activities retrying (the STORE policy), and all come through once PostgreSQL is back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest

from line_simulator import events
from orchestration.client import connect_temporal
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
from tests.drills.stack import (
    DevServerOnFile,
    Drill,
    OwnPostgres,
    drill_folder,
    drill_pool,
    line_settings_for,
    own_fake_line,
    running,
)

DOWN_SECONDS = 30
RECOVERY_SECONDS = 75  # retries back off up to a minute apart (options.STORE)


@pytest.fixture
async def postgres_and_system(task_queue: str) -> AsyncIterator[tuple[OwnPostgres, Drill]]:
    """A PostgreSQL of the drill's own, with a Temporal server and a LINE channel of its own too: its
    case numbers start again at 1, and must meet neither the workflows nor the retry keys of cases
    numbered in the shared database."""
    async with drill_folder() as folder, own_fake_line() as line:
        postgres, temporal = OwnPostgres(folder), DevServerOnFile(folder)
        try:
            url = await postgres.start()
            await temporal.start()
            pool = await drill_pool(url)
            settings = drill_settings(line_settings_for(line), url, temporal.address, task_queue)
            try:
                async with running(settings, await connect_temporal(settings), pool, line.platform) as drill:
                    yield postgres, drill
            finally:
                await pool.close()
        finally:
            temporal.stop()
            await postgres.stop()


async def test_postgres_stopped_for_30_seconds_loses_nothing(postgres_and_system: tuple[OwnPostgres, Drill],
                                                            caplog: pytest.LogCaptureFixture) -> None:
    postgres, system = postgres_and_system
    platform = system.platform
    stations = {name: await station_for_pin(system.pool, platform, name) for name in ("bangkok", "chiang_mai")}
    [done] = new_reporters(system.citizen, "bangkok")
    waiting = new_reporters(system.citizen, "chiang_mai", "bangkok")
    fresh = new_reporters(system.citizen, "chiang_mai", "bangkok")
    await asyncio.gather(done.steps(REPORT_STEPS), *(r.steps(REPORT_STEPS - 1) for r in waiting))
    officer = Citizen(platform, system.deliver, user_id=stations["bangkok"].officer_line)
    [alert] = await officer.hears()
    await system.settled()

    await postgres.stop()
    stopped_at = time.monotonic()
    with pytest.raises((OSError, asyncpg.PostgresError, asyncpg.InterfaceError)):
        await system.pool.fetchval("select 1")
    # LINE goes on delivering: phone numbers, new reports, an officer's tap, and redeliveries of
    # an event handled before the outage and of one handled during it.
    await asyncio.gather(*(r.send_next() for r in [*waiting, *fresh]), officer.taps("รับทราบ", in_message=alert))
    for event in (done.citizen.sent[-1], waiting[0].citizen.sent[-1]):
        response = await system.post([events.redelivered(event)])
        assert response.status_code == 200, response.text
    assert system.refused == []  # the webhook answered every one
    assert "webhook de-duplication unavailable" in caplog.text  # so the workflows' own took over
    await asyncio.sleep(DOWN_SECONDS - (time.monotonic() - stopped_at))
    await postgres.start_again()

    await until_answered(platform, [*waiting, *fresh], timeout=RECOVERY_SECONDS)
    await asyncio.gather(*(r.steps(REPORT_STEPS - 1, timeout=RECOVERY_SECONDS) for r in fresh))
    done.extra_answers = 1  # "an officer has taken your case"
    await until_answered(platform, [done, *waiting, *fresh], timeout=RECOVERY_SECONDS)
    await system.settled()

    reporters = [done, *waiting, *fresh]
    await check_reports(system.pool, platform, reporters, stations, status={done.user_id: "ACKNOWLEDGED"})
    bangkok_cases = len([r for r in reporters if r.pin_name == "bangkok"])
    assert len(platform.bot_messages(officer.user_id)) == bangkok_cases + 1  # alerts, and the tap's confirmation
    assert repeated_messages(platform, officer.user_id) == []
    assert set(system.answers) == {200}
