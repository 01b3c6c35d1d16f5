"""Back-office accounts for tests, and a way to sign in over HTTP as a browser would."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from database.accounts import create_account
from domain.accounts import AccountRole
from tests.api.conftest import RunningApi
from tests.scene import Scene
from tests.waiting import eventually

PASSWORD = "correct horse battery"
SIGN_IN_CSRF = re.compile(r'name="sign_in_csrf" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Person:
    """Someone with a back-office account."""

    username: str
    role: AccountRole


async def add_account(pool: asyncpg.Pool, role: AccountRole, *, province_code: str | None = None,
                      officer_id: int | None = None) -> Person:
    """An account; one acting as an officer takes that officer's station and province."""
    username = f"test-{uuid.uuid4().hex[:10]}"
    async with pool.acquire() as connection:
        officer_code = await connection.fetchval("SELECT code FROM officers WHERE id = $1", officer_id)
        await create_account(connection, username=username, display_name=f"ทดสอบ {role.value}", password=PASSWORD,
                             role=role, province_code=province_code, officer_code=officer_code)
    return Person(username, role)


async def sign_in(http: httpx.AsyncClient, person: Person, password: str = PASSWORD) -> httpx.Response:
    form = await http.get("/office/sign-in")
    token = SIGN_IN_CSRF.search(form.text).group(1)
    return await http.post("/office/sign-in", data={"username": person.username, "password": password,
                                                    "sign_in_csrf": token, "next": "/office/cases"})


def csrf_of(page: httpx.Response) -> str:
    return CSRF.search(page.text).group(1)


@pytest.fixture
async def browser_like(api: RunningApi):
    """A fresh HTTP client with its own cookie jar, for each person signing in."""
    clients: list[httpx.AsyncClient] = []

    def new() -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=api.base_url)
        clients.append(client)
        return client

    yield new
    for client in clients:
        await client.aclose()


@dataclass
class Staff:
    """The people of a scene's province who use the back office."""

    station_officer: Person  # acts as the scene's station officer
    centre_operator: Person  # acts as the scene's 191 centre officer
    province_admin: Person  # reads only
    team_member: Person
    superadmin: Person  # acts as the national desk
    foreign_admin: Person  # another province's administrator


@pytest.fixture
async def staff(scene: Scene, pool: asyncpg.Pool) -> Staff:
    province = scene.district["province_code"]
    other = await pool.fetchval("SELECT code FROM provinces WHERE code <> $1 ORDER BY code LIMIT 1", province)
    return Staff(
        station_officer=await add_account(pool, AccountRole.STATION_OFFICER,
                                          officer_id=scene.station_officer.officer_id),
        centre_operator=await add_account(pool, AccountRole.CENTRE_OPERATOR,
                                          officer_id=scene.centre_officer.officer_id),
        province_admin=await add_account(pool, AccountRole.PROVINCE_ADMIN, province_code=province),
        team_member=await add_account(pool, AccountRole.TEAM_MEMBER, province_code=province),
        superadmin=await add_account(pool, AccountRole.SUPERADMIN, officer_id=scene.national.officer_id),
        foreign_admin=await add_account(pool, AccountRole.PROVINCE_ADMIN, province_code=other),
    )


async def open_routed_case(scene: Scene):
    """A new case, once routed: a station sees its cases from the moment they are routed to it."""
    case_no, handle = await scene.open_case()
    await eventually(lambda: scene.pool.fetchval(
        "SELECT station_id FROM cases WHERE case_no = $1 AND station_id IS NOT NULL", case_no))
    return case_no, handle
