"""GET /metrics: the webhook's handling time by outcome, its events by type and its duplicates, and
cases and hand-offs by status read from PostgreSQL at each scrape, in Prometheus' text format. With
ESS_METRICS_TOKEN set, only a scraper that sends it as a bearer token gets them; production without
one serves no metrics.

Counters belong to the process and other tests move them too: each test compares a scrape taken
after what it does with one taken before."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from api.metrics import mount_metrics
from api.webhook import MAX_BODY_BYTES
from configuration.settings import Settings
from domain.handoff import HandoffStatus
from domain.models import CaseStatus
from line_simulator import events
from tests.api.conftest import RunningApi
from tests.production import production_settings

BANGKOK = "10"


class Scrape:
    def __init__(self, text: str) -> None:
        self.text = text
        self._samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    def value(self, name: str, **labels: str) -> float:
        return self._samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def by_status(self, name: str) -> dict[str, float]:
        return {dict(labels)["status"]: value for (sample, labels), value in self._samples.items() if sample == name}


async def scrape(http: httpx.AsyncClient) -> Scrape:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return Scrape(response.text)


async def post_events(api: RunningApi, *line_events: dict, signature: str | None = None) -> int:
    body, headers = events.signed_webhook(api.line.platform, list(line_events), api.settings.line_channel_secret)
    if signature is not None:
        headers["x-line-signature"] = signature
    return (await api.http.post("/line/webhook", content=body, headers=headers)).status_code


async def test_a_signed_webhook_is_timed_as_ok_and_its_events_counted_by_type(api: RunningApi) -> None:
    platform = api.line.platform
    user = platform.add_user()
    before = await scrape(api.http)
    newer_type = {**events.follow(platform, user.user_id), "type": "somethingNew"}
    status = await post_events(api, events.follow(platform, user.user_id),
                               events.text(platform, user.user_id, "แจ้งเหตุ"), newer_type)
    after = await scrape(api.http)
    assert status == 200
    assert after.value("ess_webhook_seconds_count", outcome="ok") == before.value(
        "ess_webhook_seconds_count", outcome="ok") + 1
    assert after.value("ess_webhook_seconds_sum", outcome="ok") > before.value("ess_webhook_seconds_sum", outcome="ok")
    for event_type in ("follow", "message", "unknown"):
        assert after.value("ess_webhook_events_total", type=event_type) == (
            before.value("ess_webhook_events_total", type=event_type) + 1
        ), event_type
    assert "somethingNew" not in after.text  # a label never holds what the sender chose


async def test_an_event_line_delivers_again_counts_as_a_duplicate(api: RunningApi) -> None:
    platform = api.line.platform
    user = platform.add_user()
    first = events.text(platform, user.user_id, "แจ้งเหตุ")
    assert await post_events(api, first) == 200
    before = await scrape(api.http)
    assert await post_events(api, events.redelivered(first)) == 200
    after = await scrape(api.http)
    assert after.value("ess_webhook_duplicates_total") == before.value("ess_webhook_duplicates_total") + 1


async def test_a_bad_signature_and_a_malformed_body_are_timed_under_their_outcomes(api: RunningApi) -> None:
    platform = api.line.platform
    user = platform.add_user()
    before = await scrape(api.http)
    assert await post_events(api, events.text(platform, user.user_id, "แจ้งเหตุ"),
                             signature="bm90IHRoZSByaWdodCBzaWduYXR1cmU=") == 401
    assert await post_events(api, events.text(platform, user.user_id, "แจ้งเหตุ"), signature="") == 400
    broken = events.location(platform, user.user_id, 13.7, 100.5)
    del broken["message"]["latitude"]
    assert await post_events(api, broken) == 400
    after = await scrape(api.http)

    def more(outcome: str) -> float:
        return after.value("ess_webhook_seconds_count", outcome=outcome) - before.value(
            "ess_webhook_seconds_count", outcome=outcome)

    assert (more("bad_signature"), more("malformed"), more("ok")) == (2, 1, 0)
    # Refused requests' events are not counted as received.
    assert after.value("ess_webhook_events_total", type="message") == before.value(
        "ess_webhook_events_total", type="message")


async def test_a_body_too_large_is_timed_under_its_own_outcome(api: RunningApi) -> None:
    before = await scrape(api.http)
    answer = await api.http.post("/line/webhook", content=b"x" * (MAX_BODY_BYTES + 1),
                                 headers={"x-line-signature": "bm90IHNpZ25lZA=="})
    assert answer.status_code == 413
    after = await scrape(api.http)
    assert after.value("ess_webhook_seconds_count", outcome="too_large") == before.value(
        "ess_webhook_seconds_count", outcome="too_large") + 1
    assert after.value("ess_webhook_seconds_count", outcome="error") == before.value(
        "ess_webhook_seconds_count", outcome="error")


async def add_case(connection: asyncpg.Connection, status: CaseStatus) -> str:
    case_no = f"ESS-M{uuid.uuid4().hex[:10].upper()}"
    await connection.execute(
        """
        INSERT INTO cases (case_no, conversation_id, reporter_key, line_user_id, status, complete,
                           latitude, longitude, province_code, reported_at)
        VALUES ($1, $2, $3, $4, $5, true, 13.75, 100.5, $6, $7)
        """,
        case_no, f"conversation-{case_no}", f"reporter-{case_no}", f"U{uuid.uuid4().hex}", status.value, BANGKOK,
        datetime.now(UTC) - timedelta(days=3),
    )
    return case_no


async def test_cases_and_hand_offs_are_listed_by_status_as_postgresql_counts_them(
    api: RunningApi, pool: asyncpg.Pool
) -> None:
    before = await scrape(api.http)
    added = {CaseStatus.NEW: 3, CaseStatus.ACKNOWLEDGED: 1, CaseStatus.FORWARDED: 2}
    async with pool.acquire() as connection:
        case_numbers = {status: [await add_case(connection, status) for _ in range(n)] for status, n in added.items()}
        await connection.execute(  # one forwarded case waits for its team
            """
            INSERT INTO handoffs (handoff_id, case_no, attempt, province_code, forwarded_at, accept_due_at)
            VALUES ($1 || '-1', $1, 1, $2, now(), now() + interval '1 hour')
            """,
            case_numbers[CaseStatus.FORWARDED][0], BANGKOK,
        )
        cases_now = dict(await connection.fetch("SELECT status, count(*) FROM cases GROUP BY status"))
    after = await scrape(api.http)

    cases_before, cases_after = before.by_status("ess_cases"), after.by_status("ess_cases")
    assert set(cases_after) == {status.value for status in CaseStatus}  # 0 shown, not left out
    assert {s: cases_after[s] - cases_before.get(s, 0) for s in cases_after} == {
        status.value: added.get(status, 0) for status in CaseStatus
    }
    assert cases_after == {status.value: cases_now.get(status.value, 0) for status in CaseStatus}
    handoffs_before, handoffs_after = before.by_status("ess_handoffs"), after.by_status("ess_handoffs")
    assert set(handoffs_after) == {status.value for status in HandoffStatus}
    assert handoffs_after["AWAITING"] == handoffs_before.get("AWAITING", 0) + 1
    assert "/metrics" not in (await api.http.get("/openapi.json")).json()["paths"]


async def test_without_postgresql_the_scrape_still_answers_with_the_counters() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = await asyncpg.create_pool(f"postgresql://ess@127.0.0.1:{closed_port}/ess", min_size=0)
    app = FastAPI()
    app.state.pool = unreachable
    mount_metrics(app, Settings())
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            answer = await scrape(http)
    finally:
        await unreachable.close()
    assert "ess_webhook_seconds" in answer.text
    assert answer.by_status("ess_cases") == {}
    assert str(closed_port) not in answer.text


METRICS_TOKEN = "a-scrape-token-of-the-province-0123456789"


async def metrics_answer(settings: Settings, headers: dict[str, str] | None = None) -> httpx.Response:
    """GET /metrics of an app with these settings (no PostgreSQL: the process's counters only)."""
    app = FastAPI()
    mount_metrics(app, settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        return await http.get("/metrics", headers=headers)


async def test_production_without_a_metrics_token_serves_no_metrics() -> None:
    assert (await metrics_answer(production_settings())).status_code == 404


@pytest.mark.parametrize("settings", [production_settings(ESS_METRICS_TOKEN=METRICS_TOKEN),
                                      Settings(ESS_METRICS_TOKEN=METRICS_TOKEN)], ids=["production", "development"])
async def test_with_a_metrics_token_only_a_scraper_that_sends_it_gets_the_metrics(settings: Settings) -> None:
    for refused in (None, {"Authorization": "Bearer not-the-token"}, {"Authorization": METRICS_TOKEN},
                    {"Authorization": f"Basic {METRICS_TOKEN}"}):
        answer = await metrics_answer(settings, refused)
        assert answer.status_code == 401, refused
        assert answer.headers["www-authenticate"] == "Bearer"
        assert "ess_webhook_seconds" not in answer.text and METRICS_TOKEN not in answer.text
    answer = await metrics_answer(settings, {"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200 and "ess_webhook_seconds" in answer.text
