"""Under `make run` the simulator page is opened at localhost, and a link the bot sent (the alert's
"Open") signs its current user in to the back office with no tap at all: the browser signs in with the
fake LINE on the page's own host, where the page left its LINE cookie (devstack.config)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from playwright.async_api import Page
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from configuration.settings import Settings
from devstack.config import DevStackPorts, StackPlan, child_environment, plan_stack
from domain.models import OfficerRole
from rendering.office_links import signed_in_link
from tests.fake_line import serve
from tests.ports import unused_ports

STACK_VARIABLES = ("ESS_PUBLIC_URL", "LINE_API_BASE_URL", "LINE_LOGIN_URL", "LINE_CHANNEL_SECRET",
                   "LINE_CHANNEL_ACCESS_TOKEN", "ESS_TEMPORAL_PORT", "ESS_TEMPORAL_UI_PORT")


@pytest.fixture
async def stack_api(dev_server: WorkflowEnvironment, database_url: str, task_queue: str, tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StackPlan]:
    """The API with the LINE settings `make run` gives it, on the port the plan names."""
    for name in STACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    [port] = unused_ports(1)
    monkeypatch.setenv("ESS_API_PORT", str(port))
    plan = plan_stack(Settings(), DevStackPorts())
    env = child_environment(plan, database_url, inherited={})
    settings = Settings(
        database_url=database_url, temporal_address=dev_server.client.service_client.config.target_host,
        temporal_task_queue=task_queue, public_url=env["ESS_PUBLIC_URL"], line_api_base_url=env["LINE_API_BASE_URL"],
        line_login_url=env["LINE_LOGIN_URL"], line_channel_secret=env["LINE_CHANNEL_SECRET"],
        line_channel_access_token=env["LINE_CHANNEL_ACCESS_TOKEN"],
    )
    async with serve(create_app(settings), lifespan="on", port=port):
        yield plan


async def test_the_simulators_current_user_opens_a_bot_link_signed_in_with_no_tap(
        stack_api: StackPlan, pool: asyncpg.Pool, page: Page) -> None:
    plan = stack_api
    async with httpx.AsyncClient(base_url=plan.api_url) as http:
        created = await http.post("/dev/simulator/users", json={"displayName": "ร.ต.ท. ไม่ต้องแตะ"})
    assert created.status_code == 201, created.text
    line_user_id = created.json()["userId"]
    await pool.execute(
        """INSERT INTO officers (code, name, role, station_id, province_code, line_user_id, registered_at)
           SELECT 'TEST-SIM-' || md5(random()::text), 'ร.ต.ท. ไม่ต้องแตะ', $1, id, province_code, $2, now()
           FROM stations WHERE id = (SELECT min(id) FROM stations WHERE kind = 'STATION')""",
        OfficerRole.INSPECTOR.value, line_user_id)

    await page.goto(plan.line_simulator_url)
    await page.locator("#chat-user").filter(has_text="ร.ต.ท. ไม่ต้องแตะ").wait_for()  # its current user
    await page.goto(signed_in_link(plan.browser_url, "/office/cases?status=ALL"))

    # Straight to the page, never LINE's "which account?" page.
    assert page.url == f"{plan.browser_url}/office/cases?status=ALL"
    await page.get_by_text("ร.ต.ท. ไม่ต้องแตะ").first.wait_for()  # signed in as this officer
