"""The incident map's data: the cases of the user's scope, and nothing of anyone else's, filtered by
status, incident type and report days."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from domain.clock import THAILAND
from tests.api.back_office.conftest import Staff, open_routed_case, sign_in
from tests.api.back_office.placed_cases import ASSAULT, placed_case
from tests.scene import Scene


async def test_the_map_shows_the_cases_of_the_scope_only_and_the_view_is_logged(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    for person, sees in ((staff.station_officer, True), (staff.province_admin, True), (staff.foreign_admin, False)):
        http = browser_like()
        await sign_in(http, person)
        data = (await http.get("/office/map/cases.json")).json()
        found = [c for c in data["cases"] if c["caseNo"] == case_no]
        assert bool(found) is sees, person.role
        if found:
            assert (found[0]["lat"], found[0]["lng"], found[0]["status"]) == (15.0, 100.5, "NEW")
    team = browser_like()
    await sign_in(team, staff.team_member)  # a team works from its inbox: no police map at all
    assert (await team.get("/office/map/cases.json")).status_code == 403
    viewed = await pool.fetchval(
        "SELECT count(*) FROM audit_log a JOIN accounts u ON u.id = a.account_id "
        "WHERE u.username = $1 AND a.action = 'MAP_VIEWED'", staff.station_officer.username)
    assert viewed == 1


async def test_the_map_filters_by_status(scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    http = browser_like()
    await sign_in(http, staff.station_officer)
    open_cases = (await http.get("/office/map/cases.json?status=OPEN")).json()["cases"]
    closed_cases = (await http.get("/office/map/cases.json?status=CLOSED")).json()["cases"]
    assert case_no in {c["caseNo"] for c in open_cases}
    assert case_no not in {c["caseNo"] for c in closed_cases}


async def test_the_map_filters_by_incident_type_and_report_days(scene: Scene, staff: Staff, browser_like) -> None:
    detention = await placed_case(scene, days_ago=3)
    assault = await placed_case(scene, incident_type=ASSAULT, days_ago=3)
    older = await placed_case(scene, days_ago=12)
    http = browser_like()
    await sign_in(http, staff.station_officer)

    async def shown(**query: str) -> set[str]:
        return {c["caseNo"] for c in (await http.get("/office/map/cases.json", params=query)).json()["cases"]}

    assert await shown() >= {detention, assault, older}
    assert await shown(type=ASSAULT.code) == {assault}
    today = datetime.now(THAILAND).date()
    last_week = {"from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat()}
    assert await shown(**last_week) == {detention, assault}
    ten_days_before = today - timedelta(days=15), today - timedelta(days=10)
    assert await shown(**{"from": f"{ten_days_before[0]:%d/%m}/{ten_days_before[0].year + 543}",
                          "to": f"{ten_days_before[1]:%d/%m}/{ten_days_before[1].year + 543}"}) == {older}


async def test_the_map_page_says_what_is_wrong_with_a_day_and_keeps_what_was_typed(
        staff: Staff, browser_like) -> None:
    http = browser_like()
    await sign_in(http, staff.station_officer)
    page = await http.get("/office/map", params={"from": "31/02/2569"})
    assert page.status_code == 422
    assert 'role="alert"' in page.text and "วัน/เดือน/ปี" in page.text
    assert 'value="31/02/2569"' in page.text
