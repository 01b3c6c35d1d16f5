"""A fake LINE platform that speaks the real Messaging API protocol, held in memory.

Tests and the developer's simulator page point the bot at it (LINE_API_BASE_URL). It is strict
where LINE is strict, so a bug that LINE would reject fails here first: every body is checked with
the line-bot-sdk's own models plus a few of LINE's documented limits, reply tokens are single-use
and expire, and push honours X-Line-Retry-Key. Everything it receives is recorded, and every
delivered message lands in a per-user chat log: what the user's phone shows.

This module assembles the platform and its HTTP routes; the parts live beside it: messaging.py
(reply, push, profiles, content), rich_menu.py, line_login.py (LINE Login: authorize, token,
verify), faults.py (fault injection), chat_log.py.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import APIRouter, Request, Response

from configuration.settings import DEVELOPMENT_LOGIN_CHANNEL_ID, DEVELOPMENT_LOGIN_CHANNEL_SECRET
from line_simulator import ids
from line_simulator.body_checks import parse_json
from line_simulator.chat_log import ChatEntry
from line_simulator.errors import LineError
from line_simulator.faults import Fault, Faults
from line_simulator.line_login import LineLogin, form_of
from line_simulator.messaging import Messaging, SimulatedUser, StoredContent
from line_simulator.rich_menu import RichMenus, StoredRichMenu

# What an endpoint does once the call is recorded, authorised and past its faults.
Work = Callable[[Request, bytes], Response]


@dataclass
class RecordedRequest:
    endpoint: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int = 0
    at: float = field(default_factory=time.monotonic)  # when it came, for pauses between retries


class FakeLinePlatform:
    def __init__(self, access_token: str = "test-access-token",
                 reply_token_lifetime: timedelta = timedelta(minutes=1), bot_user_id: str | None = None,
                 login_channel_id: str = DEVELOPMENT_LOGIN_CHANNEL_ID,
                 login_channel_secret: str = DEVELOPMENT_LOGIN_CHANNEL_SECRET):
        self.access_token = access_token
        self.bot_user_id = bot_user_id or ids.user_id()
        self.requests: list[RecordedRequest] = []
        self.messaging = Messaging(reply_token_lifetime=reply_token_lifetime)
        self.line_login = LineLogin(login_channel_id, login_channel_secret, self.messaging.users)
        self.rich_menu = RichMenus()
        self.faults = Faults()

    # ---- the simulated world -------------------------------------------------------------

    @property
    def reply_token_lifetime(self) -> timedelta:
        return self.messaging.reply_token_lifetime

    @property
    def users(self) -> dict[str, SimulatedUser]:
        return self.messaging.users

    @property
    def rich_menus(self) -> dict[str, StoredRichMenu]:
        return self.rich_menu.menus

    @property
    def default_rich_menu_id(self) -> str | None:
        return self.rich_menu.default_id

    def add_user(self, display_name: str = "ผู้ใช้ทดสอบ", language: str | None = "th",
                 user_id: str | None = None) -> SimulatedUser:
        return self.messaging.add_user(display_name, language, user_id)

    def issue_reply_token(self, user_id: str) -> str:
        return self.messaging.issue_reply_token(user_id)

    def expire_reply_tokens(self, user_id: str | None = None) -> None:
        """Age every (or one user's) reply token past its lifetime."""
        self.messaging.expire_reply_tokens(user_id)

    def store_content(self, data: bytes, content_type: str) -> str:
        """Keep a photo/audio a user sent; returns the message id that fetches it."""
        return self.messaging.store_content(data, content_type)

    def content(self, message_id: str) -> StoredContent | None:
        return self.messaging.content(message_id)

    def user_sent(self, user_id: str, message: dict[str, Any], message_id: str | None = None) -> ChatEntry:
        return self.messaging.user_sent(user_id, message, message_id)

    def chat(self, user_id: str, after: int = 0) -> list[ChatEntry]:
        return self.messaging.chats.chat(user_id, after)

    def bot_messages(self, user_id: str) -> list[ChatEntry]:
        return self.messaging.chats.bot_messages(user_id)

    async def wait_for_chat(self, user_id: str, after: int, timeout: float,
                            sender: str | None = None) -> list[ChatEntry]:
        """The user's entries after `after` (only `sender`'s, if given), waiting up to `timeout`
        seconds for the first one."""
        return await self.messaging.chats.wait_for_chat(user_id, after, timeout, sender)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.endpoint == endpoint]

    def reset(self) -> None:
        """Forget everything except the access token and lifetime."""
        self.requests.clear()
        self.messaging.clear()
        self.faults.clear()
        self.rich_menu.clear()
        self.line_login.clear()

    # ---- fault injection (see faults.Faults) --------------------------------------------------

    def fail_next(self, endpoint: str, status: int = 500, times: int = 1, message: str | None = None,
                  retry_after: int | None = None) -> None:
        self.faults.fail_next(endpoint, status, times, message, retry_after)

    def lose_next_response(self, endpoint: str, times: int = 1) -> None:
        self.faults.lose_next_response(endpoint, times)

    def delay_next(self, endpoint: str, seconds: float, times: int = 1) -> None:
        self.faults.delay_next(endpoint, seconds, times)

    def fail_for(self, endpoint: str, seconds: float, status: int = 500, *, after_work: bool = False,
                 message: str | None = None, retry_after: int | None = None) -> None:
        self.faults.fail_for(endpoint, seconds, status, after_work=after_work, message=message,
                             retry_after=retry_after)

    def exhaust_quota(self, seconds: float) -> None:
        self.faults.exhaust_quota(seconds)

    def clear_faults(self) -> None:
        self.faults.clear()
        self.line_login.tamper_next_id_token()  # the next ID token is a true one again

    # ---- the HTTP API --------------------------------------------------------------------

    def router(self) -> APIRouter:
        messaging, rich_menu = self.messaging, self.rich_menu
        routes: list[tuple[str, str, str, Callable[..., Response]]] = [  # (method, path, endpoint, work)
            ("POST", "/v2/bot/message/reply", "reply", messaging.reply),
            ("POST", "/v2/bot/message/push", "push", messaging.push),
            ("POST", "/v2/bot/chat/loading/start", "loading", messaging.loading),
            ("GET", "/v2/bot/profile/{user_id}", "profile", messaging.profile),
            ("GET", "/v2/bot/message/{message_id}/content", "content", messaging.content_endpoint),
            ("POST", "/v2/bot/richmenu/validate", "richmenu_validate", rich_menu.validate),
            ("POST", "/v2/bot/richmenu", "richmenu_create", rich_menu.create),
            ("DELETE", "/v2/bot/richmenu/{rich_menu_id}", "richmenu_delete", rich_menu.delete),
            ("POST", "/v2/bot/richmenu/{rich_menu_id}/content", "richmenu_content", rich_menu.upload_image),
            ("POST", "/v2/bot/user/all/richmenu/{rich_menu_id}", "richmenu_default", rich_menu.set_default),
            ("GET", "/v2/bot/user/all/richmenu", "richmenu_default", rich_menu.get_default),
        ]
        login = self.line_login
        # LINE Login's endpoints take no channel access token: the browser, or the channel's secret.
        login_routes: list[tuple[str, str, str, Callable[..., Response]]] = [
            ("GET", "/oauth2/v2.1/authorize", "login_authorize", lambda request, raw: login.authorize(request)),
            ("POST", "/oauth2/v2.1/token", "login_token", lambda request, raw: login.token(form_of(raw))),
            ("POST", "/oauth2/v2.1/verify", "login_verify", lambda request, raw: login.verify(form_of(raw))),
        ]
        router = APIRouter(tags=["fake LINE platform"])
        for method, path, endpoint, work in routes:
            router.add_api_route(path, self._endpoint(endpoint, work), methods=[method])
        for method, path, endpoint, work in login_routes:
            router.add_api_route(path, self._endpoint(endpoint, work, bearer=False), methods=[method])
        return router

    def _endpoint(self, endpoint: str, work: Callable[..., Response],
                  bearer: bool = True) -> Callable[[Request], Awaitable[Response]]:
        """The route's handler: `work` is called with the request, its raw body and the path's
        parameters, once the call is recorded, authorised and past its injected fault."""
        async def handle(request: Request) -> Response:
            return await self._handle(endpoint, request, partial(work, **request.path_params), bearer)

        return handle

    async def _handle(self, endpoint: str, request: Request, work: Work, bearer: bool = True) -> Response:
        """Records the call, checks the access token (`bearer`) and meets the endpoint's injected fault."""
        raw = await request.body()
        record = RecordedRequest(
            endpoint=endpoint,
            method=request.method,
            path=request.url.path,
            headers={
                name: value
                for name, value in request.headers.items()
                if name in ("authorization", "content-type", "x-line-retry-key")
            },
            body=parse_json(raw),
        )
        self.requests.append(record)
        request_id = str(uuid.uuid4())
        fault = self.faults.next_fault(endpoint)
        try:
            if bearer and request.headers.get("authorization") != f"Bearer {self.access_token}":
                raise LineError(401)
            if fault and fault.kind == "error":
                raise LineError(fault.status, fault.message, headers=_retry_after(fault))
            if fault and fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
            response = work(request, raw)
            if fault and fault.kind == "lose_response":
                raise LineError(fault.status, fault.message, headers=_retry_after(fault))
        except LineError as error:
            record.status = error.status
            return error.response(request_id)
        record.status = response.status_code
        response.headers["x-line-request-id"] = request_id
        return response


def _retry_after(fault: Fault) -> dict[str, str]:
    return {} if fault.retry_after is None else {"retry-after": str(fault.retry_after)}
