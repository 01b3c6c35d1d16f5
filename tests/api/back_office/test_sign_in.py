"""Signing in to the back office: passwords, throttling, sessions, CSRF, signing out."""

from __future__ import annotations

import asyncio
import threading
import uuid

import asyncpg
import httpx
from argon2 import PasswordHasher

from api.app import create_app
from database.accounts import PASSWORD_THREADS, disable_account
from database.sign_in_throttle import FREE_FAILURES
from domain.accounts import AccountRole
from tests.api.back_office.conftest import PASSWORD, Person, add_account, csrf_of, sign_in
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


def an_address() -> str:
    """A client address of a test's own (IPv6 documentation prefix), as the trusted proxy names it."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def from_address(http: httpx.AsyncClient, address: str) -> httpx.AsyncClient:
    """Requests as the reverse proxy on this machine (127.0.0.1, trusted by default) passes them on."""
    http.headers["x-forwarded-for"] = address
    return http


async def failures_forgotten(pool: asyncpg.Pool, *people: Person) -> None:
    """The session's database is shared: the test's failures must not count against later tests."""
    await pool.execute("DELETE FROM sign_in_failures WHERE username = ANY($1::text[])",
                       [person.username for person in people])


async def test_repeated_failures_make_that_address_wait_longer_each_time_and_say_how_long(
        api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    http = from_address(browser_like(), an_address())
    for _ in range(FREE_FAILURES):
        assert (await sign_in(http, person, password="guess")).status_code == 401
    waiting = await sign_in(http, person)  # even the right password, for now
    assert waiting.status_code == 429
    assert "กรุณารอ 1 นาที" in waiting.text and int(waiting.headers["retry-after"]) <= 60
    # A minute later the address may try again; another failure doubles the wait.
    await pool.execute("UPDATE sign_in_failures SET at = at - interval '61 seconds' WHERE username = $1",
                       person.username)
    assert (await sign_in(http, person, password="guess")).status_code == 401
    doubled = await sign_in(http, person)
    assert doubled.status_code == 429 and "กรุณารอ 2 นาที" in doubled.text
    await failures_forgotten(pool, person)


async def test_a_guesser_elsewhere_does_not_lock_the_officer_out(api: RunningApi, pool: asyncpg.Pool,
                                                                 browser_like) -> None:
    officer = await add_account(pool, AccountRole.SUPERADMIN)
    guesser = from_address(browser_like(), an_address())
    for _ in range(FREE_FAILURES + 2):
        await sign_in(guesser, officer, password="guess")
    assert (await sign_in(guesser, officer, password="guess")).status_code == 429
    at_the_station = from_address(browser_like(), an_address())
    assert (await sign_in(at_the_station, officer)).status_code == 303
    assert (await sign_in(guesser, officer)).status_code == 429  # the guesser's wait goes on
    await failures_forgotten(pool, officer)


async def test_the_start_of_a_wait_is_audited_with_the_address(api: RunningApi, pool: asyncpg.Pool,
                                                                browser_like) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    address = an_address()
    http = from_address(browser_like(), address)
    for _ in range(FREE_FAILURES):
        await sign_in(http, person, password="guess")
    entries = await pool.fetch("SELECT action, details FROM audit_log WHERE details->>'username' = $1 ORDER BY id",
                               person.username)
    assert [entry["action"] for entry in entries] == ["SIGN_IN_REFUSED"] * FREE_FAILURES + ["SIGN_IN_THROTTLED"]
    assert {entry["details"]["client"] for entry in entries} == {address}  # the proxy's word, from the proxy
    await failures_forgotten(pool, person)


async def test_failures_across_the_whole_service_are_capped_per_minute(api: RunningApi, pool: asyncpg.Pool) -> None:
    """Many addresses, each guessing a little, still meet a ceiling: distributed guessing is slowed."""
    # The session's other tests fail now and then too: three more than theirs in the last minute.
    recent = await pool.fetchval("SELECT count(*) FROM sign_in_failures WHERE at > now() - interval '1 minute'")
    capped = api.settings.model_copy(update={"sign_in_failures_per_minute": recent + 3})
    people = [await add_account(pool, AccountRole.SUPERADMIN) for _ in range(4)]
    try:
        async with serve(create_app(capped), lifespan="on") as base_url:
            for person in people[:3]:
                async with httpx.AsyncClient(base_url=base_url, headers={"x-forwarded-for": an_address()}) as http:
                    assert (await sign_in(http, person, password="guess")).status_code == 401
            async with httpx.AsyncClient(base_url=base_url, headers={"x-forwarded-for": an_address()}) as http:
                refused = await sign_in(http, people[3])
        assert refused.status_code == 429 and "กรุณารอ 1 นาที" in refused.text
    finally:
        await failures_forgotten(pool, *people)


async def test_password_checks_run_in_a_few_worker_threads_never_on_the_event_loop(
        api: RunningApi, pool: asyncpg.Pool, browser_like, monkeypatch) -> None:
    """argon2 takes tens of milliseconds of CPU: on the loop it would hold up every webhook meanwhile."""
    person = await add_account(pool, AccountRole.SUPERADMIN)
    threads: set[int] = set()
    running = most_at_once = 0
    verify = PasswordHasher.verify

    def watched_verify(self, hash, password):
        nonlocal running, most_at_once
        threads.add(threading.get_ident())
        running += 1
        most_at_once = max(most_at_once, running)
        try:
            return verify(self, hash, password)
        finally:
            running -= 1

    monkeypatch.setattr(PasswordHasher, "verify", watched_verify)
    unknown = Person("nobody-here", AccountRole.SUPERADMIN)
    attempts = [sign_in(from_address(browser_like(), an_address()), who, password)
                for who, password in [(person, PASSWORD), (person, "guess"), (unknown, "guess")] * 3]
    answers = await asyncio.gather(*attempts)
    assert sorted(answer.status_code for answer in answers) == [303] * 3 + [401] * 6
    assert threads and threading.get_ident() not in threads  # the loop serves the API in this thread
    assert most_at_once <= PASSWORD_THREADS
    await failures_forgotten(pool, person, unknown)


async def test_the_sign_in_form_must_come_from_this_site(api: RunningApi, pool: asyncpg.Pool) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    forged = await api.http.post("/office/sign-in", data={"username": person.username, "password": "x" * 12,
                                                          "sign_in_csrf": "made-up"})
    assert forged.status_code == 403


async def test_after_sign_in_only_this_sites_paths_are_followed(
        api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    person = await add_account(pool, AccountRole.SUPERADMIN)
    http = browser_like()
    form = await http.get("/office/sign-in?next=https://elsewhere.example/steal")
    token = form.text.split('name="sign_in_csrf" value="')[1].split('"')[0]
    response = await http.post("/office/sign-in", data={
        "username": person.username, "password": "correct horse battery",
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


async def test_disabling_an_account_ends_its_sessions_at_once(
        api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
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
        # Served over plain HTTP here, so the client holds Secure cookies back:
        # hand it over as a browser on HTTPS would.
        response = await http.post("/office/sign-in", headers={"cookie": f"ess_sign_in_csrf={token}"}, data={
            "username": person.username, "password": PASSWORD, "sign_in_csrf": token, "next": "/office/cases"})
    assert response.status_code == 303
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("ess_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie
