"""What the worker counts for Prometheus, beside the Temporal SDK's own metrics.

worker.py serves these (and the Python process's) on ESS_WORKER_METRICS_PORT + 1; the SDK's are on
the port itself. Labels are operations, status codes and levels: never personal data.
"""

from __future__ import annotations

from prometheus_client import Counter

ESCALATIONS = Counter(
    "ess_escalations_total",
    "Cases still unacknowledged whose alert went up the escalation ladder, by the rung reached (1 and up)",
    ["level"],
)
LINE_API_ERRORS = Counter(
    "ess_line_api_errors_total",
    "Calls to the LINE Messaging API that did not succeed, by operation and LINE's status code "
    "('timeout' or 'network' when no answer came; a push answered 409 had been accepted before)",
    ["operation", "status"],
)
UNRECORDED_REPORTS = Counter(
    "ess_unrecorded_reports_total",
    "Reports a conversation could not record as a case (kept in unrecorded_reports for an operator to "
    "replay), by the failure's type",
    ["reason"],
)
LINE_QUOTA_EXHAUSTED = Counter(
    "ess_line_quota_exhausted_total",
    "Calls LINE refused because the channel's monthly message quota is used up (429 'monthly limit'): "
    "not retried, the message is recorded undelivered; alert on any increase, only more quota helps",
    ["operation"],
)
LINE_UNDELIVERED = Counter(
    "ess_line_undelivered_total",
    "Messages the bot gave up on, by why: 'quota' (monthly limit), 'expired' (LINE unavailable for the "
    "whole delivery window: ESS_LINE_DELIVERY_HOURS for what must arrive, minutes for routine replies)",
    ["reason"],
)
