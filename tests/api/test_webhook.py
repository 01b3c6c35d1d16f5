"""POST /line/webhook: LINE's signature on the raw body, events handed to Temporal once each,
and every kind of bad or unexpected input answered clearly without a 500."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.service import RPCError

from api.app import create_app
from domain.models import EventKind, LineEvent
from domain.pseudonyms import reporter_key
from line_simulator import events
from orchestration.ids import intake_workflow_id
from tests.api.conftest import RunningApi


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


async def test_unknown_event_types_group_chats_and_standby_mode_are_acknowledged_and_left_alone(
        api: RunningApi) -> None:
    platform = api.line.platform
    user = platform.add_user()
    unknown = {**events.follow(platform, user.user_id), "type": "somethingNew"}
    from_group = events.text(platform, user.user_id, "แจ้งเหตุ")
    from_group["source"] = {"type": "group", "groupId": "C" + "0" * 32, "userId": user.user_id}
    standby = events.text(platform, user.user_id, "แจ้งเหตุ", mode="standby")
    body, signature = signed(api, unknown, from_group, standby)
    assert await post(api, body, signature) == (200, {"received": 3, "delivered": 0})
    assert not await conversation_started(api, user.user_id)


async def line_events_received(api: RunningApi, user_id: str) -> list[tuple[str, LineEvent]]:
    """The signals this user's conversation received, by name, with the LineEvent each carried."""
    key = reporter_key(user_id, api.settings.pseudonym_key)
    history = await api.env.client.get_workflow_handle(intake_workflow_id(key)).fetch_history()
    received = []
    for event in history.events:
        if event.HasField("workflow_execution_signaled_event_attributes"):
            signal = event.workflow_execution_signaled_event_attributes
            [line_event] = await api.env.client.data_converter.decode(signal.input.payloads, [LineEvent])
            received.append((signal.signal_name, line_event))
    return received


async def test_a_message_type_newer_than_the_sdk_still_reaches_the_conversation(api: RunningApi) -> None:
    user = api.line.platform.add_user()
    event = events.text(api.line.platform, user.user_id, "x")
    event["message"] = {"type": "hologram", "id": "123", "text": "not ours to read"}
    body, signature = signed(api, event)
    assert await post(api, body, signature) == (200, {"received": 1, "delivered": 1})

    [(signal_name, received)] = await line_events_received(api, user.user_id)
    assert signal_name == "line_event"
    assert received.event_id == event["webhookEventId"]
    assert received.user_id == user.user_id
    assert received.reply_token == event["replyToken"]
    assert (received.kind, received.message_type, received.message_id) == (EventKind.MESSAGE, "hologram", "123")
    assert received.text is None and received.location is None  # only the type and id of what we cannot read


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


# --- Bodies too large, and bytes checked before anything reads them -------------------------------

A_MEGABYTE = 1024 * 1024


async def raw_exchange(api: RunningApi, request_head: bytes) -> bytes:
    """Sends only a request's head over a plain socket and returns the status line of the answer,
    which must come without the body ever being sent."""
    host, port = api.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request_head)
        await writer.drain()
        return await asyncio.wait_for(reader.readline(), timeout=5)
    finally:
        writer.close()


@pytest.mark.parametrize("signature_line", [b"X-Line-Signature: bm90IHRoZSByaWdodCBzaWduYXR1cmU=\r\n", b""],
                         ids=["signed", "unsigned"])
async def test_a_body_declared_over_a_megabyte_is_refused_413_before_it_is_sent(
        api: RunningApi, signature_line: bytes) -> None:
    head = (b"POST /line/webhook HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            + signature_line + b"Content-Length: 100000000\r\n\r\n")
    status_line = await raw_exchange(api, head)
    assert status_line.startswith(b"HTTP/1.1 413")


async def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_a_megabyte(api: RunningApi) -> None:
    chunk, chunks = 64 * 1024, 320  # 20 MB offered, without a Content-Length
    pulled = 0

    async def twenty_megabytes() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(chunks):
            pulled += chunk
            yield b" " * chunk

    # In process, so the test counts exactly what the application pulled from the request.
    transport = httpx.ASGITransport(app=create_app(api.settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.post("/line/webhook", content=twenty_megabytes(),
                                   headers={"x-line-signature": "bm90IHRoZSByaWdodCBzaWduYXR1cmU="})
    assert response.status_code == 413
    assert pulled <= A_MEGABYTE + chunk


async def test_a_signed_body_of_exactly_a_megabyte_is_still_read(api: RunningApi) -> None:
    body, _ = signed(api)
    body = body + b" " * (A_MEGABYTE - len(body))  # JSON allows trailing white space
    assert await post(api, body, events.sign(body, api.settings.line_channel_secret)) == (
        200, {"received": 0, "delivered": 0})


async def test_a_wrong_signature_on_bytes_that_are_not_utf8_is_401(api: RunningApi) -> None:
    status, answer = await post(api, b'{"events": []}\xff\xfe', "bm90IHRoZSByaWdodCBzaWduYXR1cmU=")
    assert status == 401 and "X-Line-Signature" in answer["detail"]


async def test_deeply_nested_json_correctly_signed_is_400(api: RunningApi) -> None:
    body = b'{"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, answer = await post(api, body, events.sign(body, api.settings.line_channel_secret))
    assert status == 400 and answer["detail"]
