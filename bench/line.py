"""The LINE side of the benchmark, over HTTP only: simulated users made on the API's fake LINE
platform (development mode), webhook events signed as LINE signs them, and users' chat logs.

Message and postback events carry no reply token: only the platform can issue one, and it does so
in-process. The bot then answers those steps by push instead of reply, the same one call to LINE.
"""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp

from line_simulator import ids
from line_simulator.events import sign

WEBHOOK_PATH = "/line/webhook"
SIMULATOR_PATH = "/dev/simulator"


class WebhookRefused(RuntimeError):
    pass


class LineChannel:
    """One bot's channel as LINE sees it: its users, its webhook, what each user's phone shows."""

    def __init__(self, session: aiohttp.ClientSession, api_url: str, channel_secret: str) -> None:
        self._session = session
        self._api_url = api_url.rstrip("/")
        self._secret = channel_secret
        self._destination = ids.user_id()  # the bot's own user id; the webhook does not check it
        self.webhook_seconds: list[float] = []  # every POST /line/webhook, as the client timed it

    async def new_user(self, display_name: str, language: str = "th") -> str:
        async with self._session.post(f"{self._api_url}{SIMULATOR_PATH}/users",
                                      json={"displayName": display_name, "language": language}) as response:
            if response.status != 201:
                raise RuntimeError(f"the LINE simulator refused a new user (HTTP {response.status}); "
                                   "is the API in development mode with the simulator?")
            return (await response.json())["userId"]

    async def bot_messages(self, user_id: str, after: int, wait: float = 5.0) -> list[dict[str, Any]]:
        """The bot's messages to this user with a sequence number above `after`, oldest first;
        the simulator holds the request up to `wait` seconds until there is one (long polling)."""
        async with self._session.get(f"{self._api_url}{SIMULATOR_PATH}/chat/{user_id}",
                                     params={"after": after, "wait": wait, "sender": "bot"}) as response:
            response.raise_for_status()
            entries = (await response.json())["entries"]
        return [entry for entry in entries if entry["sender"] == "bot"]

    async def deliver(self, event: dict[str, Any]) -> float:
        """POST one event as LINE does; returns when it was sent (wall clock). Raises unless 200."""
        body = json.dumps({"destination": self._destination, "events": [event]}, ensure_ascii=False).encode()
        headers = {"content-type": "application/json; charset=utf-8", "x-line-signature": sign(body, self._secret)}
        sent_at = time.time()
        started = time.perf_counter()
        async with self._session.post(f"{self._api_url}{WEBHOOK_PATH}", data=body, headers=headers) as response:
            await response.read()
            status = response.status
        self.webhook_seconds.append(time.perf_counter() - started)
        if status != 200:
            raise WebhookRefused(f"webhook answered HTTP {status}")
        return sent_at


# ---- what a user does in the LINE app, as the webhook event LINE sends -------------------------


def follow(user_id: str) -> dict[str, Any]:
    # LINE's follow event must carry a reply token. The platform does not know this one, so the
    # bot's reply is refused and it pushes instead: one extra local call, on this step only.
    return _event("follow", user_id, replyToken=ids.reply_token(), follow={"isUnblocked": False})


def text(user_id: str, words: str) -> dict[str, Any]:
    return _event("message", user_id, message={"type": "text", "id": ids.message_id(),
                                               "quoteToken": ids.quote_token(), "text": words})


def location(user_id: str, pin: dict[str, Any]) -> dict[str, Any]:
    return _event("message", user_id, message={"type": "location", "id": ids.message_id(), **pin})


def postback(user_id: str, data: str) -> dict[str, Any]:
    return _event("postback", user_id, postback={"data": data})


def _event(kind: str, user_id: str, **content: Any) -> dict[str, Any]:
    return {
        "type": kind,
        **content,
        "webhookEventId": ids.webhook_event_id(),
        "deliveryContext": {"isRedelivery": False},
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "mode": "active",
    }


# ---- reading what the bot said ------------------------------------------------------------------


def text_of(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("altText") or ""


def postback_actions(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every postback action in a message: quick-reply items and Flex buttons."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "postback" and "data" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message)
    return found
