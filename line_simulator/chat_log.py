"""Every user's chat as their phone shows it: what they sent, and what the bot delivered to them."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class ChatEntry:
    """One bubble in a user's chat: what they sent, or what the bot delivered to them."""

    seq: int
    user_id: str
    sender: str  # "user" or "bot"
    message: dict[str, Any]
    at: datetime
    via: str | None = None  # "reply" or "push" for the bot's messages
    notification_disabled: bool = False
    message_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "sender": self.sender,
            "message": self.message,
            "at": self.at.isoformat(),
            "via": self.via,
            "notificationDisabled": self.notification_disabled,
            "messageId": self.message_id,
        }


@dataclass
class ChatLog:
    _chats: dict[str, list[ChatEntry]] = field(default_factory=lambda: defaultdict(list))
    _seq: int = 0
    # Woken on every new chat entry, for readers that wait instead of polling.
    _chat_changed: dict[str, asyncio.Event] = field(default_factory=dict)

    def append(self, user_id: str, sender: str, message: dict, **extra: Any) -> ChatEntry:
        self._seq += 1
        entry = ChatEntry(seq=self._seq, user_id=user_id, sender=sender, message=message,
                          at=datetime.now(UTC), **extra)
        self._chats[user_id].append(entry)
        if (changed := self._chat_changed.pop(user_id, None)) is not None:
            changed.set()
        return entry

    def chat(self, user_id: str, after: int = 0) -> list[ChatEntry]:
        return [entry for entry in self._chats.get(user_id, []) if entry.seq > after]

    def bot_messages(self, user_id: str) -> list[ChatEntry]:
        return [entry for entry in self._chats.get(user_id, []) if entry.sender == "bot"]

    async def wait_for_chat(self, user_id: str, after: int, timeout: float,
                            sender: str | None = None) -> list[ChatEntry]:
        """The user's entries after `after` (only `sender`'s, if given), waiting up to `timeout`
        seconds for the first one."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (entries := [e for e in self.chat(user_id, after) if sender is None or e.sender == sender]):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            changed = self._chat_changed.setdefault(user_id, asyncio.Event())
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return []
        return entries

    def clear(self) -> None:
        self._chats.clear()
