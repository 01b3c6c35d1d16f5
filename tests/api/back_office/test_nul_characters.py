"""A NUL character, which PostgreSQL cannot keep in text, typed into any filter or form of the back
office is answered 400 with the reason; never a 500."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from domain.accounts import AccountRole
from tests.api.back_office.conftest import add_account, csrf_of, sign_in

NUL = "\x00"


@pytest.fixture
async def national_admin(pool: asyncpg.Pool, browser_like) -> httpx.AsyncClient:
    http = browser_like()
    assert (await sign_in(http, await add_account(pool, AccountRole.SUPERADMIN))).status_code == 303
    return http


@pytest.mark.parametrize("path, field", [
    ("/office/audit", "case_no"), ("/office/audit", "username"), ("/office/audit", "action"),
    ("/office/cases", "q"), ("/office/dashboard", "province"), ("/office/map/cases.json", "status"),
])
async def test_a_nul_in_a_filter_is_refused_with_the_reason(national_admin: httpx.AsyncClient, path: str,
                                                            field: str) -> None:
    answer = await national_admin.get(path, params={field: f"1{NUL}"})
    assert answer.status_code == 400, answer.text[:300]
    assert "NUL" in answer.text


async def test_a_nul_in_a_form_is_refused_and_nothing_is_written(national_admin: httpx.AsyncClient,
                                                                 pool: asyncpg.Pool) -> None:
    form = await national_admin.get("/office/accounts")
    answer = await national_admin.post("/office/accounts", data={
        "csrf_token": csrf_of(form), "username": "nul-test", "display_name": f"ชื่อ{NUL}", "password": "a" * 16,
        "role": "PROVINCE_ADMIN", "province_code": "10",
    })
    assert answer.status_code == 400, answer.text[:300]
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE username = 'nul-test'") == 0
