"""How workflows call activities: generous retries, because a report must never be dropped
for a passing fault; activities raise non-retryable errors for faults retrying cannot fix."""

from datetime import timedelta

from temporalio.common import RetryPolicy

# Talking to LINE: a message to a frightened reporter is worth retrying for a while.
LINE = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_interval=timedelta(seconds=30), maximum_attempts=20),
}
# Cosmetic LINE calls (loading animation, profile language): give up quickly.
LINE_COSMETIC = {
    "start_to_close_timeout": timedelta(seconds=10),
    "retry_policy": RetryPolicy(maximum_attempts=2),
}
# PostgreSQL and local knowledge: retry until it comes back (a blip must lose nothing).
STORE = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_interval=timedelta(minutes=1)),
}
