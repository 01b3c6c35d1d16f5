"""In production, a demo account never signs in, whatever password it has, and a session it held
before ends: their password is in this repository. Production refuses to start while any is active
(tests/database/test_demo_data.py); these are demo accounts put there behind its back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from api.app import create_app
from api.back_office.sessions import SESSION_COOKIE
from database.accounts import create_account
from database.demo_data import remove_demo_data
from database.sessions import start_session
from domain.accounts import AccountRole
from tests.api.back_office.conftest import PASSWORD, SIGN_IN_CSRF
from tests.api.conftest import RunningApi
from tests.fake_line import serve
from tests.production import in_production


@pytest.fixture
async def production_office(api: RunningApi, production_database_url: str,
                            production_pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    """The back office as production serves it, on a database production started on; the demo
    accounts a test adds are taken out of service afterwards, so production starts there again."""
    async with serve(create_app(in_production(api.settings, production_database_url)), lifespan="on") as base_url, \
            httpx.AsyncClient(base_url=base_url) as http:
        yield http
    async with production_pool.acquire() as connection:
        await remove_demo_data(connection)


async def added_account(pool: asyncpg.Pool, *, is_demo: bool) -> tuple[str, int]:
    username = f"{'demo' if is_demo else 'real'}-{uuid.uuid4().hex[:10]}"
    async with pool.acquire() as connection:
        account_id = await create_account(connection, username=username, display_name="ทดสอบ", password=PASSWORD,
                                          role=AccountRole.SUPERADMIN, is_demo=is_demo)
    return username, account_id


async def signed_in(http: httpx.AsyncClient, username: str) -> int:
    """The sign-in form's answer; the sign-in cookie handed over as a browser on HTTPS would (it is Secure)."""
    form = await http.get("/office/sign-in")
    token = SIGN_IN_CSRF.search(form.text).group(1)
    response = await http.post("/office/sign-in", headers={"cookie": f"ess_sign_in_csrf={token}"}, data={
        "username": username, "password": PASSWORD, "sign_in_csrf": token, "next": "/office/cases"})
    return response.status_code


async def test_in_production_a_demo_account_never_signs_in(production_office: httpx.AsyncClient,
                                                          production_pool: asyncpg.Pool) -> None:
    demo, _ = await added_account(production_pool, is_demo=True)
    real, _ = await added_account(production_pool, is_demo=False)

    assert await signed_in(production_office, demo) == 401
    assert await signed_in(production_office, real) == 303


async def test_in_production_a_demo_accounts_session_is_over(production_office: httpx.AsyncClient,
                                                             production_pool: asyncpg.Pool) -> None:
    _, account_id = await added_account(production_pool, is_demo=True)
    async with production_pool.acquire() as connection:
        token, _ = await start_session(connection, account_id)

    page = await production_office.get("/office/cases", headers={"cookie": f"{SESSION_COOKIE}={token}"})
    assert page.status_code == 303 and page.headers["location"].startswith("/office/sign-in")
