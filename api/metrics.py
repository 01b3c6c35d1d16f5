"""Prometheus metrics of the API: the LINE webhook's handling, and cases and hand-offs by status.

GET /metrics answers in Prometheus' text format, outside the OpenAPI schema. The webhook's
figures are counted as requests come; the case and hand-off figures are read from PostgreSQL at
each scrape. No label carries personal data: outcomes, event types and statuses only.

Each scrape costs PostgreSQL queries, so it is not for anyone to call: with ESS_METRICS_TOKEN set,
only a request carrying `Authorization: Bearer <token>` is answered (401 otherwise, before any
query); production without a token serves no metrics (404). Development without one is open.
"""

from __future__ import annotations

import functools
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import asyncpg
from fastapi import FastAPI, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from configuration.settings import Settings
from database import status_counts
from domain.handoff import HandoffStatus
from domain.models import CaseStatus

log = logging.getLogger(__name__)

# LINE waits 2 seconds for the answer: the buckets are finest below that.
WEBHOOK_SECONDS = Histogram(
    "ess_webhook_seconds",
    "Time to handle POST /line/webhook, by outcome (ok, bad_signature, malformed, too_large, unavailable, error)",
    ["outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 5.0),
)
WEBHOOK_EVENTS = Counter(
    "ess_webhook_events_total", "Events in accepted webhook requests, by LINE event type", ["type"]
)
WEBHOOK_DUPLICATES = Counter(
    "ess_webhook_duplicates_total", "Events LINE delivered again that had been handed on before (not signalled again)"
)

# LINE's webhook event types; anything else counts as "unknown", so a label never holds free text.
LINE_EVENT_TYPES = frozenset({
    "message", "unsend", "follow", "unfollow", "join", "leave", "memberJoined", "memberLeft", "postback",
    "videoPlayComplete", "beacon", "accountLink", "things", "membership", "module", "activated",
    "deactivated", "botSuspended", "botResumed",
})
# A scrape must not hang on a database in trouble: its figures are left out instead.
DATABASE_SECONDS = 2.0

Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Any]])


def measured_webhook(endpoint: Endpoint) -> Endpoint:
    """Times the webhook endpoint and labels the time with how the request ended."""

    @functools.wraps(endpoint)
    async def measured(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        outcome = "error"
        try:
            answer = await endpoint(*args, **kwargs)
            outcome = "ok"
            return answer
        except HTTPException as refusal:
            outcome = webhook_outcome(refusal)
            raise
        finally:
            WEBHOOK_SECONDS.labels(outcome).observe(time.perf_counter() - started)

    return measured  # type: ignore[return-value]


def webhook_outcome(refusal: HTTPException) -> str:
    if refusal.status_code == 401 or "X-Line-Signature" in str(refusal.detail):
        return "bad_signature"  # missing (400) or wrong (401)
    if refusal.status_code == 400:
        return "malformed"
    if refusal.status_code == 503:
        return "unavailable"
    if refusal.status_code == 413:
        return "too_large"
    return "error"


def count_webhook_events(raw_events: Iterable[Any]) -> None:
    for raw in raw_events:
        event_type = raw.get("type") if isinstance(raw, dict) else None
        WEBHOOK_EVENTS.labels(event_type if event_type in LINE_EVENT_TYPES else "unknown").inc()


def count_webhook_duplicate() -> None:
    WEBHOOK_DUPLICATES.inc()


async def case_and_handoff_gauges(pool: asyncpg.Pool) -> list[GaugeMetricFamily]:
    """ess_cases and ess_handoffs by status, every status listed (0 when none), as
    database.status_counts reads them."""
    async with pool.acquire(timeout=DATABASE_SECONDS) as connection:
        cases = await status_counts.cases_by_status(connection, DATABASE_SECONDS)
        handoffs = await status_counts.handoffs_by_status(connection, DATABASE_SECONDS)
    return [
        _by_status("ess_cases", "Cases by status", [s.value for s in CaseStatus], cases),
        _by_status("ess_handoffs", "Hand-offs to the teams by status", [s.value for s in HandoffStatus], handoffs),
    ]


def _by_status(name: str, documentation: str, statuses: list[str], rows: list[asyncpg.Record]) -> GaugeMetricFamily:
    counts = dict.fromkeys(statuses, 0) | {row["status"]: row["n"] for row in rows}
    gauge = GaugeMetricFamily(name, documentation, labels=["status"])
    for status, count in counts.items():
        gauge.add_metric([status], count)
    return gauge


class _Figures:
    """Collected figures, for a registry of one scrape."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self._families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self._families


async def exposition(pool: asyncpg.Pool | None) -> bytes:
    """The process's metrics (webhook, Python process) and, when PostgreSQL answers, the figures."""
    text = generate_latest(REGISTRY)
    if pool is None:
        return text
    try:
        figures = await case_and_handoff_gauges(pool)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        log.warning("metrics: cases and hand-offs left out, PostgreSQL did not answer (%s)", type(error).__name__)
        return text
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Figures(figures))
    return text + generate_latest(scrape)


def mount_metrics(app: FastAPI, settings: Settings) -> None:
    """GET /metrics; the pool is the one the app's lifespan puts in app.state."""
    token = settings.metrics_token
    if not token and not settings.is_development:
        return  # production scrapes only with a token

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if token and not _carries_bearer(request, token):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        pool = getattr(request.app.state, "pool", None)
        return Response(await exposition(pool), media_type=CONTENT_TYPE_LATEST)


def _carries_bearer(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # compare_digest: the time taken says nothing about how much of the token was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
