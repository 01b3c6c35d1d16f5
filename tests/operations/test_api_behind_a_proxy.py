"""The API as the image runs it, behind the reverse proxy: only the proxy named in
ESS_TRUSTED_PROXIES may say who the client is (X-Forwarded-For). Anyone else who writes the header
is the address they connect from, for the sign-in throttle and the audit log alike.

This machine's loopback has many addresses: the test's proxy connects from 127.0.0.2, a client
straight to the API from 127.0.0.1."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from database.accounts import create_account
from domain.accounts import AccountRole
from tests.api.back_office.conftest import SIGN_IN_CSRF
from tests.operations.processes import free_port_pair, settings_for_process, started
from tests.operations.test_api_process import ApiProcess

PROXY = "127.0.0.2"
DIRECT = "127.0.0.1"
WRITTEN_BY_THE_CLIENT = "203.0.113.77"


@pytest.fixture
async def api_behind_proxy(dev_server: WorkflowEnvironment, database_url: str, line_settings: Settings,
                           task_queue: str, monkeypatch) -> AsyncIterator[ApiProcess]:
    monkeypatch.setenv(Settings.model_fields["trusted_proxies"].alias, PROXY)
    settings = settings_for_process(line_settings, database_url, dev_server, task_queue)
    async with started(ApiProcess(settings, free_port_pair())) as api:
        yield api


async def failed_sign_in(api: ApiProcess, connect_from: str, username: str) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=connect_from)
    async with httpx.AsyncClient(base_url=api.base_url, transport=transport, trust_env=False, timeout=10,
                                 headers={"x-forwarded-for": WRITTEN_BY_THE_CLIENT}) as http:
        form = await http.get("/office/sign-in")
        answer = await http.post("/office/sign-in", data={
            "username": username, "password": "a guess", "sign_in_csrf": SIGN_IN_CSRF.search(form.text).group(1)})
    assert answer.status_code == 401, answer.text


async def addresses_seen(pool: asyncpg.Pool, username: str) -> tuple[list[str], list[str]]:
    """(what the throttle counted, what the audit log wrote) for the username's failures."""
    throttle = await pool.fetch("SELECT client FROM sign_in_failures WHERE username = $1", username)
    audit = await pool.fetch("SELECT details->>'client' AS client FROM audit_log WHERE action = 'SIGN_IN_REFUSED' "
                             "AND details->>'username' = $1", username)
    return [row["client"] for row in throttle], [row["client"] for row in audit]


async def test_only_the_trusted_proxy_says_who_the_client_is(api_behind_proxy: ApiProcess, pool: asyncpg.Pool) -> None:
    straight, proxied = f"test-{uuid.uuid4().hex[:10]}", f"test-{uuid.uuid4().hex[:10]}"
    async with pool.acquire() as connection:
        for username in (straight, proxied):
            await create_account(connection, username=username, display_name="ทดสอบ", password="long enough password",
                                 role=AccountRole.SUPERADMIN)

    await failed_sign_in(api_behind_proxy, DIRECT, straight)
    await failed_sign_in(api_behind_proxy, PROXY, proxied)

    assert await addresses_seen(pool, straight) == ([DIRECT], [DIRECT])
    assert await addresses_seen(pool, proxied) == ([WRITTEN_BY_THE_CLIENT], [WRITTEN_BY_THE_CLIENT])
    await pool.execute("DELETE FROM sign_in_failures WHERE username = ANY($1::text[])", [straight, proxied])
