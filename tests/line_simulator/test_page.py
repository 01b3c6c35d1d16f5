"""The simulator page's server side: it turns a developer's clicks into signed LINE webhooks, POSTed
over real HTTP to the app's own /line/webhook, and shows what the bot sent through the fake LINE API.

The app under test is a small FastAPI app with the simulator mounted and a stand-in webhook that
checks the signature with the LINE SDK, records the events and answers text with a reply.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhook import WebhookParser

from configuration.settings import Settings
from line_simulator import mount_simulator
from line_simulator.line_platform import FakeLinePlatform
from tests.fake_line import serve

SECRET = "simulator-test-secret"
TOKEN = "simulator-test-token"


@dataclass
class StandInBot:
    bodies: list[dict] = field(default_factory=list)
    base_url: str = ""

    @property
    def events(self) -> list[dict]:
        return [event for body in self.bodies for event in body["events"]]


@dataclass
class Simulator:
    http: httpx.AsyncClient
    bot: StandInBot
    platform: FakeLinePlatform


@pytest.fixture(scope="module")
async def simulator() -> AsyncIterator[Simulator]:
    app = FastAPI()
    bot = StandInBot()
    parser = WebhookParser(SECRET)

    @app.post("/line/webhook")
    async def webhook(request: Request) -> dict:
        raw = await request.body()
        try:
            parser.parse(raw.decode(), request.headers.get("x-line-signature", ""))
        except InvalidSignatureError:
            raise HTTPException(400, "bad signature") from None
        body = await request.json()
        bot.bodies.append(body)
        for event in body["events"]:
            if event.get("message", {}).get("type") == "text":
                async with httpx.AsyncClient(base_url=bot.base_url) as line:
                    await line.post(
                        "/dev/line-api/v2/bot/message/reply",
                        headers={"authorization": f"Bearer {TOKEN}"},
                        json={"replyToken": event["replyToken"],
                              "messages": [{"type": "text", "text": "รับทราบ: " + event["message"]["text"]}]},
                    )
        return {}

    settings = Settings(line_channel_secret=SECRET, line_channel_access_token=TOKEN)
    platform = mount_simulator(app, settings)
    async with serve(app) as base_url:
        bot.base_url = base_url
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
            yield Simulator(http=http, bot=bot, platform=platform)


async def new_user(simulator: Simulator, name: str = "สมหญิง", language: str = "th") -> str:
    response = await simulator.http.post("/dev/simulator/users", json={"displayName": name, "language": language})
    assert response.status_code == 201
    return response.json()["userId"]


async def send(simulator: Simulator, user_id: str, **given) -> httpx.Response:
    return await simulator.http.post("/dev/simulator/send", json={"userId": user_id, "input": given})


async def test_the_page_and_its_assets_are_served(simulator: Simulator):
    page = await simulator.http.get("/dev/")
    assert page.status_code == 200
    assert "จำลองแชต LINE" in page.text
    config = json.loads(page.text.split('type="application/json">', 1)[1].split("</script>", 1)[0])
    assert "อนุสาวรีย์ชัยสมรภูมิ" in [preset["title"] for preset in config["presets"]]
    for asset in ("simulator.js", "simulator.css", "thailand_towns.json"):
        assert (await simulator.http.get(f"/dev/static/{asset}")).status_code == 200


async def test_simulated_users_can_be_created_and_listed(simulator: Simulator):
    user_id = await new_user(simulator, "Alex", "en")
    listed = (await simulator.http.get("/dev/simulator/users")).json()
    assert {"userId": user_id, "displayName": "Alex", "language": "en", "following": True} in listed
    profile = await simulator.http.get(f"/dev/line-api/v2/bot/profile/{user_id}",
                                       headers={"authorization": f"Bearer {TOKEN}"})
    assert profile.json()["language"] == "en"


async def test_text_goes_through_the_signed_webhook_and_the_bots_reply_shows_in_the_chat(simulator: Simulator):
    user_id = await new_user(simulator)

    response = await send(simulator, user_id, kind="text", text="ช่วยด้วย")

    assert response.status_code == 200
    assert response.json()["webhookStatus"] == 200
    event = simulator.bot.events[-1]
    assert (event["type"], event["message"]["text"], event["source"]["userId"]) == ("message", "ช่วยด้วย", user_id)
    assert simulator.bot.bodies[-1]["destination"] == simulator.platform.bot_user_id
    chat = (await simulator.http.get(f"/dev/simulator/chat/{user_id}")).json()["entries"]
    assert [(entry["sender"], entry["message"]["text"]) for entry in chat] == [
        ("user", "ช่วยด้วย"), ("bot", "รับทราบ: ช่วยด้วย")]
    later = (await simulator.http.get(f"/dev/simulator/chat/{user_id}?after={chat[-1]['seq']}")).json()["entries"]
    assert later == []


async def test_every_kind_of_input_becomes_the_matching_line_event(simulator: Simulator):
    user_id = await new_user(simulator)
    inputs = [
        {"kind": "follow"},
        {"kind": "sticker", "packageId": "446", "stickerId": "1988"},
        {"kind": "location", "latitude": 13.7649, "longitude": 100.5383, "title": "อนุสาวรีย์ชัยสมรภูมิ",
         "address": "เขตราชเทวี กรุงเทพมหานคร 10400"},
        {"kind": "postback", "data": "action=report", "displayText": "แจ้งเหตุ"},
        {"kind": "unfollow"},
    ]
    for given in inputs:
        assert (await send(simulator, user_id, **given)).json()["webhookStatus"] == 200

    sent = simulator.bot.events[-5:]
    assert [event["type"] for event in sent] == ["follow", "message", "message", "postback", "unfollow"]
    assert sent[1]["message"]["type"] == "sticker"
    assert (sent[2]["message"]["latitude"], sent[2]["message"]["address"]) == (13.7649, "เขตราชเทวี กรุงเทพมหานคร 10400")
    assert sent[3]["postback"] == {"data": "action=report"}
    users = (await simulator.http.get("/dev/simulator/users")).json()
    assert next(user for user in users if user["userId"] == user_id)["following"] is False


async def test_a_photo_is_kept_for_the_bot_to_download(simulator: Simulator):
    user_id = await new_user(simulator)
    photo = b"\x89PNG\r\n\x1a\n fake image"

    response = await send(simulator, user_id, kind="image", dataBase64=base64.b64encode(photo).decode(),
                          contentType="image/png")

    message_id = response.json()["event"]["message"]["id"]
    from_line = await simulator.http.get(f"/dev/line-api/v2/bot/message/{message_id}/content",
                                         headers={"authorization": f"Bearer {TOKEN}"})
    for_page = await simulator.http.get(f"/dev/simulator/content/{message_id}")
    assert from_line.content == for_page.content == photo
    assert from_line.headers["content-type"] == "image/png"


async def test_the_last_event_can_be_redelivered(simulator: Simulator):
    user_id = await new_user(simulator)
    first = (await send(simulator, user_id, kind="text", text="hello")).json()["event"]

    response = await simulator.http.post("/dev/simulator/redeliver", json={"userId": user_id})

    again = simulator.bot.events[-1]
    assert response.json()["webhookStatus"] == 200
    assert again["webhookEventId"] == first["webhookEventId"]
    assert again["deliveryContext"]["isRedelivery"] is True


async def test_bad_requests_are_refused_before_reaching_the_webhook(simulator: Simulator):
    received = len(simulator.bot.bodies)
    user_id = await new_user(simulator)
    unknown = await send(simulator, "U" + "0" * 32, kind="text", text="hi")
    not_base64 = await send(simulator, user_id, kind="image", dataBase64="***", contentType="image/png")
    bad_kind = await send(simulator, user_id, kind="video")
    nothing_to_redeliver = await simulator.http.post("/dev/simulator/redeliver", json={"userId": user_id})
    assert (unknown.status_code, not_base64.status_code, bad_kind.status_code) == (404, 422, 422)
    assert nothing_to_redeliver.status_code == 404
    assert len(simulator.bot.bodies) == received


async def test_the_mounted_line_api_wants_the_channel_access_token(simulator: Simulator):
    user_id = await new_user(simulator)
    body = {"to": user_id, "messages": [{"type": "text", "text": "x"}]}
    refused = await simulator.http.post("/dev/line-api/v2/bot/message/push", json=body)
    accepted = await simulator.http.post("/dev/line-api/v2/bot/message/push", json=body,
                                         headers={"authorization": f"Bearer {TOKEN}"})
    assert (refused.status_code, accepted.status_code) == (401, 200)


async def test_a_chat_read_can_wait_for_the_bots_next_message(simulator: Simulator):
    user_id = await new_user(simulator)
    waiting = asyncio.create_task(
        simulator.http.get(f"/dev/simulator/chat/{user_id}", params={"wait": 5, "sender": "bot"}))
    await asyncio.sleep(0.2)
    assert not waiting.done()  # nothing from the bot yet: the request is held
    await send(simulator, user_id, kind="text", text="สวัสดี")  # the user's own bubble does not end the wait...
    entries = (await waiting).json()["entries"]
    assert [(e["sender"], e["message"]["text"]) for e in entries] == [("bot", "รับทราบ: สวัสดี")]  # ...the reply does

    quiet = await simulator.http.get(f"/dev/simulator/chat/{user_id}",
                                     params={"after": entries[-1]["seq"], "wait": 0.3, "sender": "bot"})
    assert quiet.json()["entries"] == []
