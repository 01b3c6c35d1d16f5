"""How workflows call activities: generous retries, because a report must never be dropped
for a passing fault; activities raise non-retryable errors for faults retrying cannot fix.

Short steps (PostgreSQL reads and writes, reading a place or a phone number, cosmetic LINE calls)
run as local activities: no round trip through the server for each, which keeps a report's
path to the officers' alert short. Sending messages stays a regular activity: it heartbeats
what it is about to send, so a retry after a crash never sends twice."""

from datetime import timedelta
from typing import TypedDict

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError


class CallOptions(TypedDict):
    """Keyword arguments of workflow.execute_activity and execute_local_activity alike, typed so
    that `**options` is checked against the SDK's signatures."""

    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy


class HeartbeatingCallOptions(CallOptions):
    """For a regular activity that heartbeats (local activities take no heartbeat timeout)."""

    heartbeat_timeout: timedelta


class DeliveryCallOptions(CallOptions):
    """For a regular activity that keeps trying for hours: its schedule-to-close is the ceiling."""

    schedule_to_close_timeout: timedelta


# Talking to LINE: a message to a frightened reporter is worth retrying through an outage. The
# activity itself ends a delivery for good once its window is over (Settings.line_delivery_hours for
# what must arrive, minutes for routine replies; workflows cannot read settings), and at once on
# LINE's monthly-quota 429; LINE's Retry-After sets the next pause when it sends one. Backoff from a
# second up to a few minutes apart: LINE is spared, and a message is late by minutes at most once
# LINE is back. The schedule-to-close is only the ceiling above the longest window a setting allows.
LINE_RETRY_CEILING = timedelta(hours=25)
LINE: DeliveryCallOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "schedule_to_close_timeout": LINE_RETRY_CEILING,
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                                maximum_interval=timedelta(minutes=2)),
}
# Cosmetic LINE calls (loading animation, profile language; local activities): give up quickly.
LINE_COSMETIC: CallOptions = {
    "start_to_close_timeout": timedelta(seconds=10),
    "retry_policy": RetryPolicy(maximum_attempts=2),
}
# PostgreSQL and local knowledge (local activities): retry until it comes back (a blip must
# lose nothing; past a minute of retries the SDK waits on durable timers between attempts).
STORE: CallOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_interval=timedelta(minutes=1)),
}
# Downloading a photo/video/audio/file the reporter sent: a few attempts, each alive while it
# heartbeats; a file LINE will not give is recorded on the case, never retried for ever.
MEDIA: HeartbeatingCallOptions = {
    "start_to_close_timeout": timedelta(minutes=2),
    "heartbeat_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(seconds=30),
                                maximum_attempts=5),
}


def failure_type(error: ActivityError) -> str:
    """Why an activity gave up, as the timeline may name it: the error's type, never its message
    (which may quote what the reporter sent)."""
    cause = error.cause
    return cause.type if isinstance(cause, ApplicationError) and cause.type else type(cause).__name__
