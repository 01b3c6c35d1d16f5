"""The police response end to end: an officer acknowledges from the button on their LINE alert
(signed webhook → their conversation → the case → LINE), and an escalation that falls due while
the worker is dead still goes out, once, when it comes back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.models import Audience, CaseStatus, EscalationRung
from tests.conversation import text_of
from tests.e2e.conftest import System
from tests.scene import DETENTION, Scene
from workflows.case import CaseWorkflow


@pytest.fixture
async def scene(system: System) -> Scene:
    return await Scene(system.env.client, system.settings, system.pool, system.line.platform, system.citizen,
                       system.send).set_up()


async def test_an_officer_acknowledges_from_the_button_on_the_line_alert(system: System, scene: Scene) -> None:
    case_no, handle = await scene.open_case()
    inspector = scene.officer_hears(scene.station_line)
    [_alert] = await inspector.hears()
    await inspector.taps("รับทราบ")
    [done] = await inspector.hears()
    assert case_no in text_of(done)
    assert await handle.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED
    [news] = await scene.reporter.hears()
    assert "รับเรื่อง" in text_of(news)


async def test_an_escalation_due_while_the_worker_is_dead_goes_out_once_it_is_back(
    system: System, scene: Scene
) -> None:
    fast_ladder = DETENTION.model_copy(update={"escalation": [
        EscalationRung(after=timedelta(0), audiences=[Audience.STATION]),
        EscalationRung(after=timedelta(seconds=6), audiences=[Audience.SUPERINTENDENT]),
    ]})
    case_no, _ = await scene.open_case(fast_ladder)
    await scene.officer_hears(scene.station_line).hears()

    system.worker.kill()
    superintendent = scene.officer_hears(scene.superintendent_line)
    await superintendent.hears_nothing(within=8)  # the rung falls due with no worker alive
    system.worker.start()

    [alert] = await superintendent.hears(timeout=60)
    assert case_no in alert["altText"] and "ขั้นที่ 1" in text_of(alert)
    await superintendent.hears_nothing(within=2)  # once
