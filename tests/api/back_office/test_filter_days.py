"""Days typed into the back office's filters — the dashboard, its Excel files, the map, the officer
figures and the audit log — are read within the days the JSON API takes (2000–2999). Outside them,
or not a day at all, the page itself says so (422) with its filter still there to correct; never a 500."""

from __future__ import annotations

import html
import re

import asyncpg
import httpx
import pytest
from playwright.async_api import Page, expect

from domain.accounts import AccountRole
from tests.api.back_office.conftest import add_account, sign_in
from tests.api.back_office.test_in_chromium import sign_in_with_the_form
from tests.api.conftest import RunningApi

PROBLEM = re.compile(r'<p class="problem" role="alert">([^<]+)</p>')
FAR_PAST, FAR_FUTURE = "0001-01-01", "9999-12-31"


@pytest.fixture
async def national_admin(pool: asyncpg.Pool, browser_like) -> httpx.AsyncClient:
    http = browser_like()
    assert (await sign_in(http, await add_account(pool, AccountRole.SUPERADMIN))).status_code == 303
    return http


def problem_on(page: httpx.Response) -> str:
    assert page.headers["content-type"].startswith("text/html")
    found = PROBLEM.search(page.text)
    assert found, "the page shows no problem"
    return html.unescape(found.group(1))


@pytest.mark.parametrize("path, day_field", [
    ("/office/dashboard", "from"), ("/office/dashboard", "to"),
    ("/office/officers", "from"), ("/office/officers", "to"),
    ("/office/audit", "day"),
])
@pytest.mark.parametrize("day", [FAR_PAST, FAR_FUTURE])
async def test_a_year_outside_2000_to_2999_is_told_on_the_page_with_its_filter(
        national_admin: httpx.AsyncClient, path: str, day_field: str, day: str) -> None:
    page = await national_admin.get(path, params={day_field: day})
    assert page.status_code == 422
    problem = problem_on(page)
    assert "2000" in problem and "2999" in problem
    assert f'name="{day_field}"' in page.text  # the filter is there to correct it


@pytest.mark.parametrize("workbook", ["cases.xlsx", "report.xlsx"])
@pytest.mark.parametrize("day_field, day", [("from", FAR_PAST), ("to", FAR_FUTURE)])
async def test_an_excel_file_for_a_year_outside_2000_to_2999_is_refused_on_the_dashboard(
        national_admin: httpx.AsyncClient, pool: asyncpg.Pool, workbook: str, day_field: str, day: str) -> None:
    exports_before = await pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'EXPORT'")
    page = await national_admin.get(f"/office/dashboard/{workbook}", params={day_field: day})
    assert page.status_code == 422
    assert "2999" in problem_on(page)
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'EXPORT'") == exports_before


@pytest.mark.parametrize("day", [FAR_PAST, FAR_FUTURE])
async def test_the_map_answers_a_year_outside_2000_to_2999_with_a_reason_it_shows(
        national_admin: httpx.AsyncClient, day: str) -> None:
    answer = await national_admin.get("/office/map/cases.json", params={"from": day})
    assert answer.status_code == 422
    assert "2000" in answer.json()["detail"] and "2999" in answer.json()["detail"]


async def test_the_map_page_shows_why_it_drew_nothing_for_such_a_year(
        page: Page, api: RunningApi, pool: asyncpg.Pool) -> None:
    admin = await add_account(pool, AccountRole.SUPERADMIN)
    await sign_in_with_the_form(page, api, admin.username)
    await page.goto(f"{api.base_url}/office/map")
    await page.locator('#map-filter input[name="from"]').fill(FAR_PAST)
    await page.locator("#map-filter").get_by_role("button").click()
    await expect(page.locator("#map-summary")).to_contain_text("2000–2999")


@pytest.mark.parametrize("path, day_field", [("/office/dashboard", "from"), ("/office/officers", "to"),
                                             ("/office/audit", "day")])
async def test_text_that_is_not_a_day_is_told_on_the_page(
        national_admin: httpx.AsyncClient, path: str, day_field: str) -> None:
    page = await national_admin.get(path, params={day_field: "31/12/2569"})
    assert page.status_code == 422
    assert "YYYY-MM-DD" in problem_on(page)


async def test_a_first_day_after_the_last_is_told_on_the_dashboard(national_admin: httpx.AsyncClient) -> None:
    page = await national_admin.get("/office/dashboard", params={"from": "2026-03-02", "to": "2026-03-01"})
    assert page.status_code == 422
    assert "the first day must not be after the last" in problem_on(page)


@pytest.mark.parametrize("path, params", [
    ("/office/dashboard", {"from": "2000-01-01", "to": "2999-12-31"}),
    ("/office/officers", {"from": "2000-01-01", "to": "2999-12-31"}),
    ("/office/audit", {"day": "2999-12-31"}),
    ("/office/map/cases.json", {"from": "2000-01-01"}),
    ("/office/dashboard/report.xlsx", {"from": "2000-01-01", "to": "2999-12-31"}),
])
async def test_the_first_and_last_days_of_the_range_are_taken(
        national_admin: httpx.AsyncClient, path: str, params: dict[str, str]) -> None:
    assert (await national_admin.get(path, params=params)).status_code == 200
