"""A citizen in the LINE app, for tests: does what a person does, then reads what the bot said.

How an event reaches the bot is handed in: straight to the conversation gateway (workflow tests)
or as a signed HTTP POST to the webhook (end-to-end tests).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from line_simulator import events
from line_simulator.line_platform import ChatEntry, FakeLinePlatform

CASE_NUMBER = re.compile(r"ESS-\d{4}-\d{6}")
SendEvent = Callable[[dict[str, Any]], Awaitable[None]]

BANGKOK_PIN = {
    "latitude": 13.7220,
    "longitude": 100.5600,
    "title": "ซอยสุขุมวิท 22",
    "address": "ซอยสุขุมวิท 22 แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110 ประเทศไทย",
}
CHIANG_MAI_PIN = {"latitude": 18.7883, "longitude": 98.9853}
VIENTIANE_PIN = {"latitude": 17.9667, "longitude": 102.6000}


def text_of(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("altText") or ""


def nodes_in(node: Any) -> Iterator[dict[str, Any]]:
    """Every object inside a Flex message's contents, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from nodes_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from nodes_in(value)


def actions_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every tappable action in a message: quick-reply items and Flex buttons."""
    quick = [item["action"] for item in message.get("quickReply", {}).get("items", [])]
    buttons = [node["action"] for node in nodes_in(message.get("contents")) if node.get("type") == "button"]
    return quick + buttons


class Citizen:
    def __init__(self, platform: FakeLinePlatform, send: SendEvent, language: str = "th",
                 user_id: str | None = None) -> None:
        """A new LINE user, or the one with `user_id` (e.g. an officer already on the platform)."""
        self.platform = platform
        self._send = send
        self.user_id = user_id or platform.add_user(language=language).user_id
        self._heard_up_to = 0
        self.last_heard: list[dict[str, Any]] = []
        self.last_entries: list[ChatEntry] = []
        self.sent: list[dict[str, Any]] = []

    async def do(self, event: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(event)
        await self._send(event)
        return event

    async def follows(self) -> dict[str, Any]:
        return await self.do(events.follow(self.platform, self.user_id))

    async def says(self, text: str) -> dict[str, Any]:
        return await self.do(events.text(self.platform, self.user_id, text))

    async def taps_postback(self, data: str) -> dict[str, Any]:
        return await self.do(events.postback(self.platform, self.user_id, data))

    async def pins(self, latitude: float, longitude: float, **extra: Any) -> dict[str, Any]:
        return await self.do(events.location(self.platform, self.user_id, latitude, longitude, **extra))

    async def sends_photo(self, content: bytes = b"\xff\xd8\xff photo bytes") -> dict[str, Any]:
        return await self.do(events.image(self.platform, self.user_id, content))

    async def sends_sticker(self) -> dict[str, Any]:
        return await self.do(events.sticker(self.platform, self.user_id))

    async def taps(self, label: str, in_message: dict[str, Any] | None = None) -> dict[str, Any]:
        """Tap the button with this label in what the bot said last (or in an earlier message
        scrolled back to), as the LINE app would."""
        for message in [in_message] if in_message else reversed(self.last_heard):
            for action in actions_of(message):
                if action.get("label") != label:
                    continue
                if action["type"] == "postback":  # its displayText shows in the chat as the user's words
                    return await self.do(events.postback(self.platform, self.user_id, action["data"],
                                                         display_text=action.get("displayText")))
                if action["type"] == "message":
                    return await self.says(action["text"])
        labels = [a.get("label") for m in self.last_heard for a in actions_of(m)]
        raise AssertionError(f"no button {label!r} in {labels}")

    async def hears(self, count: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Wait for `count` new bot messages; returns them (and remembers them for taps)."""
        deadline = time.monotonic() + timeout
        while True:
            new = [e for e in self.platform.bot_messages(self.user_id) if e.seq > self._heard_up_to]
            if len(new) >= count:
                taken = new[:count]
                self._heard_up_to = taken[-1].seq
                self.last_heard = [e.message for e in taken]
                self.last_entries = taken
                return self.last_heard
            if time.monotonic() > deadline:
                said = [text_of(e.message) for e in new]
                raise AssertionError(f"expected {count} new bot messages, got {len(new)}: {said}")
            await asyncio.sleep(0.05)

    async def hears_nothing(self, within: float = 1.0) -> None:
        await asyncio.sleep(within)
        new = [text_of(e.message) for e in self.platform.bot_messages(self.user_id) if e.seq > self._heard_up_to]
        assert not new, f"expected silence, bot said {new}"

    async def hears_case_number(self, timeout: float = 20.0) -> str:
        messages = await self.hears(timeout=timeout)
        found = CASE_NUMBER.search(text_of(messages[0]))
        assert found, f"no case number in {text_of(messages[0])!r}"
        return found.group(0)
