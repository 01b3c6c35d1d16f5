"""Signing in to the back office: passwords, throttling, sessions, CSRF, signing out."""

from __future__ import annotations

import asyncpg
import httpx

from database.accounts import disable_account
from domain.accounts import AccountRole
from tests.api.back_office.conftest import PASSWORD, add_account, csrf_of, sign_in
from api.app import create_app
from tests.api.conftest import RunningApi
from tests.fake_line import serve
from tests.production import in_production


async def test_pages_ask_for_sign_in_and_return_where_the_reader_was(api: RunningApi) -> None:
    response = await api.http.get("/office/cases?status=ALL")
    assert response.status_code == 303
    assert response.headers["location"] == "/office/sign-in?next=%2Foffice%2Fcases%3Fstatus%3DALL"


async def test_the_right_password_opens_a_session_in_a_protected_cookie(api: RunningApi, pool: asyncpg.Pool,
                                                                       browser_like) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    http = browser_like()
    response = await sign_in(http, person)
    assert response.status_code == 303 and response.headers["location"] == "/office/cases"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("ess_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # development serves plain HTTP; production sets it
    page = await http.get("/office/cases")
    assert page.status_code == 200 and "รายการแจ้งระงับเหตุด่วน" in page.text
    signed = await pool.fetchval(
        "SELECT count(*) FROM audit_log a JOIN accounts u ON u.id = a.account_id WHERE u.username = $1 "
        "AND a.action = 'SIGN_IN'", person.username)
    assert signed == 1


async def test_a_wrong_password_gets_one_answer_for_every_kind_of_mistake(api: RunningApi, pool: asyncpg.Pool,
                                                                          browser_like) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    wrong_password = await sign_in(browser_like(), person, password="not the password")
    unknown_user = await sign_in(browser_like(), person.__class__("nobody-here", AccountRole.SUPERADMIN))
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.text
        assert not any(h.startswith("ess_session=") for h in response.headers.get_list("set-cookie"))


async def test_repeated_failures_lock_the_username_for_a_while(api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    http = browser_like()
    for _ in range(5):
        assert (await sign_in(http, person, password="guess")).status_code == 401
    locked = await sign_in(http, person)  # even the right password, for now
    assert locked.status_code == 429 and "15" in locked.text


async def test_the_sign_in_form_must_come_from_this_site(api: RunningApi, pool: asyncpg.Pool) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    forged = await api.http.post("/office/sign-in", data={"username": person.username, "password": "x" * 12,
                                                          "sign_in_csrf": "made-up"})
    assert forged.status_code == 403


async def test_after_sign_in_only_this_sites_paths_are_followed(api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    http = browser_like()
    form = await http.get("/office/sign-in?next=https://elsewhere.example/steal")
    token = form.text.split('name="sign_in_csrf" value="')[1].split('"')[0]
    response = await http.post("/office/sign-in", data={"username": person.username, "password": "correct horse battery",
                                                        "sign_in_csrf": token, "next": "//elsewhere.example"})
    assert response.headers["location"] == "/office/cases"


async def test_signing_out_needs_the_forms_token_and_ends_the_session(api: RunningApi, pool: asyncpg.Pool,
                                                                      browser_like) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    http = browser_like()
    await sign_in(http, person)
    page = await http.get("/office/cases")
    assert (await http.post("/office/sign-out", data={})).status_code == 403  # no token: refused
    assert (await http.get("/office/cases")).status_code == 200  # still signed in
    response = await http.post("/office/sign-out", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 303
    http.cookies.clear()
    assert (await http.get("/office/cases")).status_code == 303


async def test_disabling_an_account_ends_its_sessions_at_once(api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    http = browser_like()
    await sign_in(http, person)
    async with pool.acquire() as connection:
        assert await disable_account(connection, person.username)
    assert (await http.get("/office/cases")).status_code == 303
    assert (await sign_in(browser_like(), person)).status_code == 401


async def test_outside_development_the_session_cookie_is_only_sent_over_https(
        api: RunningApi, production_pool: asyncpg.Pool, production_database_url: str) -> None:
    person = await add_account(production_pool, AccountRole.SUPERADMIN)
    production = in_production(api.settings, production_database_url)
    async with serve(create_app(production), lifespan="on") as base_url, \
            httpx.AsyncClient(base_url=base_url) as http:
        form = await http.get("/office/sign-in")
        form_cookie = next(h for h in form.headers.get_list("set-cookie") if h.startswith("ess_sign_in_csrf="))
        assert "Secure" in form_cookie
        token = form_cookie.split(";", 1)[0].split("=", 1)[1]
        # Served over plain HTTP here, so the client holds Secure cookies back: hand it over as a browser on HTTPS would.
        response = await http.post("/office/sign-in", headers={"cookie": f"ess_sign_in_csrf={token}"}, data={
            "username": person.username, "password": PASSWORD, "sign_in_csrf": token, "next": "/office/cases"})
    assert response.status_code == 303
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("ess_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie
