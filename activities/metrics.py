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
