"""LINE Messaging API adapter: every message the bot sends goes out here, exactly once.

Delivery rules:
- reply (free) while the event's reply token is fresh;
- otherwise push, with an X-Line-Retry-Key derived from the delivery's key, so a retried push
  that LINE already accepted answers 409 instead of reaching the user twice;
- an invalid or expired reply token falls back to push in the same attempt;
- a reply cannot be de-duplicated by LINE, so each attempt heartbeats what it is about to do:
  a retry after a reply whose answer was lost replies again, and "Invalid reply token" then means
  the earlier reply got through (already delivered); once an attempt has pushed, retries only push;
- a reply answered 5xx or not at all may have been delivered: the same attempt replies again at
  once, while the token is surely fresh, because only a fresh token's answer tells delivered from
  lost (a retry after the token's lifetime could only push, and risk a second copy);
- 429, 5xx and network trouble raise a retryable error (Temporal backs off and tries again, not
  before LINE's Retry-After when it sends one); any other 4xx is a bug on our side and fails for good;
- a 429 for the channel's monthly quota is no burst: retrying cannot help until someone buys more,
  so it fails for good at once, logged as an ERROR and counted (ess_line_quota_exhausted_total);
- how long a delivery keeps trying is counted from its first attempt on Temporal's clock: what must
  arrive (a reporter's case number, officers' alerts and what they must hear of a case) for
  ESS_LINE_DELIVERY_HOURS, anything else for ROUTINE_DELIVERY; past that the attempt that fails
  ends it for good (LineDeliveryExpired) and the workflow records the message as undelivered.
Every message to a reporter goes out with notificationDisabled (their phone must not make a
sound); officers' alerts are the exception (Delivery.silent).
Error messages carry status codes and LINE's request id only, never what was sent or to whom.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.metrics import LINE_API_ERRORS, LINE_QUOTA_EXHAUSTED, LINE_UNDELIVERED
from configuration.settings import Settings
from domain.attachment_links import attachment_link
from domain.models import Delivery, DeliveryResult, Language, Prompt
from rendering.citizen_messages import quiet_reminders, render

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Namespace for push retry keys: uuid5(namespace, delivery key) is the same on every attempt.
_RETRY_KEY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "ess-help-me/line-push-retry-key")
_LOADING_SECONDS = 5
# Heartbeat details: how far an attempt got, read back by the next attempt.
_REPLY = "reply"
_PUSH = "push"
_LANGUAGES = {"th": Language.THAI, "en": Language.ENGLISH}
# Pauses between replies repeated after an answer that may hide a delivery (5xx, timeout).
_REREPLY_PAUSES = (0.5, 1.0, 2.0, 4.0)
# How long a routine message (a conversation's next question, an answer to a tap) keeps trying: later
# than this it would only confuse. What must arrive tries for Settings.line_delivery_hours.
ROUTINE_DELIVERY = timedelta(minutes=10)
# Messages that must reach their reader however long LINE is away: the reporter's case number, and
# what officers (and teams) must hear of a case.
MUST_ARRIVE = frozenset({
    Prompt.CASE_OPENED, Prompt.CASE_OPENED_INCOMPLETE, Prompt.CASE_ALERT, Prompt.CASE_RETURNED,
    Prompt.CASE_FOLLOW_UP, Prompt.REPORTER_SAYS, Prompt.REPORTER_PHOTO, Prompt.REPORTER_PLACE,
    Prompt.HANDOFF_ALERT, Prompt.CASE_NOT_RECORDED,
})
# LINE's Retry-After is honoured up to this; a longer one is read as this (the retries go on).
MAX_RETRY_AFTER = timedelta(minutes=10)
# What LINE's 429 says when the monthly message quota is used up (matched, never logged).
_MONTHLY_LIMIT = "monthly limit"


class LineUnavailable(ApplicationError):
    """LINE is busy, rate limited or unreachable: worth another try later (not before
    `retry_after`, when LINE said when)."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message, type="LineUnavailable", non_retryable=False, next_retry_delay=retry_after)


class LineMaybeDelivered(LineUnavailable):
    """LINE failed to answer (5xx, timeout, dropped connection): it may have done the work."""


class LineRejected(ApplicationError):
    """LINE refused the request as malformed or forbidden: trying again cannot help."""

    def __init__(self, message: str) -> None:
        super().__init__(message, type="LineRejected", non_retryable=True)


class LineQuotaExhausted(ApplicationError):
    """The channel's monthly message quota is used up: no retry helps before more is bought."""

    def __init__(self, message: str) -> None:
        super().__init__(message, type="LineQuotaExhausted", non_retryable=True)


class LineDeliveryExpired(ApplicationError):
    """LINE stayed unavailable for the whole of the delivery's window: given up for good."""

    def __init__(self, message: str) -> None:
        super().__init__(message, type="LineDeliveryExpired", non_retryable=True)


def push_retry_key(delivery_key: str) -> str:
    return str(uuid.uuid5(_RETRY_KEY_NAMESPACE, delivery_key))


class LineMessenger:
    """Holds the LINE API client. Activities are its methods."""

    def __init__(self, settings: Settings, request_timeout: float = 10.0) -> None:
        self._settings = settings
        self._request_timeout = request_timeout
        self._client: AsyncApiClient | None = None

    def _api_client(self) -> AsyncApiClient:
        # aiohttp binds its session to the running loop, so the client is made on first use.
        if self._client is None:
            configuration = Configuration(access_token=self._settings.line_channel_access_token)
            if not self._settings.uses_line_itself:
                # Only for a stand-in: LINE's own content API lives on another host than its API.
                configuration = Configuration(
                    access_token=self._settings.line_channel_access_token,
                    host=self._settings.line_api_base_url.rstrip("/"),
                )
            self._client = AsyncApiClient(configuration)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    # ---- activities ------------------------------------------------------------------------

    @activity.defn(name="send_line_messages")
    async def send_line_messages(self, delivery: Delivery) -> DeliveryResult:
        try:
            return await self._send(delivery)
        except LineUnavailable as error:
            window = self.delivery_window(delivery)
            tried_for = _tried_for()
            if tried_for < window:
                raise
            LINE_UNDELIVERED.labels("expired").inc()
            logger.warning("LINE message given up after %d attempts over %s (window %s): %s",
                           activity.info().attempt, tried_for, window, error.message)
            raise LineDeliveryExpired(f"LINE unavailable for {tried_for}; last: {error.message}") from None
        except LineQuotaExhausted:
            LINE_UNDELIVERED.labels("quota").inc()
            raise

    def delivery_window(self, delivery: Delivery) -> timedelta:
        """How long, from its first attempt, a delivery keeps trying through LINE's trouble."""
        if any(message.prompt in MUST_ARRIVE for message in delivery.messages):
            return timedelta(hours=self._settings.line_delivery_hours)
        return ROUTINE_DELIVERY

    async def _send(self, delivery: Delivery) -> DeliveryResult:
        messages = self._rendered(delivery)
        tried_before = _tried_in_earlier_attempt()
        replying = tried_before != _PUSH and self._reply_token_fresh(delivery)
        if replying:
            activity.heartbeat(_REPLY)  # lets a retry know the token may have been used by us
            result = await self._reply(delivery, messages, used_before=tried_before == _REPLY)
            if result is not None:
                return result
            logger.info("Reply token no longer valid; pushing instead")
        if replying or tried_before == _REPLY:
            # From here on only push is safe to repeat. With no reply in play a retry pushes
            # anyway (same retry key), so the note, a write on the server, is spared.
            activity.heartbeat(_PUSH)
        return await self._push(delivery, messages)

    async def answer_at_once(self, delivery: Delivery) -> DeliveryResult:
        """Not an activity: for the webhook, which answers a tap itself when no workflow is left to
        (an alert button of an ended case). A reply while the token is fresh, else (or once LINE says
        the token is spent) a push under the delivery's retry key; tried once: LineUnavailable and
        LineRejected reach the caller."""
        messages = self._rendered(delivery)
        if self._reply_token_fresh(delivery):
            try:
                await self._call("reply", self._reply_request(delivery, messages))
                return DeliveryResult(method="reply")
            except _InvalidReplyToken:
                logger.info("Reply token no longer valid; pushing instead")
        return await self._push(delivery, messages)

    def _rendered(self, delivery: Delivery) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        messages = [
            render(message, delivery.language, public_url=self._settings.public_url,
                   attachment_url=lambda attachment_id: attachment_link(
                       self._settings.public_url, attachment_id, now, self._settings.pseudonym_key))
            for message in quiet_reminders(delivery.messages)
        ]
        _check_wire_format(messages)
        return messages

    async def _push(self, delivery: Delivery, messages: list[dict[str, Any]]) -> DeliveryResult:
        try:
            await self._call(
                "push",
                AsyncMessagingApi(self._api_client()).push_message_with_http_info(
                    PushMessageRequest.from_dict(
                        {"to": delivery.user_id, "messages": messages, "notificationDisabled": delivery.silent}
                    ),
                    x_line_retry_key=push_retry_key(delivery.key),
                    _request_timeout=self._request_timeout,
                ),
            )
        except _AlreadyAccepted:
            return DeliveryResult(method="already-delivered")
        return DeliveryResult(method="push")

    def _reply_request(self, delivery: Delivery, messages: list[dict[str, Any]]) -> Awaitable[object]:
        request: Awaitable[object] = AsyncMessagingApi(self._api_client()).reply_message_with_http_info(
            ReplyMessageRequest.from_dict(
                {"replyToken": delivery.reply_token, "messages": messages, "notificationDisabled": delivery.silent}
            ),
            _request_timeout=self._request_timeout,
        )
        return request

    async def _reply(self, delivery: Delivery, messages: list[dict[str, Any]],
                     used_before: bool) -> DeliveryResult | None:
        """Reply, and settle an ambiguous answer while the token can still settle it. None when
        the token was spent or expired before any reply of ours: the caller pushes."""
        deadline = _attempt_deadline()
        pauses = iter(_REREPLY_PAUSES)
        while True:
            try:
                await self._call("reply", self._reply_request(delivery, messages))
                return DeliveryResult(method="reply")
            except _InvalidReplyToken:
                if used_before:
                    # A fresh token is spent only by its one reply: an earlier reply of ours got
                    # through to LINE and its answer was lost (a 5xx, a timeout, a dead worker).
                    return DeliveryResult(method="already-delivered")
                return None
            except LineUnavailable as error:
                used_before = used_before or isinstance(error, LineMaybeDelivered)
                pause = next(pauses, None)
                if not used_before or pause is None or not self._can_settle(delivery, pause, deadline):
                    raise  # nothing to settle (429: LINE did nothing), or no time left: Temporal retries
                await asyncio.sleep(pause)

    def _can_settle(self, delivery: Delivery, pause: float, deadline: float) -> bool:
        """Whether one more reply after `pause` is answered before the attempt times out and while
        the token is still fresh, so that "Invalid reply token" can only mean delivered."""
        needed = pause + self._request_timeout
        return (time.monotonic() + needed <= deadline
                and self._reply_token_fresh(delivery, spare=timedelta(seconds=needed)))

    @activity.defn(name="show_line_loading")
    async def show_line_loading(self, user_id: str) -> None:
        """The typing dots while the bot works. Cosmetic: any failure is only logged."""
        request = ShowLoadingAnimationRequest(chatId=user_id, loadingSeconds=_LOADING_SECONDS)
        try:
            await self._call(
                "loading",
                AsyncMessagingApi(self._api_client()).show_loading_animation_with_http_info(
                    request, _request_timeout=self._request_timeout
                ),
            )
        except ApplicationError as error:
            logger.info("Loading animation not shown: %s", error.message)

    @activity.defn(name="get_line_language")
    async def get_line_language(self, user_id: str) -> Language | None:
        """The language of the user's LINE app, when it is one the bot speaks."""
        try:
            response = await self._call(
                "profile",
                AsyncMessagingApi(self._api_client()).get_profile_with_http_info(
                    user_id, _request_timeout=self._request_timeout
                ),
            )
        except LineRejected:
            return None  # e.g. 404: the user blocked the bot; Thai is the default anyway
        language = (response.data.language or "").split("-")[0].lower()
        return _LANGUAGES.get(language)

    async def download_content(self, message_id: str) -> tuple[bytes, str]:
        """Not an activity: (content bytes, content type) of a message's photo/video/audio/file."""
        response = await self._call(
            "content",
            AsyncMessagingApiBlob(self._api_client()).get_message_content_with_http_info(
                message_id, _request_timeout=self._request_timeout
            ),
        )
        headers = {name.lower(): value for name, value in (response.headers or {}).items()}
        return bytes(response.data), headers.get("content-type", "application/octet-stream")

    # ---- how LINE's answers become outcomes -------------------------------------------------

    def _reply_token_fresh(self, delivery: Delivery, spare: timedelta = timedelta(0)) -> bool:
        """Whether the token will still be fresh `spare` from now."""
        if not delivery.reply_token or delivery.reply_token_issued_at is None:
            return False
        age = datetime.now(UTC) - delivery.reply_token_issued_at
        return age + spare < self._settings.line_reply_token_lifetime

    async def _call(self, operation: str, request: Awaitable[T]) -> T:
        try:
            return await request
        except ApiException as error:
            LINE_API_ERRORS.labels(operation, str(error.status or 0)).inc()
            raise _outcome(operation, error) from None
        except (TimeoutError, aiohttp.ClientError) as error:
            LINE_API_ERRORS.labels(operation, "timeout" if isinstance(error, TimeoutError) else "network").inc()
            raise LineMaybeDelivered(f"LINE {operation}: {type(error).__name__}") from None


def _check_wire_format(messages: list[dict[str, Any]]) -> None:
    """A message LINE's own schema rejects is our bug: fail for good instead of retrying it."""
    try:
        PushMessageRequest.from_dict({"to": "U" + "0" * 32, "messages": messages})
    except ValueError:  # pydantic v1's ValidationError is a ValueError
        raise LineRejected("A rendered message does not match LINE's message schema") from None


def _attempt_deadline() -> float:
    """When this attempt times out, on the monotonic clock (with a second spare)."""
    info = activity.info()
    if info.start_to_close_timeout is None:
        return float("inf")
    elapsed = (datetime.now(UTC) - info.started_time).total_seconds()
    return time.monotonic() - elapsed + info.start_to_close_timeout.total_seconds() - 1


def _tried_for() -> timedelta:
    """How long this delivery has been trying: from its first attempt's scheduling to this one's,
    both on Temporal's clock (so a worker's clock, or skipped time in tests, cannot skew it)."""
    info = activity.info()
    return max(info.current_attempt_scheduled_time - info.scheduled_time, timedelta(0))


def _tried_in_earlier_attempt() -> str | None:
    """What an earlier attempt of this activity had started to do, from its last heartbeat."""
    details = activity.info().heartbeat_details
    return details[-1] if details and details[-1] in (_REPLY, _PUSH) else None


class _InvalidReplyToken(Exception):
    pass


class _AlreadyAccepted(Exception):
    pass


def _outcome(operation: str, error: ApiException) -> Exception:
    status = error.status or 0
    headers = {name.lower(): value for name, value in (error.headers or {}).items()}
    where = f"LINE {operation} answered {status} (x-line-request-id {headers.get('x-line-request-id', '-')})"
    if operation == "push" and status == 409:
        return _AlreadyAccepted()
    if operation == "reply" and status == 400 and "reply token" in _line_message(error).lower():
        return _InvalidReplyToken()
    if status == 429 and _MONTHLY_LIMIT in _line_message(error).lower():
        LINE_QUOTA_EXHAUSTED.labels(operation).inc()
        logger.error("LINE's monthly message quota is used up: messages are not delivered until it is "
                     "raised (%s)", where)
        return LineQuotaExhausted(f"{where}: monthly quota used up")
    if status == 429:
        return LineUnavailable(where, _retry_after(headers))  # refused before any work was done
    if status >= 500 or status == 0:
        return LineMaybeDelivered(where, _retry_after(headers))
    return LineRejected(where)


def _retry_after(headers: dict[str, str]) -> timedelta | None:
    """LINE's Retry-After (seconds, or an HTTP date), at most MAX_RETRY_AFTER; None without one."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        delay = timedelta(seconds=float(value))
    except (ValueError, OverflowError):  # "inf" overflows; an HTTP date is no number
        try:
            delay = parsedate_to_datetime(value) - datetime.now(UTC)
        except (TypeError, ValueError, IndexError):
            return None
    if delay <= timedelta(0):
        return None
    return min(delay, MAX_RETRY_AFTER)


def _line_message(error: ApiException) -> str:
    """LINE's top-level error message; only used for matching, never logged."""
    try:
        return str(json.loads(error.body).get("message", ""))
    except (TypeError, ValueError, AttributeError):
        return ""
