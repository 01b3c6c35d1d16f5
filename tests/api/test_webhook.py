"""POST /line/webhook: LINE's signature on the raw body, events handed to Temporal once each,
and every kind of bad or unexpected input answered clearly without a 500."""

from __future__ import annotations

import json

import pytest
from temporalio.service import RPCError

from api.simulator import events
from domain.pseudonyms import reporter_key
from tests.api.conftest import RunningApi
from workflows.ids import intake_workflow_id


async def post(api: RunningApi, body: bytes, signature: str | None) -> tuple[int, dict]:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-line-signature"] = signature
    response = await api.http.post("/line/webhook", content=body, headers=headers)
    return response.status_code, response.json()


def signed(api: RunningApi, *line_events: dict) -> tuple[bytes, str]:
    body, headers = events.signed_webhook(api.line.platform, list(line_events), api.settings.line_channel_secret)
    return body, headers["x-line-signature"]


async def signals_received(api: RunningApi, user_id: str) -> int | None:
    """How many LINE events reached this user's conversation; None if it never started."""
    key = reporter_key(user_id, api.settings.pseudonym_key)
    handle = api.env.client.get_workflow_handle(intake_workflow_id(key))
    try:
        history = await handle.fetch_history()
    except RPCError:
        return None
    return sum(1 for event in history.events if event.HasField("workflow_execution_signaled_event_attributes"))


async def conversation_started(api: RunningApi, user_id: str) -> bool:
    key = reporter_key(user_id, api.settings.pseudonym_key)
    try:
        await api.env.client.get_workflow_handle(intake_workflow_id(key)).describe()
    except RPCError:
        return False
    return True


async def test_a_signed_event_starts_the_conversation_even_with_no_worker_running(api: RunningApi) -> None:
    user = api.line.platform.add_user()
    body, signature = signed(api, events.text(api.line.platform, user.user_id, "แจ้งเหตุ ช่วยด้วย"))
    status, answer = await post(api, body, signature)
    assert (status, answer) == (200, {"received": 1, "delivered": 1})
    assert await conversation_started(api, user.user_id)


async def test_the_consoles_verify_request_with_no_events_is_answered_200(api: RunningApi) -> None:
    body, signature = signed(api)
    assert await post(api, body, signature) == (200, {"received": 0, "delivered": 0})


@pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSByaWdodCBzaWduYXR1cmU="])
async def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_signalled(api: RunningApi, signature) -> None:
    user = api.line.platform.add_user()
    body, _ = signed(api, events.text(api.line.platform, user.user_id, "แจ้งเหตุ"))
    status, answer = await post(api, body, signature)
    assert status in (400, 401)
    assert "X-Line-Signature" in answer["detail"]
    assert not await conversation_started(api, user.user_id)


async def test_a_body_changed_after_signing_is_refused(api: RunningApi) -> None:
    user = api.line.platform.add_user()
    body, signature = signed(api, events.text(api.line.platform, user.user_id, "แจ้งเหตุ"))
    reserialised = json.dumps(json.loads(body)).encode()  # \u escapes: same JSON, other bytes
    assert reserialised != body
    status, _ = await post(api, reserialised, signature)
    assert status == 401
    assert not await conversation_started(api, user.user_id)


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"destination": "x"}', b'{"events": {"type": "message"}}', b"\xff\xfe"],
    ids=["not-json", "no-events", "events-not-a-list", "not-utf8"],
)
async def test_a_body_that_is_not_a_webhook_payload_gets_400(api: RunningApi, body: bytes) -> None:
    status, answer = await post(api, body, events.sign(body, api.settings.line_channel_secret))
    assert status == 400 and answer["detail"]


async def test_a_malformed_event_refuses_the_whole_request_and_signals_nothing(api: RunningApi) -> None:
    user = api.line.platform.add_user()
    good = events.text(api.line.platform, user.user_id, "แจ้งเหตุ")
    broken = events.location(api.line.platform, user.user_id, 13.7, 100.5)
    del broken["message"]["latitude"]
    body, signature = signed(api, good, broken)
    status, answer = await post(api, body, signature)
    assert status == 400
    assert "event 1" in answer["detail"] and "13.7" not in answer["detail"]
    assert not await conversation_started(api, user.user_id)


async def test_unknown_event_types_group_chats_and_standby_mode_are_acknowledged_and_left_alone(api: RunningApi) -> None:
    platform = api.line.platform
    user = platform.add_user()
    unknown = {**events.follow(platform, user.user_id), "type": "somethingNew"}
    from_group = events.text(platform, user.user_id, "แจ้งเหตุ")
    from_group["source"] = {"type": "group", "groupId": "C" + "0" * 32, "userId": user.user_id}
    standby = events.text(platform, user.user_id, "แจ้งเหตุ", mode="standby")
    body, signature = signed(api, unknown, from_group, standby)
    assert await post(api, body, signature) == (200, {"received": 3, "delivered": 0})
    assert not await conversation_started(api, user.user_id)


async def test_a_message_type_newer_than_the_sdk_still_reaches_the_conversation(api: RunningApi) -> None:
    user = api.line.platform.add_user()
    event = events.text(api.line.platform, user.user_id, "x")
    event["message"] = {"type": "hologram", "id": "123"}
    body, signature = signed(api, event)
    assert await post(api, body, signature) == (200, {"received": 1, "delivered": 1})


async def test_a_redelivered_event_changes_nothing(api: RunningApi) -> None:
    user = api.line.platform.add_user()
    first = events.text(api.line.platform, user.user_id, "แจ้งเหตุ")
    body, signature = signed(api, first)
    assert (await post(api, body, signature))[1]["delivered"] == 1
    body, signature = signed(api, events.redelivered(first))
    assert await post(api, body, signature) == (200, {"received": 1, "delivered": 0})
    assert await signals_received(api, user.user_id) == 1


async def test_several_events_in_one_request_reach_the_conversation_in_order(api: RunningApi) -> None:
    platform = api.line.platform
    user = platform.add_user()
    batch = [events.text(platform, user.user_id, f"ข้อความ {n}") for n in range(3)]
    body, signature = signed(api, *batch)
    assert await post(api, body, signature) == (200, {"received": 3, "delivered": 3})
    assert await signals_received(api, user.user_id) == 3
