"""Drill: the Temporal dev server (SQLite at --db-filename, as `make run` starts it) is SIGKILLed
while reports are in flight, and started again on the same file and port.

While it is down the webhook answers 503 within LINE's 2 s (the API's client retries an
unreachable server for a second) and LINE keeps the events; they come back as LINE redelivers them (same webhookEventId,
isRedelivery). A conversation waiting for its phone number,
conversations not yet begun, an officer's tap and an escalation timer due during the outage all
come through: every case completes, once, and nothing is said twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from configuration.settings import Settings
from domain.models import Audience, CaseStatus, EscalationRung
from orchestration.client import connect_temporal
from orchestration.ids import case_workflow_id
from tests.conversation import Citizen
from tests.drills.conftest import drill_settings
from tests.drills.reports import (
    REPORT_STEPS,
    alerts_about,
    check_reports,
    new_reporters,
    repeated_messages,
    station_for_pin,
    until,
    until_answered,
)
from tests.drills.stack import DevServerOnFile, Drill, drill_folder, running
from tests.fake_line import FakeLine
from tests.scene import DETENTION, Scene
from workflows.case import CaseWorkflow

DOWN_SECONDS = 15
LINE_ANSWER_SECONDS = 2  # past this LINE records a request_timeout
RECOVERY_SECONDS = 75


@pytest.fixture
async def server_and_system(database_url: str, pool, fake_line: FakeLine, line_settings: Settings,
                            task_queue: str) -> AsyncIterator[tuple[DevServerOnFile, Drill]]:
    async with drill_folder() as folder:
        server = DevServerOnFile(folder)
        try:
            await server.start()
            settings = drill_settings(line_settings, database_url, server.address, task_queue)
            client = await connect_temporal(settings)
            async with running(settings, client, pool, fake_line.platform) as drill:
                yield server, drill
        finally:
            server.stop()


async def test_the_temporal_server_restarted_on_its_file_loses_nothing(
        server_and_system: tuple[DevServerOnFile, Drill]) -> None:
    server, system = server_and_system
    platform = system.platform
    stations = {name: await station_for_pin(system.pool, platform, name) for name in ("bangkok", "chiang_mai")}
    done = new_reporters(system.citizen, "bangkok", "chiang_mai")
    waiting = new_reporters(system.citizen, "bangkok", "chiang_mai")
    fresh = new_reporters(system.citizen, "chiang_mai", "bangkok")
    await asyncio.gather(*(r.steps(REPORT_STEPS) for r in done), *(r.steps(REPORT_STEPS - 1) for r in waiting))
    [first_case, _] = [r.case_no(platform) for r in done]
    officer = Citizen(platform, system.deliver, user_id=stations["bangkok"].officer_line)
    [alert] = await officer.hears()
    scene = await Scene(system.client, system.settings, system.pool, platform, system.citizen, system.deliver).set_up()
    ladder = DETENTION.model_copy(update={"escalation": [
        EscalationRung(after=timedelta(0), audiences=[Audience.STATION]),
        EscalationRung(after=timedelta(seconds=5), audiences=[Audience.SUPERINTENDENT]),  # due while down
    ]})
    scene_case, _ = await scene.open_case(ladder)
    await until(lambda: alerts_about(platform, scene.station_line, scene_case), what="the scene's first alert")

    answered_before = len(system.answers)
    server.kill()  # the case is mid-run: the worker is reporting its alert sent, then records it
    killed_at = time.monotonic()
    # LINE keeps delivering: the phone numbers, new reports, an officer's tap. The webhook cannot
    # hand them to Temporal and answers 503; LINE will send them again.
    await asyncio.gather(*(r.send_next() for r in [*waiting, *fresh]), officer.taps("รับทราบ", in_message=alert))
    assert system.answers[answered_before:] == [503] * (len(waiting) + len(fresh) + 1)
    assert max(system.answer_seconds[answered_before:]) < LINE_ANSWER_SECONDS, system.answer_seconds[answered_before:]
    assert len(system.refused) == len(waiting) + len(fresh) + 1
    await asyncio.sleep(DOWN_SECONDS - (time.monotonic() - killed_at))
    await server.start()

    assert await system.redeliver_refused() == [200] * (len(waiting) + len(fresh) + 1)
    await until_answered(platform, [*waiting, *fresh], timeout=RECOVERY_SECONDS)
    await asyncio.gather(*(r.steps(REPORT_STEPS - 1, timeout=RECOVERY_SECONDS) for r in fresh))
    done[0].extra_answers = 1  # "an officer has taken your case"
    await until_answered(platform, [*done, *waiting, *fresh], timeout=RECOVERY_SECONDS)
    await until(lambda: alerts_about(platform, scene.superintendent_line, scene_case), RECOVERY_SECONDS,
                "the escalation due during the outage")
    await system.settled()

    reporters = [*done, *waiting, *fresh]
    await check_reports(system.pool, platform, reporters, stations, status={done[0].user_id: "ACKNOWLEDGED"})
    assert len(platform.bot_messages(officer.user_id)) == len(
        [r for r in reporters if r.pin_name == "bangkok"]) + 1  # an alert per case, and the tap's confirmation
    assert repeated_messages(platform, officer.user_id) == []
    assert await system.client.get_workflow_handle(case_workflow_id(first_case)).query(CaseWorkflow.status) \
        == CaseStatus.ACKNOWLEDGED
    assert alerts_about(platform, scene.station_line, scene_case) == ["แจ้งเหตุใหม่"]
    assert alerts_about(platform, scene.superintendent_line, scene_case) == ["ยังไม่มีผู้รับเรื่อง (ขั้นที่ 1)"]
