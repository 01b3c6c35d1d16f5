"""The fake LINE platform is as strict as LINE, so the bot cannot pass here and fail there."""

from __future__ import annotations

import uuid

import httpx
import pytest
from linebot.v3 import SignatureValidator
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import FollowEvent, LocationMessageContent, MessageEvent, PostbackEvent

from line_simulator import events
from line_simulator.line_platform import SimulatedUser
from tests.fake_line import FakeLine


@pytest.fixture
async def http(fake_line: FakeLine):
    headers = {"authorization": f"Bearer {fake_line.access_token}"}
    async with httpx.AsyncClient(base_url=fake_line.base_url, headers=headers) as client:
        yield client


def text_message(text: str = "สวัสดี") -> dict:
    return {"type": "text", "text": text}


async def test_a_reply_reaches_the_users_chat(fake_line: FakeLine, line_user: SimulatedUser, http):
    event = events.text(fake_line.platform, line_user.user_id, "ช่วยด้วย")
    response = await http.post("/v2/bot/message/reply",
                               json={"replyToken": event["replyToken"], "messages": [text_message("รับทราบ")]})
    assert response.status_code == 200
    assert len(response.json()["sentMessages"]) == 1
    chat = fake_line.platform.chat(line_user.user_id)
    assert [(entry.sender, entry.message.get("text")) for entry in chat] == [("user", "ช่วยด้วย"), ("bot", "รับทราบ")]
    assert chat[1].via == "reply"


async def test_a_reply_token_works_once(fake_line: FakeLine, line_user: SimulatedUser, http):
    token = events.text(fake_line.platform, line_user.user_id, "hi")["replyToken"]
    body = {"replyToken": token, "messages": [text_message()]}
    assert (await http.post("/v2/bot/message/reply", json=body)).status_code == 200
    again = await http.post("/v2/bot/message/reply", json=body)
    assert again.status_code == 400
    assert again.json() == {"message": "Invalid reply token"}
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1


async def test_an_expired_or_unknown_reply_token_is_refused(fake_line: FakeLine, line_user: SimulatedUser, http):
    token = events.text(fake_line.platform, line_user.user_id, "hi")["replyToken"]
    fake_line.platform.expire_reply_tokens(line_user.user_id)
    expired = await http.post("/v2/bot/message/reply", json={"replyToken": token, "messages": [text_message()]})
    unknown = await http.post("/v2/bot/message/reply", json={"replyToken": "0" * 32, "messages": [text_message()]})
    assert (expired.status_code, unknown.status_code) == (400, 400)
    assert fake_line.platform.bot_messages(line_user.user_id) == []


async def test_requests_without_the_channel_access_token_are_refused(fake_line: FakeLine, line_user: SimulatedUser):
    async with httpx.AsyncClient(base_url=fake_line.base_url) as anonymous:
        body = {"to": line_user.user_id, "messages": [text_message()]}
        missing = await anonymous.post("/v2/bot/message/push", json=body)
        wrong = await anonymous.post("/v2/bot/message/push", json=body, headers={"authorization": "Bearer nope"})
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert fake_line.platform.bot_messages(line_user.user_id) == []


@pytest.mark.parametrize(
    "messages",
    [
        [],  # at least one message
        [text_message()] * 6,  # at most five
        [{"type": "text"}],  # text is required
        [{"type": "no-such-type"}],
        [text_message("ก" * 5001)],  # LINE's text limit
        [{"type": "text", "text": "x", "quickReply": {"items": [
            {"type": "action", "action": {"type": "message", "label": "ป้ายที่ยาวเกินยี่สิบตัวอักษรแน่นอน", "text": "x"}}
        ]}}],
        [{"type": "text", "text": "x", "quickReply": {"items": [
            {"type": "action", "action": {"type": "postback", "label": "x", "data": "d" * 301}}
        ]}}],
    ],
    ids=["none", "six", "text-missing", "unknown-type", "text-too-long", "label-too-long", "postback-too-long"],
)
async def test_malformed_messages_are_refused_with_lines_error_shape(
    fake_line: FakeLine, line_user: SimulatedUser, http, messages
):
    response = await http.post("/v2/bot/message/push", json={"to": line_user.user_id, "messages": messages})
    assert response.status_code == 400
    assert response.json()["message"]
    assert response.json()["details"]
    assert fake_line.platform.bot_messages(line_user.user_id) == []


async def test_push_to_something_that_is_not_a_user_id_is_refused(fake_line: FakeLine, http):
    response = await http.post("/v2/bot/message/push", json={"to": "reporter-key-123", "messages": [text_message()]})
    assert response.status_code == 400


async def test_a_push_retry_key_is_accepted_once(fake_line: FakeLine, line_user: SimulatedUser, http):
    key = str(uuid.uuid4())
    body = {"to": line_user.user_id, "messages": [text_message()], "notificationDisabled": True}
    first = await http.post("/v2/bot/message/push", json=body, headers={"x-line-retry-key": key})
    second = await http.post("/v2/bot/message/push", json=body, headers={"x-line-retry-key": key})
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.headers["x-line-accepted-request-id"]
    assert second.json()["sentMessages"] == first.json()["sentMessages"]
    [delivered] = fake_line.platform.bot_messages(line_user.user_id)
    assert (delivered.via, delivered.notification_disabled) == ("push", True)


async def test_a_retry_key_must_be_a_uuid(fake_line: FakeLine, line_user: SimulatedUser, http):
    body = {"to": line_user.user_id, "messages": [text_message()]}
    response = await http.post("/v2/bot/message/push", json=body, headers={"x-line-retry-key": "delivery-1"})
    assert response.status_code == 400


async def test_a_failed_push_does_not_use_up_its_retry_key(fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.fail_next("push", status=500)
    key = str(uuid.uuid4())
    body = {"to": line_user.user_id, "messages": [text_message()]}
    failed = await http.post("/v2/bot/message/push", json=body, headers={"x-line-retry-key": key})
    retried = await http.post("/v2/bot/message/push", json=body, headers={"x-line-retry-key": key})
    assert (failed.status_code, retried.status_code) == (500, 200)
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1


async def test_a_lost_response_still_delivers(fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.lose_next_response("push")
    key = str(uuid.uuid4())
    body = {"to": line_user.user_id, "messages": [text_message()]}
    lost = await http.post("/v2/bot/message/push", json=body, headers={"x-line-retry-key": key})
    retried = await http.post("/v2/bot/message/push", json=body, headers={"x-line-retry-key": key})
    assert (lost.status_code, retried.status_code) == (500, 409)
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1


async def test_injected_faults_run_out(fake_line: FakeLine, line_user: SimulatedUser, http):
    fake_line.platform.fail_next("push", status=429, times=2)
    body = {"to": line_user.user_id, "messages": [text_message()]}
    statuses = [(await http.post("/v2/bot/message/push", json=body)).status_code for _ in range(3)]
    assert statuses == [429, 429, 200]


async def test_loading_profile_and_content(fake_line: FakeLine, http):
    user = fake_line.platform.add_user(display_name="Somchai", language="en")
    loading = await http.post("/v2/bot/chat/loading/start", json={"chatId": user.user_id, "loadingSeconds": 5})
    odd_loading = await http.post("/v2/bot/chat/loading/start", json={"chatId": user.user_id, "loadingSeconds": 7})
    profile = await http.get(f"/v2/bot/profile/{user.user_id}")
    photo = events.image(fake_line.platform, user.user_id, b"\x89PNG...", "image/png")
    content = await http.get(f"/v2/bot/message/{photo['message']['id']}/content")
    missing = await http.get("/v2/bot/message/123/content")
    assert (loading.status_code, odd_loading.status_code) == (202, 400)
    assert profile.json() == {"displayName": "Somchai", "userId": user.user_id, "language": "en"}
    assert (content.content, content.headers["content-type"]) == (b"\x89PNG...", "image/png")
    assert missing.status_code == 404


async def test_requests_are_recorded(fake_line: FakeLine, line_user: SimulatedUser, http):
    key = str(uuid.uuid4())
    await http.post("/v2/bot/message/push", json={"to": line_user.user_id, "messages": [text_message()]},
                    headers={"x-line-retry-key": key})
    recorded = fake_line.platform.requests_to("push")[-1]
    assert (recorded.method, recorded.path, recorded.status) == ("POST", "/v2/bot/message/push", 200)
    assert recorded.headers["x-line-retry-key"] == key
    assert recorded.body["to"] == line_user.user_id


async def test_built_events_are_what_the_line_sdk_parses(fake_line: FakeLine, line_user: SimulatedUser):
    platform, user_id = fake_line.platform, line_user.user_id
    built = [
        events.follow(platform, user_id),
        events.text(platform, user_id, "แจ้งเหตุ"),
        events.location(platform, user_id, 13.7649, 100.5383, title="อนุสาวรีย์ชัยสมรภูมิ",
                        address="ถนนพหลโยธิน แขวงทุ่งพญาไท เขตราชเทวี กรุงเทพมหานคร 10400"),
        events.postback(platform, user_id, "action=report", display_text="แจ้งเหตุ"),
        events.sticker(platform, user_id, keywords=["hello"]),
        events.image(platform, user_id, b"jpeg", "image/jpeg"),
        events.audio(platform, user_id, b"m4a", duration_ms=4000),
        events.unfollow(platform, user_id),
    ]
    body, headers = events.signed_webhook(platform, built, fake_line.channel_secret)
    parsed = WebhookParser(fake_line.channel_secret).parse(body.decode(), headers["x-line-signature"])
    assert [type(event) for event in parsed][:4] == [FollowEvent, MessageEvent, MessageEvent, PostbackEvent]
    assert isinstance(parsed[2].message, LocationMessageContent)
    assert parsed[2].message.latitude == 13.7649
    assert all(event.source.user_id == user_id for event in parsed)
    assert len({event.webhook_event_id for event in parsed}) == len(built)
    assert all(len(event.webhook_event_id) == 26 for event in parsed)
    assert "replyToken" not in built[-1]


async def test_redelivery_resends_the_same_event(fake_line: FakeLine, line_user: SimulatedUser):
    event = events.text(fake_line.platform, line_user.user_id, "hi")
    again = events.redelivered(event)
    assert again["webhookEventId"] == event["webhookEventId"]
    assert (event["deliveryContext"]["isRedelivery"], again["deliveryContext"]["isRedelivery"]) == (False, True)


def test_signatures_are_what_the_line_sdk_accepts():
    body = '{"destination":"U0","events":[{"text":"ปักหมุด"}]}'.encode()
    validator = SignatureValidator("channel-secret")
    assert validator.validate(body.decode(), events.sign(body, "channel-secret"))
    assert not validator.validate(body.decode(), events.sign(body, "another-secret"))
