"""A case the team accepted reads HANDED_OVER wherever the back office shows it: the case page, the
case list and its filter, the dashboard's counters (the police's and the team's), the Excel file,
the printable report and the map — in Thai and in English."""

from __future__ import annotations

import io
import re

import httpx
from openpyxl import load_workbook

from domain.models import CaseStatus
from tests.api.back_office.conftest import Staff
from tests.api.back_office.test_handoff_desk import Team, forwarded_for_real, signed_in, team, team_acts
from tests.scene import Scene
from tests.waiting import eventually

__all__ = ["team"]  # the fixture, shared with the hand-off desk's spec

HANDED_OVER_TH, HANDED_OVER_EN = "ทีมสหวิชาชีพรับดูแลแล้ว", "Handed over to the team"
COUNTER = re.compile(r'data-counter="([A-Za-z_]+)"[^>]*><span>[^<]*</span><strong>(\d+)</strong>')


async def counters(http: httpx.AsyncClient, query: str = "") -> dict[str, int]:
    response = await http.get(f"/office/dashboard?{query}")
    assert response.status_code == 200
    return {name: int(value) for name, value in COUNTER.findall(response.text)}


def case_row(page: str, case_no: str) -> str:
    found = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(case_no)}.*?</tr>", page, re.S)
    assert found, f"{case_no} is not listed"
    return found.group(0)


async def accepted_by_the_team(scene: Scene, staff: Staff, team: Team, browser_like) -> tuple[str, httpx.AsyncClient]:
    """A case the station forwarded from its page and the province's team accepted, the row moved."""
    case_no, handoff_id, officer = await forwarded_for_real(scene, staff, browser_like)
    coordinator = await signed_in(browser_like, team.coordinator_account)
    accepted = await team_acts(coordinator, handoff_id, "ACCEPT", case_worker_id=str(team.social_worker.member_id))
    assert accepted.status_code == 200
    await eventually(lambda: scene.pool.fetchval("SELECT 1 FROM cases WHERE case_no = $1 AND status = $2", case_no,
                                                 CaseStatus.HANDED_OVER.value))
    return case_no, officer


async def test_the_teams_acceptance_moves_the_case_to_handed_over_on_its_page_list_and_filter(
        scene: Scene, staff: Staff, team: Team, browser_like) -> None:
    case_no, officer = await accepted_by_the_team(scene, staff, team, browser_like)

    case_page = (await officer.get(f"/office/cases/{case_no}")).text
    assert re.search(rf'<span class="status status-handed_over">{HANDED_OVER_TH}</span>', case_page)
    assert 'name="kind" value="CLOSE"' not in case_page  # the police part is over
    handed_over = (await officer.get("/office/cases?status=HANDED_OVER")).text
    assert f'<option value="HANDED_OVER" selected>{HANDED_OVER_TH}</option>' in handed_over
    assert HANDED_OVER_TH in case_row(handed_over, case_no)
    assert case_no not in (await officer.get("/office/cases?status=FORWARDED")).text
    assert case_no not in (await officer.get("/office/cases?status=OPEN")).text
    officer.cookies.set("ess_lang", "en")
    assert HANDED_OVER_EN in (await officer.get(f"/office/cases/{case_no}")).text
    assert HANDED_OVER_EN in case_row((await officer.get("/office/cases?status=ALL")).text, case_no)


async def test_the_dashboards_count_it_apart_from_the_cases_still_waiting_for_the_team(
        scene: Scene, staff: Staff, team: Team, browser_like) -> None:
    province = scene.district["province_code"]
    admin = await signed_in(browser_like, staff.province_admin)
    coordinator = await signed_in(browser_like, team.coordinator_account)
    before, team_before = await counters(admin, f"province={province}"), await counters(coordinator)

    await accepted_by_the_team(scene, staff, team, browser_like)

    after, team_after = await counters(admin, f"province={province}"), await counters(coordinator)
    assert after["HANDED_OVER"] == before["HANDED_OVER"] + 1
    assert after["FORWARDED"] == before["FORWARDED"]  # counted as waiting no longer
    assert after["total"] == before["total"] + 1
    # The team counts the cases handed to it and not given back: accepted ones too.
    assert team_after["total"] == team_before["total"] + 1
    assert team_after["HANDED_OVER"] == team_before["HANDED_OVER"] + 1
    page = (await admin.get(f"/office/dashboard?province={province}")).text
    assert re.search(rf'data-counter="HANDED_OVER" class="status-handed_over"><span>{HANDED_OVER_TH}</span>', page)
    admin.cookies.set("ess_lang", "en")
    assert f"<span>{HANDED_OVER_EN}</span>" in (await admin.get(f"/office/dashboard?province={province}")).text


async def test_the_excel_file_the_report_and_the_map_label_it(
        scene: Scene, staff: Staff, team: Team, browser_like) -> None:
    case_no, _ = await accepted_by_the_team(scene, staff, team, browser_like)
    province = scene.district["province_code"]
    admin = await signed_in(browser_like, staff.province_admin)

    cases = await admin.get(f"/office/dashboard/cases.xlsx?province={province}")
    rows = list(load_workbook(io.BytesIO(cases.content)).active.iter_rows(values_only=True))
    mine = next(row for row in rows if row[0] == case_no)
    assert mine[rows[0].index("สถานะ")] == HANDED_OVER_TH

    report = await admin.get(f"/office/dashboard/report.xlsx?province={province}")
    summary = {row[0]: row[1] for row in load_workbook(io.BytesIO(report.content))["สรุป"].iter_rows(values_only=True)}
    assert summary[HANDED_OVER_TH] >= 1

    map_page = (await admin.get("/office/map")).text
    assert HANDED_OVER_TH in map_page and "status-dot-handed_over" in map_page
