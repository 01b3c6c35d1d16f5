"""The agency directory page (/office/agencies): a province's team and administrators see their
province's agencies and the national ones, never another province's; national accounts (the national
administrator, the national desk) choose the province; the police may not open it. Thai first,
English on request."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from database.accounts import create_account
from database.reference_data import DEMO_HOTLINE_CODE, DEMO_NATIONAL_DESK_CODE, demo_agency_code
from domain.accounts import AccountRole
from domain.agencies import AgencyKind
from tests.api.back_office.conftest import PASSWORD, Person, add_account, sign_in
from tests.api.conftest import RunningApi

CHIANG_RAI, CHIANG_MAI = "57", "50"
CHIANG_RAI_OSCC = demo_agency_code(CHIANG_RAI, AgencyKind.OSCC)
CHIANG_MAI_OSCC = demo_agency_code(CHIANG_MAI, AgencyKind.OSCC)


async def signed_in(browser_like, person: Person) -> httpx.AsyncClient:
    http = browser_like()
    assert (await sign_in(http, person)).status_code == 303
    return http


def shown(page: httpx.Response) -> set[str]:
    """The agencies' codes a page lists."""
    return {code for code in page.text.split('data-agency="')[1:] for code in [code.split('"', 1)[0]]}


async def account(pool: asyncpg.Pool, role: AccountRole, **where: str) -> Person:
    """An account placed by a station's or team member's code (add_account takes a province or an officer)."""
    username = f"test-{uuid.uuid4().hex[:10]}"
    async with pool.acquire() as connection:
        await create_account(connection, username=username, display_name="ทดสอบ", password=PASSWORD, role=role,
                             **where)
    return Person(username, role)


async def test_a_province_team_sees_its_agencies_and_the_national_ones_in_thai(
        api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    member = await signed_in(browser_like, await add_account(pool, AccountRole.TEAM_MEMBER, province_code=CHIANG_RAI))
    page = await member.get("/office/agencies")
    assert page.status_code == 200
    listed = shown(page)
    assert {demo_agency_code(CHIANG_RAI, kind) for kind in (AgencyKind.OSCC, AgencyKind.CHILDRENS_HOME,
                                                             AgencyKind.LEGAL_AID)} <= listed
    assert DEMO_HOTLINE_CODE in listed
    assert not any(code.startswith(f"DEMO-AGENCY-{CHIANG_MAI}-") for code in listed)
    text = page.text
    assert '<html lang="th">' in text and "หน่วยงานส่งต่อ" in text and "เชียงราย" in text
    assert "ศูนย์พึ่งได้ (OSCC) โรงพยาบาลประจำจังหวัดเชียงราย (ข้อมูลตัวอย่าง)" in text
    assert "ทั่วประเทศ" in text and 'href="tel:1300"' in text
    assert "<select" not in text  # a province's account has no province to choose

    # Asking for another province changes nothing: the account's own province is shown.
    assert shown(await member.get(f"/office/agencies?province={CHIANG_MAI}")) == listed


async def test_the_page_speaks_english_on_request(api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    admin = await signed_in(browser_like, await add_account(pool, AccountRole.PROVINCE_ADMIN,
                                                            province_code=CHIANG_RAI))
    admin.cookies.set("ess_lang", "en")
    page = await admin.get("/office/agencies")
    assert page.status_code == 200 and CHIANG_RAI_OSCC in shown(page)
    assert "Agencies to refer to" in page.text and "Chiang Rai" in page.text
    assert "One Stop Crisis Centre (OSCC), Chiang Rai provincial hospital (demo)" in page.text
    assert "ศูนย์พึ่งได้ (OSCC) โรงพยาบาล" not in page.text


async def test_national_accounts_choose_the_province(api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    for person in (await add_account(pool, AccountRole.SUPERADMIN),
                   await account(pool, AccountRole.TEAM_MEMBER, team_member_code=DEMO_NATIONAL_DESK_CODE)):
        national = await signed_in(browser_like, person)
        unchosen = await national.get("/office/agencies")
        assert unchosen.status_code == 200 and "<select" in unchosen.text
        assert DEMO_HOTLINE_CODE in shown(unchosen)
        assert not any(code.startswith("DEMO-AGENCY-") and code != DEMO_HOTLINE_CODE for code in shown(unchosen))

        chiang_mai = shown(await national.get(f"/office/agencies?province={CHIANG_MAI}"))
        assert CHIANG_MAI_OSCC in chiang_mai and DEMO_HOTLINE_CODE in chiang_mai
        assert CHIANG_RAI_OSCC not in chiang_mai
        assert (await national.get("/office/agencies?province=99")).status_code == 404


async def test_the_police_may_not_open_it_and_nobody_without_a_session(
        api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    for person in (await add_account(pool, AccountRole.CENTRE_OPERATOR, province_code=CHIANG_RAI),
                   await account(pool, AccountRole.STATION_OFFICER, station_code="DEMO-5701")):
        police = await signed_in(browser_like, person)
        refused = await police.get("/office/agencies")
        assert refused.status_code == 403, person.role
        assert CHIANG_RAI_OSCC not in refused.text
    anonymous = await api.http.get("/office/agencies")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/office/sign-in")


async def test_a_retired_agency_is_not_listed(api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    code = f"RETIRED-{uuid.uuid4().hex[:8]}"
    await pool.execute("INSERT INTO agencies (code, kind, province_code, name_th, name_en, active)"
                       " VALUES ($1, 'SHELTER', $2, 'บ้านพักที่ปิดแล้ว', 'Closed shelter', false)", code, CHIANG_RAI)
    member = await signed_in(browser_like, await add_account(pool, AccountRole.TEAM_MEMBER, province_code=CHIANG_RAI))
    listed = shown(await member.get("/office/agencies"))
    assert CHIANG_RAI_OSCC in listed and code not in listed
