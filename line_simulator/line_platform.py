"""A fake LINE platform that speaks the real Messaging API protocol, held in memory.

Tests and the developer's simulator page point the bot at it (LINE_API_BASE_URL). It is strict
where LINE is strict, so a bug that LINE would reject fails here first: every body is checked with
the line-bot-sdk's own models plus a few of LINE's documented limits, reply tokens are single-use
and expire, and push honours X-Line-Retry-Key. Everything it receives is recorded, and every
delivered message lands in a per-user chat log: what the user's phone shows.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import struct
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from linebot.v3.messaging import (
    PushMessageRequest,
    ReplyMessageRequest,
    RichMenuRequest,
    ShowLoadingAnimationRequest,
)

from line_simulator import ids

# The endpoints that faults can be injected into.
ENDPOINTS = ("reply", "push", "loading", "profile", "content",
             "richmenu_validate", "richmenu_create", "richmenu_content", "richmenu_default", "richmenu_delete")

_ERROR_MESSAGES = {
    400: "The request body has 1 error(s)",
    401: "Authentication failed. Confirm that the access token in the authorization header is valid.",
    403: "The channel is not allowed to use this API.",
    404: "Not found",
    429: "The API rate limit has been exceeded. Try again later.",
    500: "An internal server error occurred.",
    502: "Bad gateway",
    503: "Service unavailable",
}

# LINE's documented limits that the SDK's models do not check.
_MAX_TEXT = 5000
_MAX_ALT_TEXT = 1500
_MAX_QUICK_REPLY_ITEMS = 13
_MAX_QUICK_REPLY_LABEL = 20
_MAX_POSTBACK_DATA = 300
_MAX_DISPLAY_TEXT = 300
_LOADING_SECONDS = range(5, 61, 5)
# Rich menus (LINE's rich menu object and its image).
_RICH_MENU_REQUIRED = ("size", "selected", "name", "chatBarText", "areas")
_RICH_MENU_MAX_AREAS = 20
_RICH_MENU_WIDTH = range(800, 2501)
_RICH_MENU_MIN_HEIGHT = 250
_RICH_MENU_MIN_RATIO = 1.45
_RICH_MENU_ACTION_TEXT = 300
_RICH_MENU_IMAGE_TYPES = ("image/png", "image/jpeg")
_RICH_MENU_MAX_IMAGE_BYTES = 1024 * 1024


@dataclass
class SimulatedUser:
    user_id: str
    display_name: str
    language: str | None = "th"
    following: bool = True


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
class RecordedRequest:
    endpoint: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class _ReplyToken:
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class _Fault:
    kind: str  # "error", "lose_response" or "delay"
    status: int = 500
    message: str | None = None
    seconds: float = 0.0


@dataclass
class _Outage:
    """A stretch of time in which every call to an endpoint fails (see fail_for)."""

    fault: _Fault
    until: float  # time.monotonic()


@dataclass
class StoredContent:
    data: bytes
    content_type: str


@dataclass
class StoredRichMenu:
    rich_menu_id: str
    definition: dict[str, Any]  # the rich menu object as the bot sent it
    image: StoredContent | None = None


class LineError(Exception):
    """Answered as LINE answers errors: {"message": ..., "details": [...]}."""

    def __init__(self, status: int, message: str | None = None, details: list[dict] | None = None,
                 headers: dict[str, str] | None = None, body_extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message or _ERROR_MESSAGES.get(status, "Error")
        self.details = details
        self.headers = headers or {}
        self.body_extra = body_extra or {}

    def response(self, request_id: str) -> JSONResponse:
        body: dict[str, Any] = {"message": self.message, **self.body_extra}
        if self.details:
            body["details"] = self.details
        return JSONResponse(body, status_code=self.status, headers={"x-line-request-id": request_id, **self.headers})


@dataclass
class FakeLinePlatform:
    access_token: str = "test-access-token"
    reply_token_lifetime: timedelta = timedelta(minutes=1)
    bot_user_id: str = field(default_factory=ids.user_id)

    users: dict[str, SimulatedUser] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _chats: dict[str, list[ChatEntry]] = field(default_factory=lambda: defaultdict(list))
    _reply_tokens: dict[str, _ReplyToken] = field(default_factory=dict)
    _accepted_retry_keys: dict[str, tuple[str, list[dict]]] = field(default_factory=dict)
    _contents: dict[str, StoredContent] = field(default_factory=dict)
    _faults: dict[str, deque[_Fault]] = field(default_factory=lambda: defaultdict(deque))
    _outages: dict[str, list[_Outage]] = field(default_factory=lambda: defaultdict(list))
    _seq: int = 0
    # Woken on every new chat entry, for readers that wait instead of polling.
    _chat_changed: dict[str, asyncio.Event] = field(default_factory=dict)
    rich_menus: dict[str, StoredRichMenu] = field(default_factory=dict)
    default_rich_menu_id: str | None = None

    # ---- the simulated world -------------------------------------------------------------

    def add_user(self, display_name: str = "ผู้ใช้ทดสอบ", language: str | None = "th",
                 user_id: str | None = None) -> SimulatedUser:
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
        return self._append(user_id, sender="user", message=message, message_id=message_id)

    def chat(self, user_id: str, after: int = 0) -> list[ChatEntry]:
        return [entry for entry in self._chats.get(user_id, []) if entry.seq > after]

    def bot_messages(self, user_id: str) -> list[ChatEntry]:
        return [entry for entry in self._chats.get(user_id, []) if entry.sender == "bot"]

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.endpoint == endpoint]

    # ---- fault injection ---------------------------------------------------------------

    def fail_next(self, endpoint: str, status: int = 500, times: int = 1, message: str | None = None) -> None:
        """The next `times` calls to `endpoint` answer `status` without doing anything."""
        self._queue(endpoint, times, _Fault("error", status=status, message=message))

    def lose_next_response(self, endpoint: str, times: int = 1) -> None:
        """The next calls do their work, then answer 500 as if the response were lost on the way."""
        self._queue(endpoint, times, _Fault("lose_response"))

    def delay_next(self, endpoint: str, seconds: float, times: int = 1) -> None:
        """The next calls wait `seconds` before doing their work (for client timeouts)."""
        self._queue(endpoint, times, _Fault("delay", seconds=seconds))

    def fail_for(self, endpoint: str, seconds: float, status: int = 500, *, after_work: bool = False) -> None:
        """Every call to `endpoint` in the next `seconds` answers `status` (LINE down, or rate
        limiting with 429). With `after_work` each call does its work first and only the answer is
        lost: a message is delivered, yet the bot hears 5xx. Outages may overlap; the one that
        ends last wins. Queued faults (fail_next, ...) wait until the outage is over."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {ENDPOINTS}")
        kind = "lose_response" if after_work else "error"
        self._outages[endpoint].append(_Outage(_Fault(kind, status=status), until=time.monotonic() + seconds))

    def clear_faults(self) -> None:
        self._faults.clear()
        self._outages.clear()

    def reset(self) -> None:
        """Forget everything except the access token and lifetime."""
        self.users.clear()
        self.requests.clear()
        self._chats.clear()
        self._reply_tokens.clear()
        self._accepted_retry_keys.clear()
        self._contents.clear()
        self._faults.clear()
        self._outages.clear()
        self.rich_menus.clear()
        self.default_rich_menu_id = None

    def _queue(self, endpoint: str, times: int, fault: _Fault) -> None:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {ENDPOINTS}")
        self._faults[endpoint].extend([fault] * times)

    def _next_fault(self, endpoint: str) -> _Fault | None:
        """The fault this call meets: an outage under way, else the next queued one."""
        now = time.monotonic()
        outages = [outage for outage in self._outages.get(endpoint, []) if outage.until > now]
        if outages:
            self._outages[endpoint] = outages
            return max(outages, key=lambda outage: outage.until).fault
        self._outages.pop(endpoint, None)
        return self._faults[endpoint].popleft() if self._faults.get(endpoint) else None

    # ---- the HTTP API --------------------------------------------------------------------

    def router(self) -> APIRouter:
        router = APIRouter(tags=["fake LINE platform"])
        router.add_api_route("/v2/bot/message/reply", self._reply_endpoint, methods=["POST"])
        router.add_api_route("/v2/bot/message/push", self._push_endpoint, methods=["POST"])
        router.add_api_route("/v2/bot/chat/loading/start", self._loading_endpoint, methods=["POST"])
        router.add_api_route("/v2/bot/profile/{user_id}", self._profile_endpoint, methods=["GET"])
        router.add_api_route("/v2/bot/message/{message_id}/content", self._content_endpoint, methods=["GET"])
        router.add_api_route("/v2/bot/richmenu/validate", self._rich_menu_validate_endpoint, methods=["POST"])
        router.add_api_route("/v2/bot/richmenu", self._rich_menu_create_endpoint, methods=["POST"])
        router.add_api_route("/v2/bot/richmenu/{rich_menu_id}", self._rich_menu_delete_endpoint, methods=["DELETE"])
        router.add_api_route("/v2/bot/richmenu/{rich_menu_id}/content", self._rich_menu_content_endpoint,
                             methods=["POST"])
        router.add_api_route("/v2/bot/user/all/richmenu/{rich_menu_id}", self._rich_menu_set_default_endpoint,
                             methods=["POST"])
        router.add_api_route("/v2/bot/user/all/richmenu", self._rich_menu_get_default_endpoint, methods=["GET"])
        return router

    async def _reply_endpoint(self, request: Request) -> Response:
        return await self._handle("reply", request, self._reply)

    async def _push_endpoint(self, request: Request) -> Response:
        return await self._handle("push", request, self._push)

    async def _loading_endpoint(self, request: Request) -> Response:
        return await self._handle("loading", request, self._loading)

    async def _profile_endpoint(self, request: Request, user_id: str) -> Response:
        return await self._handle("profile", request, lambda _req, _body: self._profile(user_id))

    async def _content_endpoint(self, request: Request, message_id: str) -> Response:
        return await self._handle("content", request, lambda _req, _body: self._content(message_id))

    async def _rich_menu_validate_endpoint(self, request: Request) -> Response:
        return await self._handle("richmenu_validate", request, self._rich_menu_validate)

    async def _rich_menu_create_endpoint(self, request: Request) -> Response:
        return await self._handle("richmenu_create", request, self._rich_menu_create)

    async def _rich_menu_delete_endpoint(self, request: Request, rich_menu_id: str) -> Response:
        return await self._handle("richmenu_delete", request, lambda _req, _body: self._rich_menu_delete(rich_menu_id))

    async def _rich_menu_content_endpoint(self, request: Request, rich_menu_id: str) -> Response:
        return await self._handle("richmenu_content", request,
                                  lambda req, raw: self._rich_menu_content(req, raw, rich_menu_id))

    async def _rich_menu_set_default_endpoint(self, request: Request, rich_menu_id: str) -> Response:
        return await self._handle("richmenu_default", request,
                                  lambda _req, _body: self._rich_menu_set_default(rich_menu_id))

    async def _rich_menu_get_default_endpoint(self, request: Request) -> Response:
        return await self._handle("richmenu_default", request, lambda _req, _body: self._rich_menu_get_default())

    async def _handle(self, endpoint: str, request: Request, work) -> Response:
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
            body=_parse_json(raw),
        )
        self.requests.append(record)
        request_id = str(uuid.uuid4())
        fault = self._next_fault(endpoint)
        try:
            if request.headers.get("authorization") != f"Bearer {self.access_token}":
                raise LineError(401)
            if fault and fault.kind == "error":
                raise LineError(fault.status, fault.message)
            if fault and fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
            response = work(request, raw)
            if fault and fault.kind == "lose_response":
                raise LineError(fault.status)
        except LineError as error:
            record.status = error.status
            return error.response(request_id)
        record.status = response.status_code
        response.headers["x-line-request-id"] = request_id
        return response

    def _reply(self, request: Request, raw: bytes) -> Response:
        body = _validated(ReplyMessageRequest, raw)
        token = self._reply_tokens.get(body["replyToken"])
        if token is None or token.used or self._expired(token):
            raise LineError(400, "Invalid reply token")
        token.used = True
        sent = self._deliver(token.user_id, body["messages"], "reply", body.get("notificationDisabled", False))
        return JSONResponse({"sentMessages": sent})

    def _push(self, request: Request, raw: bytes) -> Response:
        retry_key = request.headers.get("x-line-retry-key")
        if retry_key is not None and not _is_uuid(retry_key):
            raise LineError(400, "The value for the 'X-Line-Retry-Key' header is invalid")
        body = _validated(PushMessageRequest, raw)
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

    def _loading(self, request: Request, raw: bytes) -> Response:
        body = _validated(ShowLoadingAnimationRequest, raw)
        seconds = body.get("loadingSeconds")
        if seconds is not None and seconds not in _LOADING_SECONDS:
            raise LineError(400, "The request body has 1 error(s)",
                            [{"message": "must be a multiple of 5 between 5 and 60", "property": "loadingSeconds"}])
        return JSONResponse({}, status_code=202)

    def _profile(self, user_id: str) -> Response:
        user = self.users.get(user_id)
        if user is None or not user.following:
            raise LineError(404)
        profile = {"displayName": user.display_name, "userId": user.user_id}
        if user.language:
            profile["language"] = user.language
        return JSONResponse(profile)

    def _content(self, message_id: str) -> Response:
        content = self._contents.get(message_id)
        if content is None:
            raise LineError(404)
        return Response(content.data, media_type=content.content_type)

    def _rich_menu_validate(self, request: Request, raw: bytes) -> Response:
        _validated_rich_menu(raw)
        return JSONResponse({})

    def _rich_menu_create(self, request: Request, raw: bytes) -> Response:
        body = _validated_rich_menu(raw)
        rich_menu_id = "richmenu-" + secrets.token_hex(16)
        self.rich_menus[rich_menu_id] = StoredRichMenu(rich_menu_id, body)
        return JSONResponse({"richMenuId": rich_menu_id})

    def _rich_menu_delete(self, rich_menu_id: str) -> Response:
        if self.rich_menus.pop(rich_menu_id, None) is None:
            raise LineError(404, "Not found")
        if self.default_rich_menu_id == rich_menu_id:
            self.default_rich_menu_id = None
        return JSONResponse({})

    def _rich_menu_content(self, request: Request, raw: bytes, rich_menu_id: str) -> Response:
        menu = self.rich_menus.get(rich_menu_id)
        if menu is None:
            raise LineError(404, "Not found")
        if menu.image is not None:
            raise LineError(400, "An image has already been uploaded to the richmenu")
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type not in _RICH_MENU_IMAGE_TYPES:
            raise LineError(400, "The content type must be image/jpeg or image/png")
        if len(raw) > _RICH_MENU_MAX_IMAGE_BYTES:
            raise LineError(400, "The image is larger than 1 MB")
        size = _image_size(raw, content_type)
        if size is None:
            raise LineError(400, f"The body is not a readable {content_type} image")
        wanted = (menu.definition["size"]["width"], menu.definition["size"]["height"])
        if size != wanted:
            raise LineError(400, f"The image size {size[0]}x{size[1]} must match the rich menu size "
                                 f"{wanted[0]}x{wanted[1]}")
        menu.image = StoredContent(raw, content_type)
        return JSONResponse({})

    def _rich_menu_set_default(self, rich_menu_id: str) -> Response:
        menu = self.rich_menus.get(rich_menu_id)
        if menu is None:
            raise LineError(404, "Not found")
        if menu.image is None:
            raise LineError(400, "An image must be uploaded before the rich menu is used")
        self.default_rich_menu_id = rich_menu_id
        return JSONResponse({})

    def _rich_menu_get_default(self) -> Response:
        if self.default_rich_menu_id is None:
            raise LineError(404, "no default richmenu")
        return JSONResponse({"richMenuId": self.default_rich_menu_id})

    # ---- internals -------------------------------------------------------------------------

    def _expired(self, token: _ReplyToken) -> bool:
        return time.monotonic() - token.issued_at > self.reply_token_lifetime.total_seconds()

    def _deliver(self, user_id: str, messages: list[dict], via: str, silent: bool) -> list[dict]:
        sent = []
        for message in messages:
            message_id = ids.message_id()
            self._append(user_id, "bot", message, via=via, notification_disabled=silent, message_id=message_id)
            sent.append({"id": message_id, "quoteToken": ids.quote_token()})
        return sent

    def _append(self, user_id: str, sender: str, message: dict, **extra: Any) -> ChatEntry:
        self._seq += 1
        entry = ChatEntry(seq=self._seq, user_id=user_id, sender=sender, message=message,
                          at=datetime.now(UTC), **extra)
        self._chats[user_id].append(entry)
        if (changed := self._chat_changed.pop(user_id, None)) is not None:
            changed.set()
        return entry

    async def wait_for_chat(self, user_id: str, after: int, timeout: float, sender: str | None = None) -> list[ChatEntry]:
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


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _validated(model: type, raw: bytes) -> dict[str, Any]:
    """The body as a dict after the SDK's model and LINE's limits accept it; LineError(400) if not."""
    try:
        body = json.loads(raw)
        model.from_json(raw.decode())
    except ValueError as error:  # includes json errors and pydantic v1 ValidationError
        raise LineError(400, "The request body has 1 error(s)", _details(error)) from None
    problems = list(_limit_problems(body))
    if problems:
        raise LineError(400, f"The request body has {len(problems)} error(s)", problems)
    return body


def _validated_rich_menu(raw: bytes) -> dict[str, Any]:
    """A rich menu object that the SDK's model and LINE's rules accept; LineError(400) if not."""
    body = _validated(RichMenuRequest, raw)
    problems = list(_rich_menu_problems(body))
    if problems:
        raise LineError(400, f"The request body has {len(problems)} error(s)", problems)
    return body


def _rich_menu_problems(body: dict[str, Any]):
    missing = [name for name in _RICH_MENU_REQUIRED if body.get(name) is None]
    for name in missing:
        yield {"message": "must be specified", "property": name}
    if missing:
        return
    width, height = body["size"].get("width"), body["size"].get("height")
    if width not in _RICH_MENU_WIDTH:
        yield {"message": "must be between 800 and 2500", "property": "size.width"}
    if not isinstance(height, int) or height < _RICH_MENU_MIN_HEIGHT:
        yield {"message": f"must be at least {_RICH_MENU_MIN_HEIGHT}", "property": "size.height"}
    elif isinstance(width, int) and width / height < _RICH_MENU_MIN_RATIO:
        yield {"message": f"width / height must be at least {_RICH_MENU_MIN_RATIO}", "property": "size"}
    if len(body["areas"]) > _RICH_MENU_MAX_AREAS:
        yield {"message": f"Size must be between 0 and {_RICH_MENU_MAX_AREAS}", "property": "areas"}
    for index, area in enumerate(body["areas"]):
        where = f"areas[{index}]"
        bounds, action = area.get("bounds"), area.get("action")
        if not bounds or not action:
            yield {"message": "must be specified", "property": where + (".bounds" if not bounds else ".action")}
            continue
        if (bounds.get("x", 0) + bounds.get("width", 0) > (width or 0)
                or bounds.get("y", 0) + bounds.get("height", 0) > (height or 0)):
            yield {"message": "must lie inside the rich menu", "property": f"{where}.bounds"}
        for key in ("data", "displayText", "text"):
            if len(action.get(key) or "") > _RICH_MENU_ACTION_TEXT:
                yield {"message": f"Length must be between 0 and {_RICH_MENU_ACTION_TEXT}",
                       "property": f"{where}.action.{key}"}


def _image_size(data: bytes, content_type: str) -> tuple[int, int] | None:
    """(width, height) read from the image's header, or None if it is not a PNG/JPEG."""
    return _png_size(data) if content_type == "image/png" else _jpeg_size(data)


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the segments after SOI up to a start-of-frame marker, which holds height then width.
    if data[:2] != b"\xff\xd8":
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            position += 2
            continue
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
    return None


def _details(error: ValueError) -> list[dict[str, str]]:
    errors = getattr(error, "errors", None)
    if callable(errors):
        return [{"message": e["msg"], "property": ".".join(str(p) for p in e["loc"])} for e in errors()]
    return [{"message": str(error).splitlines()[0][:200]}]


def _limit_problems(body: dict[str, Any]):
    for index, message in enumerate(body.get("messages") or []):
        where = f"messages[{index}]"
        if message.get("type") == "text" and len(message.get("text") or "") > _MAX_TEXT:
            yield {"message": f"Length must be between 0 and {_MAX_TEXT}", "property": f"{where}.text"}
        if message.get("type") == "text" and not (message.get("text") or "").strip():
            yield {"message": "May not be empty", "property": f"{where}.text"}
        if "altText" in message and len(message["altText"]) > _MAX_ALT_TEXT:
            yield {"message": f"Length must be between 0 and {_MAX_ALT_TEXT}", "property": f"{where}.altText"}
        items = (message.get("quickReply") or {}).get("items")
        if items is not None:
            if not 1 <= len(items) <= _MAX_QUICK_REPLY_ITEMS:
                yield {"message": f"Size must be between 1 and {_MAX_QUICK_REPLY_ITEMS}",
                       "property": f"{where}.quickReply.items"}
            for n, item in enumerate(items):
                label = (item.get("action") or {}).get("label") or ""
                if len(label) > _MAX_QUICK_REPLY_LABEL:
                    yield {"message": f"Length must be between 0 and {_MAX_QUICK_REPLY_LABEL}",
                           "property": f"{where}.quickReply.items[{n}].action.label"}
        for path, action in _actions(message, where):
            if len(action.get("data") or "") > _MAX_POSTBACK_DATA:
                yield {"message": f"Length must be between 0 and {_MAX_POSTBACK_DATA}", "property": f"{path}.data"}
            if len(action.get("displayText") or "") > _MAX_DISPLAY_TEXT:
                yield {"message": f"Length must be between 0 and {_MAX_DISPLAY_TEXT}",
                       "property": f"{path}.displayText"}


def _actions(node: Any, path: str):
    """Every action object anywhere inside a message, with where it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}"
            if key == "action" and isinstance(value, dict):
                yield child, value
            yield from _actions(value, child)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _actions(value, f"{path}[{index}]")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _looks_like_user_id(value: str) -> bool:
    return len(value) == 33 and value[0] in "UCR" and all(c in "0123456789abcdef" for c in value[1:])
