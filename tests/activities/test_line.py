"""LineMessenger against the fake LINE platform over real HTTP, inside Temporal's activity environment.

The user must see every message exactly once, silently, whatever LINE does on the way.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.line import LineMessenger, push_retry_key
from configuration.settings import Settings
from domain.models import BotMessage, Delivery, Language, Prompt
from line_simulator import events
from line_simulator.line_platform import SimulatedUser
from orchestration import options
from tests.fake_line import FakeLine


@pytest.fixture
async def messenger(line_settings: Settings) -> AsyncIterator[LineMessenger]:
    messenger = LineMessenger(line_settings, request_timeout=2.0)
    yield messenger
    await messenger.close()


class Attempt(ActivityEnvironment):
    """One attempt of an activity: its number, what earlier attempts heartbeated, what it heartbeats,
    and its time limit (the worker's own by default)."""

    def __init__(self, number: int, heartbeats: list | None = None, time_limit: timedelta | None = None) -> None:
        super().__init__()
        self.info = dataclasses.replace(
            self.info, attempt=number, heartbeat_details=list(heartbeats or []), started_time=datetime.now(UTC),
            start_to_close_timeout=time_limit or options.LINE["start_to_close_timeout"],
        )
        self.heartbeats: list = []
        self.on_heartbeat = lambda *details: self.heartbeats.extend(details)


def attempt(number: int, heartbeats: list | None = None, time_limit: timedelta | None = None) -> Attempt:
    return Attempt(number, heartbeats, time_limit)


def delivery_for(user: SimulatedUser, reply_token: str | None = None, token_age: timedelta = timedelta(seconds=1),
                 key: str | None = None) -> Delivery:
    return Delivery(
        key=key or f"conversation-1/step-{uuid.uuid4()}",
        user_id=user.user_id,
        language=Language.THAI,
        messages=[BotMessage(prompt=Prompt.ASK_PHONE)],
        reply_token=reply_token,
        reply_token_issued_at=datetime.now(UTC) - token_age if reply_token else None,
    )


def a_message_from(fake_line: FakeLine, user: SimulatedUser) -> str:
    """The user writes to the bot; returns the reply token LINE hands the bot."""
    return events.text(fake_line.platform, user.user_id, "ช่วยด้วย")["replyToken"]


async def test_replies_while_the_reply_token_is_fresh(fake_line, line_user, messenger):
    delivery = delivery_for(line_user, reply_token=a_message_from(fake_line, line_user))

    result = await attempt(1).run(messenger.send_line_messages, delivery)

    assert result.method == "reply"
    [shown] = fake_line.platform.bot_messages(line_user.user_id)
    assert shown.via == "reply"
    assert shown.notification_disabled
    assert shown.message["type"] == "text" and shown.message["text"].startswith("พิมพ์เบอร์โทร")
    assert shown.message["quickReply"]["items"]


async def test_pushes_silently_when_the_reply_token_is_too_old(fake_line, line_user, messenger):
    delivery = delivery_for(line_user, reply_token=a_message_from(fake_line, line_user), token_age=timedelta(minutes=5))

    result = await attempt(1).run(messenger.send_line_messages, delivery)

    assert result.method == "push"
    [shown] = fake_line.platform.bot_messages(line_user.user_id)
    assert (shown.via, shown.notification_disabled) == ("push", True)
    push = fake_line.platform.requests_to("push")[-1]
    assert push.headers["x-line-retry-key"] == push_retry_key(delivery.key)


async def test_pushes_when_there_is_no_reply_token(fake_line, line_user, messenger):
    first = attempt(1)
    result = await first.run(messenger.send_line_messages, delivery_for(line_user))
    assert result.method == "push"
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1
    # With no reply in play a retry simply pushes again under the same key: no note to the server.
    assert first.heartbeats == []


async def test_a_reply_whose_answer_was_lost_is_settled_by_replying_again_at_once(fake_line, line_user, messenger):
    """LINE delivered and its answer was lost: a second reply while the token is fresh is refused
    as already used, which proves the first one arrived."""
    delivery = delivery_for(line_user, reply_token=a_message_from(fake_line, line_user))
    fake_line.platform.lose_next_response("reply")

    result = await attempt(1).run(messenger.send_line_messages, delivery)

    assert result.method == "already-delivered"
    assert [r.status for r in fake_line.platform.requests_to("reply")[-2:]] == [500, 400]
    assert [entry.via for entry in fake_line.platform.bot_messages(line_user.user_id)] == ["reply"]


async def test_a_retry_after_a_reply_whose_answer_was_lost_does_not_repeat_the_message(
    fake_line, line_user, messenger
):
    """The attempt that sent the reply had no time left to settle it (or its worker died)."""
    delivery = delivery_for(line_user, reply_token=a_message_from(fake_line, line_user))
    fake_line.platform.lose_next_response("reply")
    first = attempt(1, time_limit=timedelta(seconds=2))

    with pytest.raises(ApplicationError) as lost:
        await first.run(messenger.send_line_messages, delivery)
    second = await attempt(2, heartbeats=first.heartbeats).run(messenger.send_line_messages, delivery)

    assert not lost.value.non_retryable
    assert second.method == "already-delivered"
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1


async def test_a_reply_line_failed_without_delivering_is_repeated_and_shown_once(fake_line, line_user, messenger):
    delivery = delivery_for(line_user, reply_token=a_message_from(fake_line, line_user))
    fake_line.platform.fail_next("reply", status=500, times=2)

    result = await attempt(1).run(messenger.send_line_messages, delivery)

    assert result.method == "reply"
    assert [r.status for r in fake_line.platform.requests_to("reply")[-3:]] == [500, 500, 200]
    assert [entry.via for entry in fake_line.platform.bot_messages(line_user.user_id)] == ["reply"]


async def test_a_reply_refused_as_too_many_requests_is_left_to_the_next_attempt(fake_line, line_user, messenger):
    """429 means LINE did nothing: no reason to hurry, and Temporal's backoff spares LINE."""
    delivery = delivery_for(line_user, reply_token=a_message_from(fake_line, line_user))
    fake_line.platform.fail_next("reply", status=429)
    replies_before = len(fake_line.platform.requests_to("reply"))
    first = attempt(1)

    with pytest.raises(ApplicationError) as busy:
        await first.run(messenger.send_line_messages, delivery)
    second = await attempt(2, heartbeats=first.heartbeats).run(messenger.send_line_messages, delivery)

    assert not busy.value.non_retryable
    assert len(fake_line.platform.requests_to("reply")) == replies_before + 2
    assert second.method == "reply"
    assert [entry.via for entry in fake_line.platform.bot_messages(line_user.user_id)] == ["reply"]


async def test_replies_are_not_repeated_into_a_token_about_to_expire(fake_line, line_user, messenger, line_settings):
    """Past the token's lifetime LINE's "Invalid reply token" would no longer prove delivery."""
    age = line_settings.line_reply_token_lifetime - timedelta(seconds=1)
    delivery = delivery_for(line_user, reply_token=a_message_from(fake_line, line_user), token_age=age)
    fake_line.platform.fail_next("reply", status=500)
    replies_before = len(fake_line.platform.requests_to("reply"))

    with pytest.raises(ApplicationError) as failed:
        await attempt(1).run(messenger.send_line_messages, delivery)

    assert not failed.value.non_retryable
    assert len(fake_line.platform.requests_to("reply")) == replies_before + 1
    assert fake_line.platform.bot_messages(line_user.user_id) == []


async def test_once_an_attempt_has_pushed_retries_only_push(fake_line, line_user, messenger):
    delivery = delivery_for(line_user, reply_token=a_message_from(fake_line, line_user))
    replies_before = len(fake_line.platform.requests_to("reply"))

    result = await attempt(2, heartbeats=["push"]).run(messenger.send_line_messages, delivery)

    assert result.method == "push"
    assert len(fake_line.platform.requests_to("reply")) == replies_before


async def test_a_reply_token_line_no_longer_accepts_falls_back_to_push(fake_line, line_user, messenger):
    delivery = delivery_for(line_user, reply_token=a_message_from(fake_line, line_user))
    fake_line.platform.expire_reply_tokens(line_user.user_id)

    first = attempt(1)
    result = await first.run(messenger.send_line_messages, delivery)

    assert result.method == "push"
    assert [entry.via for entry in fake_line.platform.bot_messages(line_user.user_id)] == ["push"]
    assert first.heartbeats == ["reply", "push"]


async def test_a_push_whose_answer_was_lost_is_not_shown_twice(fake_line, line_user, messenger):
    delivery = delivery_for(line_user)
    fake_line.platform.lose_next_response("push")

    with pytest.raises(ApplicationError) as first:
        await attempt(1).run(messenger.send_line_messages, delivery)
    second = await attempt(2).run(messenger.send_line_messages, delivery)

    assert not first.value.non_retryable
    assert second.method == "already-delivered"
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1
    keys = {r.headers["x-line-retry-key"] for r in fake_line.platform.requests_to("push")[-2:]}
    assert keys == {push_retry_key(delivery.key)}


async def test_a_push_that_times_out_is_retryable_and_delivered_once(fake_line, line_user, line_settings):
    messenger = LineMessenger(line_settings, request_timeout=0.3)
    delivery = delivery_for(line_user)
    fake_line.platform.delay_next("push", seconds=0.6)
    try:
        with pytest.raises(ApplicationError) as timed_out:
            await attempt(1).run(messenger.send_line_messages, delivery)
        assert not timed_out.value.non_retryable
        retried = await attempt(2).run(messenger.send_line_messages, delivery)
    finally:
        await messenger.close()
    await asyncio.sleep(0.5)  # let the slow first request finish at LINE too
    # Whichever of the two requests LINE accepted first, the user sees the message once.
    assert retried.method in ("push", "already-delivered")
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1
    assert [r.status for r in fake_line.platform.requests_to("push")[-2:]] in ([200, 409], [409, 200])


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_busy_or_failing_line_raises_a_retryable_error(fake_line, line_user, messenger, status):
    fake_line.platform.fail_next("push", status=status)

    with pytest.raises(ApplicationError) as error:
        await attempt(1).run(messenger.send_line_messages, delivery_for(line_user))

    assert not error.value.non_retryable
    assert str(status) in error.value.message
    assert fake_line.platform.bot_messages(line_user.user_id) == []


async def test_a_request_line_refuses_fails_for_good_without_personal_data(fake_line, line_user, messenger):
    fake_line.platform.fail_next("push", status=400, message=f"bad request for {line_user.user_id}")

    with pytest.raises(ApplicationError) as error:
        await attempt(1).run(messenger.send_line_messages, delivery_for(line_user))

    assert error.value.non_retryable
    assert line_user.user_id not in str(error.value)
    assert error.value.__cause__ is None


async def test_a_malformed_recipient_is_refused_for_good(fake_line, messenger):
    not_a_user = SimulatedUser(user_id="reporter-key-not-a-line-id", display_name="x")

    with pytest.raises(ApplicationError) as error:
        await attempt(1).run(messenger.send_line_messages, delivery_for(not_a_user))

    assert error.value.non_retryable
    assert not_a_user.user_id not in error.value.message


async def test_loading_animation_is_shown_and_its_failures_ignored(fake_line, line_user, messenger):
    await attempt(1).run(messenger.show_line_loading, line_user.user_id)
    fake_line.platform.fail_next("loading", status=500)
    await attempt(1).run(messenger.show_line_loading, line_user.user_id)

    requests = fake_line.platform.requests_to("loading")[-2:]
    assert [r.status for r in requests] == [202, 500]
    assert requests[0].body["chatId"] == line_user.user_id


@pytest.mark.parametrize(
    ("app_language", "expected"),
    [("th", Language.THAI), ("en", Language.ENGLISH), ("en-US", Language.ENGLISH), ("ja", None), (None, None)],
)
async def test_language_comes_from_the_users_line_app(fake_line, messenger, app_language, expected):
    user = fake_line.platform.add_user(language=app_language)
    assert await attempt(1).run(messenger.get_line_language, user.user_id) == expected


async def test_language_of_someone_who_blocked_the_bot_is_unknown(fake_line, line_user, messenger):
    events.unfollow(fake_line.platform, line_user.user_id)
    assert await attempt(1).run(messenger.get_line_language, line_user.user_id) is None


async def test_downloads_what_the_user_sent(fake_line, line_user, messenger):
    photo = events.image(fake_line.platform, line_user.user_id, b"\xff\xd8\xff jpeg bytes", "image/jpeg")

    content, content_type = await messenger.download_content(photo["message"]["id"])

    assert (content, content_type) == (b"\xff\xd8\xff jpeg bytes", "image/jpeg")


def test_the_push_retry_key_is_a_uuid_fixed_by_the_delivery_key():
    assert push_retry_key("case-1/notify") == push_retry_key("case-1/notify")
    assert push_retry_key("case-1/notify") != push_retry_key("case-2/notify")
    assert uuid.UUID(push_retry_key("case-1/notify"))
