"""Days typed into the back office's filters — the dashboard, its Excel files, the map, the officer
figures and the audit log — are read within the days the JSON API takes (2000–2999). Outside them,
or not a day at all, the page itself says so (422) with its filter still there to correct; never a 500."""

from __future__ import annotations

import html
import re
from datetime import date

import asyncpg
import httpx
import pytest
from playwright.async_api import Page, expect

from api.back_office.filter_days import FilterProblem, read_day
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
@pytest.mark.parametrize("typed", ["yesterday", "31/02/2569", "12/05/69", "2569/12/05"])
async def test_text_that_is_not_a_day_is_told_on_the_page_with_what_was_typed(
        national_admin: httpx.AsyncClient, path: str, day_field: str, typed: str) -> None:
    page = await national_admin.get(path, params={day_field: typed})
    assert page.status_code == 422
    assert "วัน/เดือน/ปี" in problem_on(page) and "05/12/2569" in problem_on(page)
    assert f'name="{day_field}"' in page.text and f'value="{html.escape(typed)}"' in page.text


@pytest.mark.parametrize("typed, day", [
    ("05/12/2569", date(2026, 12, 5)), ("5/12/2026", date(2026, 12, 5)), ("05.12.2569", date(2026, 12, 5)),
    ("29/02/2567", date(2024, 2, 29)), ("01/01/2000", date(2000, 1, 1)), (" 2026-12-05 ", date(2026, 12, 5)),
    ("๐๕/๑๒/๒๕๖๙", date(2026, 12, 5)),  # Thai digits, as a Thai keyboard types them
])
def test_a_day_is_read_as_dd_mm_yyyy_in_either_era_or_as_iso(typed: str, day: date) -> None:
    assert read_day(typed) == day


@pytest.mark.parametrize("typed", ["31/02/2569", "29/02/2566", "05/13/2569", "12/2569", "05/12/69", "5/12/2569 14:00"])
def test_text_that_names_no_day_is_a_filter_problem(typed: str) -> None:
    with pytest.raises(FilterProblem):
        read_day(typed)


async def test_the_dashboards_date_fields_read_dd_mm_yyyy_in_the_readers_era(
        page: Page, api: RunningApi, pool: asyncpg.Pool) -> None:
    admin = await add_account(pool, AccountRole.SUPERADMIN)
    await sign_in_with_the_form(page, api, admin.username)
    await page.goto(f"{api.base_url}/office/dashboard")
    first = page.locator('input[name="from"]')
    assert await first.get_attribute("type") == "text"  # not the browser's mm/dd/yyyy date field
    assert re.fullmatch(r"\d{2}/\d{2}/25\d{2}", await first.input_value())  # Buddhist era by default
    await first.fill("01/11/2569")
    await page.locator('input[name="to"]').fill("30/11/2569")
    await page.get_by_role("button", name="แสดง").click()
    await expect(page.locator(".period").first).to_contain_text("01/11/2569 – 30/11/2569")
    assert await page.locator('input[name="from"]').input_value() == "01/11/2569"
    await page.get_by_role("link", name="ปี ค.ศ.").click()
    assert await page.locator('input[name="from"]').input_value() == "01/11/2026"


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
