"""The Messaging API's messages: reply (single-use reply tokens that expire), push (honouring
X-Line-Retry-Key), the loading animation, profiles, and the content of what users sent."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from linebot.v3.messaging import PushMessageRequest, ReplyMessageRequest, ShowLoadingAnimationRequest

from line_simulator import ids
from line_simulator.body_checks import validated
from line_simulator.chat_log import ChatEntry, ChatLog
from line_simulator.errors import LineError
from line_simulator.message_limits import message_problems

_LOADING_SECONDS = range(5, 61, 5)


@dataclass
class SimulatedUser:
    user_id: str
    display_name: str
    language: str | None = "th"
    following: bool = True


@dataclass
class StoredContent:
    data: bytes
    content_type: str


@dataclass
class _ReplyToken:
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class Messaging:
    reply_token_lifetime: timedelta
    chats: ChatLog = field(default_factory=ChatLog)
    users: dict[str, SimulatedUser] = field(default_factory=dict)
    _reply_tokens: dict[str, _ReplyToken] = field(default_factory=dict)
    _accepted_retry_keys: dict[str, tuple[str, list[dict]]] = field(default_factory=dict)
    _contents: dict[str, StoredContent] = field(default_factory=dict)

    # ---- the simulated users ---------------------------------------------------------------

    def add_user(self, display_name: str, language: str | None, user_id: str | None) -> SimulatedUser:
        user = SimulatedUser(user_id=user_id or ids.user_id(), display_name=display_name, language=language)
        self.users[user.user_id] = user
        return user

    def issue_reply_token(self, user_id: str) -> str:
        token = ids.reply_token()
        self._reply_tokens[token] = _ReplyToken(user_id=user_id, issued_at=time.monotonic())
        return token

    def expire_reply_tokens(self, user_id: str | None = None) -> None:
        """Age every (or one user's) reply token past its lifetime."""
        for token in self._reply_tokens.values():
            if user_id is None or token.user_id == user_id:
                token.issued_at = float("-inf")

    def store_content(self, data: bytes, content_type: str) -> str:
        """Keep a photo/audio a user sent; returns the message id that fetches it."""
        message_id = ids.message_id()
        self._contents[message_id] = StoredContent(data, content_type)
        return message_id

    def content(self, message_id: str) -> StoredContent | None:
        return self._contents.get(message_id)

    def user_sent(self, user_id: str, message: dict[str, Any], message_id: str | None = None) -> ChatEntry:
        return self.chats.append(user_id, sender="user", message=message, message_id=message_id)

    def clear(self) -> None:
        self.users.clear()
        self.chats.clear()
        self._reply_tokens.clear()
        self._accepted_retry_keys.clear()
        self._contents.clear()

    # ---- the endpoints: (request, raw body, path parameters) → LINE's answer ---------------

    def reply(self, request: Request, raw: bytes) -> Response:
        body = validated(ReplyMessageRequest, raw, message_problems)
        token = self._reply_tokens.get(body["replyToken"])
        if token is None or token.used or self._expired(token):
            raise LineError(400, "Invalid reply token")
        token.used = True
        sent = self._deliver(token.user_id, body["messages"], "reply", body.get("notificationDisabled", False))
        return JSONResponse({"sentMessages": sent})

    def push(self, request: Request, raw: bytes) -> Response:
        retry_key = request.headers.get("x-line-retry-key")
        if retry_key is not None and not _is_uuid(retry_key):
            raise LineError(400, "The value for the 'X-Line-Retry-Key' header is invalid")
        body = validated(PushMessageRequest, raw, message_problems)
        if not _looks_like_user_id(body["to"]):
            raise LineError(400, "The property, 'to', in the request body is invalid (line: -, column: -)")
        if retry_key is not None and retry_key in self._accepted_retry_keys:
            accepted_request_id, sent = self._accepted_retry_keys[retry_key]
            raise LineError(
                409,
                "The retry key is already accepted",
                headers={"x-line-accepted-request-id": accepted_request_id},
                body_extra={"sentMessages": sent},
            )
        sent = self._deliver(body["to"], body["messages"], "push", body.get("notificationDisabled", False))
        if retry_key is not None:
            self._accepted_retry_keys[retry_key] = (str(uuid.uuid4()), sent)
        return JSONResponse({"sentMessages": sent})

    def loading(self, request: Request, raw: bytes) -> Response:
        body = validated(ShowLoadingAnimationRequest, raw, message_problems)
        seconds = body.get("loadingSeconds")
        if seconds is not None and seconds not in _LOADING_SECONDS:
            raise LineError(400, "The request body has 1 error(s)",
                            [{"message": "must be a multiple of 5 between 5 and 60", "property": "loadingSeconds"}])
        return JSONResponse({}, status_code=202)

    def profile(self, request: Request, raw: bytes, user_id: str) -> Response:
        user = self.users.get(user_id)
        if user is None or not user.following:
            raise LineError(404)
        profile = {"displayName": user.display_name, "userId": user.user_id}
        if user.language:
            profile["language"] = user.language
        return JSONResponse(profile)

    def content_endpoint(self, request: Request, raw: bytes, message_id: str) -> Response:
        content = self._contents.get(message_id)
        if content is None:
            raise LineError(404)
        return Response(content.data, media_type=content.content_type)

    # ---- internals -------------------------------------------------------------------------

    def _expired(self, token: _ReplyToken) -> bool:
        return time.monotonic() - token.issued_at > self.reply_token_lifetime.total_seconds()

    def _deliver(self, user_id: str, messages: list[dict], via: str, silent: bool) -> list[dict]:
        sent = []
        for message in messages:
            message_id = ids.message_id()
            self.chats.append(user_id, "bot", message, via=via, notification_disabled=silent, message_id=message_id)
            sent.append({"id": message_id, "quoteToken": ids.quote_token()})
        return sent


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _looks_like_user_id(value: str) -> bool:
    return len(value) == 33 and value[0] in "UCR" and all(c in "0123456789abcdef" for c in value[1:])
