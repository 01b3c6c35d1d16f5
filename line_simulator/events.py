"""LINE webhook events exactly as LINE sends them, made on a FakeLinePlatform.

Each builder is "the user did this in the LINE app": the platform logs the user's bubble, keeps any
photo, issues the reply token, and the builder returns the event LINE would POST to the bot.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from api.line_signature import line_signature
from line_simulator import ids
from line_simulator.line_platform import FakeLinePlatform


def sign(body: bytes, channel_secret: str) -> str:
    """The x-line-signature header: base64(HMAC-SHA256(raw body, channel secret))."""
    return line_signature(body, channel_secret)


def webhook_body(platform: FakeLinePlatform, events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"destination": platform.bot_user_id, "events": events}


def signed_webhook(platform: FakeLinePlatform, events: list[dict[str, Any]],
                   channel_secret: str) -> tuple[bytes, dict[str, str]]:
    """(raw body, headers) ready to POST to the bot's webhook."""
    body = json.dumps(webhook_body(platform, events), ensure_ascii=False).encode()
    headers = {"content-type": "application/json; charset=utf-8", "x-line-signature": sign(body, channel_secret)}
    return body, headers


def redelivered(event: dict[str, Any]) -> dict[str, Any]:
    """The same event (same webhookEventId) as LINE resends it after the bot failed to answer."""
    again = copy.deepcopy(event)
    again["deliveryContext"]["isRedelivery"] = True
    return again


# ---- message events -------------------------------------------------------------------------


def text(platform: FakeLinePlatform, user_id: str, text: str, *, mode: str = "active") -> dict[str, Any]:
    message = {"type": "text", "id": ids.message_id(), "quoteToken": ids.quote_token(), "text": text}
    return _message_event(platform, user_id, message, mode)


def location(platform: FakeLinePlatform, user_id: str, latitude: float, longitude: float, *,
             title: str | None = None, address: str | None = None, mode: str = "active") -> dict[str, Any]:
    message: dict[str, Any] = {"type": "location", "id": ids.message_id()}
    if title:
        message["title"] = title
    if address:
        message["address"] = address
    message |= {"latitude": latitude, "longitude": longitude}
    return _message_event(platform, user_id, message, mode)


def image(platform: FakeLinePlatform, user_id: str, content: bytes, content_type: str = "image/jpeg", *,
          mode: str = "active") -> dict[str, Any]:
    message = {
        "type": "image",
        "id": platform.store_content(content, content_type),
        "quoteToken": ids.quote_token(),
        "contentProvider": {"type": "line"},
    }
    return _message_event(platform, user_id, message, mode)


def audio(platform: FakeLinePlatform, user_id: str, content: bytes, duration_ms: int,
          content_type: str = "audio/x-m4a", *, mode: str = "active") -> dict[str, Any]:
    message = {
        "type": "audio",
        "id": platform.store_content(content, content_type),
        "duration": duration_ms,
        "contentProvider": {"type": "line"},
    }
    return _message_event(platform, user_id, message, mode)


def sticker(platform: FakeLinePlatform, user_id: str, package_id: str = "446", sticker_id: str = "1988", *,
            keywords: list[str] | None = None, mode: str = "active") -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "sticker",
        "id": ids.message_id(),
        "quoteToken": ids.quote_token(),
        "stickerId": sticker_id,
        "packageId": package_id,
        "stickerResourceType": "STATIC",
    }
    if keywords:
        message["keywords"] = keywords
    return _message_event(platform, user_id, message, mode)


# ---- other events ---------------------------------------------------------------------------


def follow(platform: FakeLinePlatform, user_id: str, *, unblocked: bool = False) -> dict[str, Any]:
    if user_id in platform.users:
        platform.users[user_id].following = True
    return _event("follow", user_id, "active", reply_token=platform.issue_reply_token(user_id),
                  follow={"isUnblocked": unblocked})


def unfollow(platform: FakeLinePlatform, user_id: str) -> dict[str, Any]:
    """Blocking the bot: LINE sends no reply token, since nothing can be sent any more."""
    if user_id in platform.users:
        platform.users[user_id].following = False
    return _event("unfollow", user_id, "active")


def postback(platform: FakeLinePlatform, user_id: str, data: str, *, display_text: str | None = None,
             params: dict[str, Any] | None = None, mode: str = "active") -> dict[str, Any]:
    """A tap on a postback button; its displayText (if any) appears in the chat as the user's words."""
    if display_text:
        platform.user_sent(user_id, {"type": "text", "text": display_text})
    content: dict[str, Any] = {"data": data}
    if params:
        content["params"] = params
    return _event("postback", user_id, mode, reply_token=_reply_token(platform, user_id, mode), postback=content)


def _message_event(platform: FakeLinePlatform, user_id: str, message: dict[str, Any], mode: str) -> dict[str, Any]:
    platform.user_sent(user_id, message, message_id=message["id"])
    return _event("message", user_id, mode, reply_token=_reply_token(platform, user_id, mode), message=message)


def _reply_token(platform: FakeLinePlatform, user_id: str, mode: str) -> str | None:
    """In standby mode (another channel has the chat) LINE gives the bot no reply token."""
    return platform.issue_reply_token(user_id) if mode == "active" else None


def _event(kind: str, user_id: str, mode: str, *, reply_token: str | None = None, **content: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"type": kind, **content}
    event |= {
        "webhookEventId": ids.webhook_event_id(),
        "deliveryContext": {"isRedelivery": False},
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "mode": mode,
    }
    if reply_token:
        event["replyToken"] = reply_token
    return event
