"""The developer's stack signs officers in with LINE through the simulator: the app in development
mounts the fake LINE platform, whose LINE Login signs in the simulator's current user, and the back
office takes them to the page asked for, signed in as the account acting as them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from playwright.async_api import Page
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from configuration.settings import DEVELOPMENT_ACCESS_TOKEN, DEVELOPMENT_CHANNEL_SECRET, Settings
from domain.accounts import AccountRole
from domain.models import OfficerRole
from rendering.office_links import signed_in_link
from tests.api.back_office.conftest import add_account
from tests.fake_line import serve
from tests.ports import unused_ports


@dataclass
class DevelopmentApp:
    base_url: str
    settings: Settings


@pytest.fixture
async def development_app(dev_server: WorkflowEnvironment, database_url: str,
                          task_queue: str) -> AsyncIterator[DevelopmentApp]:
    """As `make run` starts the API: LINE is the simulator mounted at /dev/line-api."""
    [port] = unused_ports(1)
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=database_url, temporal_address=dev_server.client.service_client.config.target_host,
        temporal_task_queue=task_queue, public_url=base_url, line_api_base_url=f"{base_url}/dev/line-api",
        line_channel_secret=DEVELOPMENT_CHANNEL_SECRET, line_channel_access_token=DEVELOPMENT_ACCESS_TOKEN,
        sign_in_failures_per_minute=100_000,
    )
    async with serve(create_app(settings), lifespan="on", port=port):
        yield DevelopmentApp(base_url, settings)


async def test_the_simulators_current_user_signs_in_with_line_to_the_page_asked_for(
        development_app: DevelopmentApp, pool: asyncpg.Pool, page: Page) -> None:
    async with httpx.AsyncClient(base_url=development_app.base_url) as http:
        created = await http.post("/dev/simulator/users", json={"displayName": "ร.ต.ท. จำลอง"})
    line_user_id = created.json()["userId"]
    station_id = await pool.fetchval("SELECT min(id) FROM stations")
    officer_id = await pool.fetchval(
        """INSERT INTO officers (code, name, role, station_id, province_code, line_user_id, registered_at)
           SELECT 'TEST-SIM-' || md5(random()::text), 'ร.ต.ท. จำลอง', $1, id, province_code, $2, now()
           FROM stations WHERE id = $3 RETURNING id""",
        OfficerRole.INSPECTOR.value, line_user_id, station_id)
    person = await add_account(pool, AccountRole.STATION_OFFICER, officer_id=officer_id)

    await page.goto(f"{development_app.base_url}/dev/")
    await page.locator("#chat-user").filter(has_text="ร.ต.ท. จำลอง").wait_for()  # the simulator's current user
    await page.goto(signed_in_link(development_app.settings.public_url, "/office/cases?status=ALL"))

    assert page.url == f"{development_app.base_url}/office/cases?status=ALL"
    await page.get_by_text("ทดสอบ STATION_OFFICER").first.wait_for()  # the account's name in the header
    signed_in = await pool.fetchval(
        """SELECT count(*) FROM audit_log l JOIN accounts a ON a.id = l.account_id
           WHERE a.username = $1 AND l.action = 'LINE_SIGN_IN'""", person.username)
    assert signed_in == 1
