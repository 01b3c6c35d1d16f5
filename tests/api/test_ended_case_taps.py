"""A button on the LINE alert of a case no workflow runs for (ended, or never was), through the real
webhook with no worker running: the webhook answers the tap itself, as the case would, and no
conversation is started or signalled for it."""

from __future__ import annotations

import time
import uuid
from typing import Any

import asyncpg
import pytest

from domain.models import OfficerRole
from line_simulator import events
from tests.api.conftest import RunningApi
from tests.api.test_webhook import conversation_started
from tests.conversation import Citizen, text_of
from tests.officers import fresh_district, linked_officer, station_for
from tests.scene import Scene


def unknown_case() -> str:
    """A number no case has (no case is numbered in 1999), and no other test taps: its audit entries are this test's."""
    return f"ESS-1999-{uuid.uuid4().int % 1_000_000:06d}"


@pytest.fixture
async def quiet_scene(api: RunningApi, pool: asyncpg.Pool) -> Scene:
    """A district and its officers on LINE, talking to the webhook, with no worker anywhere."""

    async def send(event: dict[str, Any]) -> None:
        body, headers = events.signed_webhook(api.line.platform, [event], api.settings.line_channel_secret)
        response = await api.http.post("/line/webhook", content=body, headers=headers)
        assert response.json() == {"received": 1, "delivered": 1}

    return await Scene(api.env.client, api.settings, pool, api.line.platform,
                       lambda: Citizen(api.line.platform, send), send).set_up()


async def ended_case(scene: Scene) -> str:
    """A case of the scene's station, closed: a row in the store and no workflow."""
    case_no = (await scene.recorded_case()).case_no
    await scene.pool.execute("update cases set station_id = $2, status = 'CLOSED' where case_no = $1",
                             case_no, scene.station_id)
    return case_no


async def refusals(pool: asyncpg.Pool, case_no: str) -> list[asyncpg.Record]:
    return await pool.fetch("select officer_id, details from audit_log"
                            " where case_no = $1 and action = 'CASE_VIEW_REFUSED'", case_no)


async def test_the_cases_own_officer_hears_it_has_ended_from_the_webhook_alone(
        api: RunningApi, quiet_scene: Scene) -> None:
    case_no = await ended_case(quiet_scene)
    inspector = quiet_scene.officer_hears(quiet_scene.station_line)

    await inspector.taps_postback(f"action=officer&code=ACKNOWLEDGE&case={case_no}")

    [answer] = await inspector.hears()
    assert text_of(answer) == f"{case_no}: ทำรายการไม่ได้ — เรื่องนี้ปิดไปแล้ว"
    entry = inspector.last_entries[0]
    assert entry.via == "reply" and entry.notification_disabled  # in the tap's own exchange, silently
    assert not await conversation_started(api, quiet_scene.station_line)
    assert await refusals(quiet_scene.pool, case_no) == []


async def test_an_officer_whose_line_speaks_english_hears_it_in_english(api: RunningApi, quiet_scene: Scene) -> None:
    case_no = await ended_case(quiet_scene)
    _, english_line = await linked_officer(quiet_scene.pool, quiet_scene.platform, OfficerRole.INSPECTOR,
                                           station_id=quiet_scene.station_id, language="en")
    officer = quiet_scene.officer_hears(english_line)
    await officer.taps_postback(f"action=officer&code=OPEN&case={case_no}")
    [answer] = await officer.hears()
    assert text_of(answer) == f"{case_no}: not done — this case has ended"


@pytest.mark.parametrize("which", ["ended", "unknown"])
async def test_an_officer_outside_the_area_is_refused_neutrally_and_audited_once(
        api: RunningApi, quiet_scene: Scene, which: str) -> None:
    case_no = await ended_case(quiet_scene) if which == "ended" else unknown_case()
    elsewhere = await fresh_district(quiet_scene.pool)
    outsider, outsider_line = await linked_officer(
        quiet_scene.pool, quiet_scene.platform, OfficerRole.INSPECTOR,
        station_id=await station_for(quiet_scene.pool, elsewhere["code"]))
    officer = quiet_scene.officer_hears(outsider_line)

    tap = await officer.taps_postback(f"action=officer&code=OPEN&case={case_no}")
    [answer] = await officer.hears()
    assert text_of(answer) == f"{case_no}: ทำรายการไม่ได้ — เรื่องนี้อยู่นอกพื้นที่ของท่าน"
    body, headers = events.signed_webhook(api.line.platform, [events.redelivered(tap)],
                                          api.settings.line_channel_secret)
    response = await api.http.post("/line/webhook", content=body, headers=headers)
    assert response.json() == {"received": 1, "delivered": 0}  # LINE sent it again: answered and written once
    await officer.hears_nothing(within=0.5)

    [refusal] = await refusals(quiet_scene.pool, case_no)
    assert refusal["officer_id"] == outsider.officer_id
    assert refusal["details"] == {"via": "line", "event_id": tap["webhookEventId"]}
    assert not await conversation_started(api, outsider_line)


async def test_someone_who_is_not_an_officer_is_told_to_register(api: RunningApi, quiet_scene: Scene) -> None:
    stranger = quiet_scene.new_citizen()
    for case_no in (await ended_case(quiet_scene), unknown_case()):
        await stranger.taps_postback(f"action=officer&code=OPEN&case={case_no}")
        [answer] = await stranger.hears()
        assert "ลงทะเบียน" in text_of(answer)
    assert not await conversation_started(api, stranger.user_id)


async def test_a_slow_line_never_holds_the_webhook_and_the_answer_still_arrives(
        api: RunningApi, quiet_scene: Scene) -> None:
    case_no = await ended_case(quiet_scene)
    inspector = quiet_scene.officer_hears(quiet_scene.station_line)
    api.line.platform.delay_next("reply", seconds=3)

    started = time.monotonic()
    await inspector.taps_postback(f"action=officer&code=ACKNOWLEDGE&case={case_no}")
    assert time.monotonic() - started < 1.5  # the webhook answered LINE before LINE took the words

    [answer] = await inspector.hears()
    assert text_of(answer) == f"{case_no}: ทำรายการไม่ได้ — เรื่องนี้ปิดไปแล้ว"


async def test_the_answer_is_tried_again_while_line_is_busy(api: RunningApi, quiet_scene: Scene) -> None:
    case_no = await ended_case(quiet_scene)
    inspector = quiet_scene.officer_hears(quiet_scene.station_line)
    api.line.platform.fail_next("reply", status=500)

    await inspector.taps_postback(f"action=officer&code=OPEN&case={case_no}")

    [answer] = await inspector.hears()
    assert text_of(answer) == f"{case_no}: ทำรายการไม่ได้ — เรื่องนี้ปิดไปแล้ว"
