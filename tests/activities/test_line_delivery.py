"""How long a LINE delivery keeps trying, and what LINE's 429s and Retry-After make of it: against
the fake LINE platform over real HTTP, one attempt at a time in Temporal's activity environment.

What must arrive (a reporter's case number, officers' alerts) keeps trying for
ESS_LINE_DELIVERY_HOURS from its first attempt; routine replies for minutes. LINE's Retry-After
sets the next attempt's pause; the monthly-quota 429 is not a burst and is never retried."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from prometheus_client import REGISTRY
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.line import MAX_RETRY_AFTER, ROUTINE_DELIVERY, LineMessenger, _retry_after
from configuration.settings import Settings
from domain.models import BotMessage, Delivery, Language, Prompt
from line_simulator.line_platform import SimulatedUser
from tests.activities.test_line import delivery_for
from tests.fake_line import FakeLine

FIRST_SCHEDULED = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
async def messenger(line_settings: Settings) -> AsyncIterator[LineMessenger]:
    messenger = LineMessenger(line_settings, request_timeout=2.0)
    yield messenger
    await messenger.close()


def attempt_after(tried_for: timedelta, number: int = 2) -> ActivityEnvironment:
    """An attempt scheduled `tried_for` after the delivery's first, on Temporal's clock."""
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=number, scheduled_time=FIRST_SCHEDULED,
                                   current_attempt_scheduled_time=FIRST_SCHEDULED + tried_for,
                                   started_time=datetime.now(UTC))
    return env


def case_number_for(user: SimulatedUser) -> Delivery:
    return Delivery(key=f"conversation-1/case-number-{user.user_id[-6:]}", user_id=user.user_id,
                    language=Language.THAI,
                    messages=[BotMessage(prompt=Prompt.CASE_OPENED, params={"case_no": "ESS-2026-000123"})])


def counted(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(("status", "retry_after", "expected"), [
    (429, "7", timedelta(seconds=7)),
    (503, "120", timedelta(minutes=2)),
    (429, "86400", MAX_RETRY_AFTER),  # an absurd wait is capped: the delivery goes on trying
    (429, None, None),  # no Retry-After: Temporal's backoff decides
])
async def test_lines_retry_after_sets_the_next_attempts_pause(
        fake_line: FakeLine, line_user: SimulatedUser, messenger: LineMessenger, status, retry_after, expected):
    fake_line.platform.fail_next("push", status=status, retry_after=int(retry_after) if retry_after else None)

    with pytest.raises(ApplicationError) as busy:
        await attempt_after(timedelta(0), number=1).run(messenger.send_line_messages, delivery_for(line_user))

    assert not busy.value.non_retryable
    assert busy.value.next_retry_delay == expected
    assert fake_line.platform.bot_messages(line_user.user_id) == []


async def test_the_monthly_quota_429_is_not_retried_but_counted_and_logged_without_personal_data(
        fake_line: FakeLine, line_user: SimulatedUser, messenger: LineMessenger, caplog: pytest.LogCaptureFixture):
    quota_before = counted("ess_line_quota_exhausted_total", {"operation": "push"})
    undelivered_before = counted("ess_line_undelivered_total", {"reason": "quota"})
    fake_line.platform.exhaust_quota(seconds=60)
    pushes_before = len(fake_line.platform.requests_to("push"))

    with caplog.at_level(logging.ERROR, logger="activities.line"), pytest.raises(ApplicationError) as refused:
        await attempt_after(timedelta(0), number=1).run(messenger.send_line_messages, case_number_for(line_user))

    assert refused.value.non_retryable
    assert refused.value.type == "LineQuotaExhausted"
    assert len(fake_line.platform.requests_to("push")) == pushes_before + 1  # asked once, not hammered
    assert counted("ess_line_quota_exhausted_total", {"operation": "push"}) == quota_before + 1
    assert counted("ess_line_undelivered_total", {"reason": "quota"}) == undelivered_before + 1
    [logged] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert "quota" in logged.getMessage()
    assert line_user.user_id not in caplog.text and "ESS-2026-000123" not in caplog.text
    assert fake_line.platform.bot_messages(line_user.user_id) == []


async def test_a_burst_429_is_retried_and_not_taken_for_the_quota(
        fake_line: FakeLine, line_user: SimulatedUser, messenger: LineMessenger):
    quota_before = counted("ess_line_quota_exhausted_total", {"operation": "push"})
    fake_line.platform.fail_next("push", status=429)  # "The API rate limit has been exceeded"

    with pytest.raises(ApplicationError) as busy:
        await attempt_after(timedelta(0), number=1).run(messenger.send_line_messages, case_number_for(line_user))
    delivered = await attempt_after(timedelta(seconds=1)).run(messenger.send_line_messages, case_number_for(line_user))

    assert (busy.value.type, busy.value.non_retryable) == ("LineUnavailable", False)
    assert delivered.method == "push"
    assert counted("ess_line_quota_exhausted_total", {"operation": "push"}) == quota_before


async def test_what_must_arrive_keeps_trying_for_the_settings_hours(
        fake_line: FakeLine, line_user: SimulatedUser, messenger: LineMessenger, line_settings: Settings):
    window = timedelta(hours=line_settings.line_delivery_hours)
    assert window == timedelta(hours=6)  # the default
    fake_line.platform.fail_next("push", status=503, times=2)

    with pytest.raises(ApplicationError) as still_trying:
        await attempt_after(window - timedelta(minutes=1), number=80).run(
            messenger.send_line_messages, case_number_for(line_user))
    expired_before = counted("ess_line_undelivered_total", {"reason": "expired"})
    with pytest.raises(ApplicationError) as given_up:
        await attempt_after(window, number=81).run(messenger.send_line_messages, case_number_for(line_user))

    assert (still_trying.value.type, still_trying.value.non_retryable) == ("LineUnavailable", False)
    assert (given_up.value.type, given_up.value.non_retryable) == ("LineDeliveryExpired", True)
    assert line_user.user_id not in str(given_up.value)
    assert counted("ess_line_undelivered_total", {"reason": "expired"}) == expired_before + 1


async def test_being_told_to_call_191_keeps_trying_like_the_case_number(
        fake_line: FakeLine, line_user: SimulatedUser, messenger: LineMessenger):
    """A report that could not be recorded: the reporter's only word of it must reach them."""
    fake_line.platform.fail_next("push", status=503)
    call_191 = Delivery(key="conversation-1/not-recorded", user_id=line_user.user_id, language=Language.THAI,
                        messages=[BotMessage(prompt=Prompt.CASE_NOT_RECORDED)])

    with pytest.raises(ApplicationError) as still_trying:
        await attempt_after(ROUTINE_DELIVERY + timedelta(minutes=1), number=30).run(
            messenger.send_line_messages, call_191)

    assert (still_trying.value.type, still_trying.value.non_retryable) == ("LineUnavailable", False)


async def test_a_routine_reply_gives_up_after_minutes(
        fake_line: FakeLine, line_user: SimulatedUser, messenger: LineMessenger):
    fake_line.platform.fail_next("push", status=500)

    with pytest.raises(ApplicationError) as given_up:
        await attempt_after(ROUTINE_DELIVERY).run(messenger.send_line_messages, delivery_for(line_user))

    assert (given_up.value.type, given_up.value.non_retryable) == ("LineDeliveryExpired", True)


async def test_a_late_attempt_that_gets_through_is_delivered(
        fake_line: FakeLine, line_user: SimulatedUser, messenger: LineMessenger):
    """The window ends retries, never a delivery: an attempt past it still sends when LINE answers."""
    result = await attempt_after(timedelta(hours=30)).run(messenger.send_line_messages, case_number_for(line_user))
    assert result.method == "push"
    assert len(fake_line.platform.bot_messages(line_user.user_id)) == 1


def test_the_delivery_window_is_a_setting(monkeypatch: pytest.MonkeyPatch, line_user_id: str = "U" + "0" * 32):
    monkeypatch.setenv("ESS_LINE_DELIVERY_HOURS", "2.5")
    messenger = LineMessenger(Settings())
    user = SimulatedUser(user_id=line_user_id, display_name="x")
    assert messenger.delivery_window(case_number_for(user)) == timedelta(hours=2, minutes=30)
    assert messenger.delivery_window(delivery_for(user)) == ROUTINE_DELIVERY
    monkeypatch.setenv("ESS_LINE_DELIVERY_HOURS", "48")
    with pytest.raises(ValueError):
        Settings()  # longer than the activity's ceiling (orchestration/options.py)


@pytest.mark.parametrize(("header", "expected"), [
    ("5", timedelta(seconds=5)),
    ("in 90 s", None),  # unreadable: the backoff decides
    ("-3", None),
    ("inf", None),
])
def test_retry_after_in_seconds_and_what_is_not_one(header: str, expected: timedelta | None):
    assert _retry_after({"retry-after": header}) == expected


def test_retry_after_may_be_an_http_date():
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    delay = _retry_after({"retry-after": later})
    assert delay is not None and timedelta(seconds=85) < delay <= timedelta(seconds=90)
