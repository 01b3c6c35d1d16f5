"""The dashboards: counters that follow the cases and the hand-offs to the multidisciplinary team
(their care's risk levels, referrals, approvals waiting and transfers between provinces included),
scoped to the user's provinces, and the Excel file and the printable report for the same filter."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, LineChart
from openpyxl.chart._chart import ChartBase
from openpyxl.utils import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from domain.handoff import CareOutcome
from domain.models import ActionKind, CaseStatus, OfficerAction
from tests.api.back_office.conftest import Staff, open_routed_case, sign_in
from tests.api.back_office.teams import forwarded_rows
from tests.scene import DETENTION, Scene
from tests.waiting import eventually
from workflows.case import CaseWorkflow

COUNTER = re.compile(r'data-counter="([A-Za-z_]+)"[^>]*><span>[^<]*</span><strong>(\d+)</strong>')
HANDOFF_COUNTER = re.compile(r'data-handoff-counter="([a-z_]+)"[^>]*><span>[^<]*</span><strong>(\d+)</strong>')
RISK_COUNTER = re.compile(r'data-risk-level="([A-Z_]+)"[^>]*><span>[^<]*</span><strong>(\d+)</strong>')
APPROVALS_COUNTER = re.compile(r'data-approvals-waiting="([A-Z_]+)"[^>]*><span>[^<]*</span><strong>(\d+)</strong>')
KIND_ROW = re.compile(r'<tr data-agency-kind="([A-Z_]+)">(.*?)</tr>', re.DOTALL)
ANSWER_CELL = re.compile(r'data-answer="([a-z_]+)">(\d+)<')
TRANSFER_ROW = re.compile(r'<tr data-transfer-row="([a-z_]+)">(.*?)</tr>', re.DOTALL)


async def counters(http: httpx.AsyncClient, query: str) -> dict[str, int]:
    response = await http.get(f"/office/dashboard?{query}")
    assert response.status_code == 200
    return {name: int(value) for name, value in COUNTER.findall(response.text)}


async def handoff_counters(http: httpx.AsyncClient, query: str) -> dict[str, int]:
    response = await http.get(f"/office/dashboard?{query}")
    assert response.status_code == 200
    return {name: int(value) for name, value in HANDOFF_COUNTER.findall(response.text)}


async def add_handoff(pool: asyncpg.Pool, case_no: str, attempt: int, province: str, status: str,
                      forwarded_ago: timedelta, accepted_after: timedelta | None = None) -> None:
    """A hand-off row as the read model keeps it; the team had an hour to accept."""
    forwarded_at = datetime.now(UTC) - forwarded_ago
    await pool.execute(
        "INSERT INTO handoffs (handoff_id, case_no, attempt, province_code, status, forwarded_at, accept_due_at,"
        " accepted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        f"{case_no}-{attempt}", case_no, attempt, province, status, forwarded_at, forwarded_at + timedelta(hours=1),
        None if accepted_after is None else forwarded_at + accepted_after)


async def signed_in(browser_like, person) -> httpx.AsyncClient:
    http = browser_like()
    assert (await sign_in(http, person)).status_code == 303
    return http


async def test_the_counters_follow_the_cases_of_the_province(scene: Scene, staff: Staff, browser_like,
                                                            pool: asyncpg.Pool) -> None:
    http = await signed_in(browser_like, staff.province_admin)
    province = scene.district["province_code"]
    before = await counters(http, f"province={province}")
    case_no, handle = await open_routed_case(scene)
    opened = await counters(http, f"province={province}")
    assert opened["total"] == before["total"] + 1 and opened["today"] == before["today"] + 1
    assert opened["NEW"] == before["NEW"] + 1
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.ACKNOWLEDGE,
                                                                officer=scene.station_officer))
    await eventually(lambda: pool.fetchval("SELECT 1 FROM cases WHERE case_no = $1 AND status = $2",
                                           case_no, CaseStatus.ACKNOWLEDGED.value))
    acknowledged = await counters(http, f"province={province}")
    assert acknowledged["NEW"] == before["NEW"] and acknowledged["ACKNOWLEDGED"] == before["ACKNOWLEDGED"] + 1


async def test_the_hand_off_counters_follow_the_hand_offs_of_the_province(scene: Scene, staff: Staff, browser_like,
                                                                         pool: asyncpg.Pool) -> None:
    province = scene.district["province_code"]
    admin, team, foreign = [await signed_in(browser_like, person)
                            for person in (staff.province_admin, staff.team_member, staff.foreign_admin)]
    before = await handoff_counters(admin, f"province={province}")
    foreign_before = await handoff_counters(foreign, "")
    assert set(before) == {"forwarded", "accepted", "in_care", "closed", "returned", "awaiting", "overdue"}
    returned_then_forwarded_again, _ = await open_routed_case(scene)
    in_care, _ = await open_routed_case(scene)

    await add_handoff(pool, returned_then_forwarded_again, 1, province, "REJECTED", timedelta(hours=3))
    await add_handoff(pool, returned_then_forwarded_again, 2, province, "AWAITING", timedelta(hours=2))  # overdue
    await add_handoff(pool, in_care, 1, province, "IN_CARE", timedelta(minutes=50), timedelta(minutes=20))

    after = await handoff_counters(admin, f"province={province}")
    assert {name: after[name] - before[name] for name in after} == {
        "forwarded": 3, "accepted": 1, "in_care": 1, "closed": 0, "returned": 1, "awaiting": 1, "overdue": 1}
    assert await handoff_counters(team, "") == after  # the province's team counts the same hand-offs
    assert await handoff_counters(foreign, "") == foreign_before
    page = (await admin.get(f"/office/dashboard?province={province}")).text
    assert "การส่งต่อทีมสหวิชาชีพ" in page and 'data-time-to-accept' in page
    admin.cookies.set("ess_lang", "en")
    assert "Hand-off to the multidisciplinary team" in (await admin.get("/office/dashboard")).text


async def care_figures(http: httpx.AsyncClient, query: str) -> tuple[dict[str, int], dict[str, int], dict, str]:
    """The care's figures on the dashboard: risk levels, approvals waiting, referrals per kind and answer."""
    response = await http.get(f"/office/dashboard?{query}")
    assert response.status_code == 200
    per_kind = {kind: {answer: int(count) for answer, count in ANSWER_CELL.findall(cells)}
                for kind, cells in KIND_ROW.findall(response.text)}
    return ({level: int(count) for level, count in RISK_COUNTER.findall(response.text)},
            {subject: int(count) for subject, count in APPROVALS_COUNTER.findall(response.text)},
            per_kind, response.text)


async def test_the_hand_off_section_counts_the_care_s_risk_levels_referrals_and_approvals(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    province = scene.district["province_code"]
    admin, national = [await signed_in(browser_like, person) for person in (staff.province_admin, staff.superadmin)]
    risks_before, approvals_before, kinds_before, _ = await care_figures(admin, "")
    assert set(risks_before) == {"HIGH", "MEDIUM", "LOW", "NOT_ASSESSED"}
    assert set(approvals_before) == {"CLOSURE", "HIGH_RISK_PLAN"}
    high_risk, not_assessed = [(await open_routed_case(scene))[0] for _ in range(2)]
    await add_handoff(pool, high_risk, 1, province, "IN_CARE", timedelta(hours=5), timedelta(minutes=20))
    await add_handoff(pool, not_assessed, 1, province, "IN_CARE", timedelta(hours=5), timedelta(minutes=20))
    await pool.execute("UPDATE handoffs SET risk_level = 'HIGH', risk_assessed_at = accepted_at WHERE case_no = $1",
                       high_risk)
    shelter_name = f"บ้านพักพิงทดสอบแดชบอร์ด {uuid.uuid4().hex[:6]}"
    shelter = await pool.fetchval(
        "INSERT INTO agencies (code, province_code, kind, name_th, name_en, is_demo)"
        " VALUES ($1, $2, 'SHELTER', $3, 'Dashboard test shelter', true) RETURNING id",
        f"TEST-{uuid.uuid4().hex[:10]}", province, shelter_name)
    reason = "เหตุผลส่วนตัวของผู้ได้รับความช่วยเหลือ"
    now = datetime.now(UTC)
    for number, (answer, due_in) in enumerate([("DECLINED", timedelta(days=2)), (None, timedelta(days=2)),
                                                (None, -timedelta(hours=1))], 1):
        await pool.execute(
            "INSERT INTO referrals (handoff_id, number, agency_id, agency_kind, agency_name_th, referred_at, due_at,"
            " answer, reason) VALUES ($1, $2, $3, 'SHELTER', $4, $5, $6, $7, $8)",
            f"{high_risk}-1", number, shelter, shelter_name, now - timedelta(hours=4), now + due_in, answer,
            reason if answer else None)
    await pool.execute(
        "INSERT INTO care_approvals (event_key, handoff_id, subject, requested_at)"
        " VALUES ($1, $2, 'HIGH_RISK_PLAN', $3)",
        f"{high_risk}-1:approval", f"{high_risk}-1", now - timedelta(hours=3))

    risks, approvals, kinds, page = await care_figures(admin, "")

    assert {level: risks[level] - risks_before[level] for level in risks} == {
        "HIGH": 1, "MEDIUM": 0, "LOW": 0, "NOT_ASSESSED": 1}
    assert {subject: approvals[subject] - approvals_before[subject] for subject in approvals} == {
        "CLOSURE": 0, "HIGH_RISK_PLAN": 1}
    assert 'data-longest-wait="HIGH_RISK_PLAN"' in page
    assert {answer: kinds["SHELTER"][answer] - kinds_before["SHELTER"][answer] for answer in kinds["SHELTER"]} == {
        "total": 3, "accepted": 0, "declined": 1, "waiting": 1, "past_due": 1}
    assert set(kinds) == {"OSCC", "CHILDRENS_HOME", "SHELTER", "LEGAL_AID", "HEALTH", "HOTLINE", "OTHER", "ALL"}
    # The province's own view names its agencies, with counts only: no case number, no reason.
    [agency_row] = re.findall(rf'<tr data-agency-row="SHELTER"><th scope="row">{shelter_name} .*?</tr>', page)
    assert dict(ANSWER_CELL.findall(agency_row)) == {
        "total": "3", "accepted": "0", "declined": "1", "waiting": "1", "past_due": "1"}
    assert reason not in page and high_risk not in page
    # Every province at once: the kinds, no agency named.
    assert shelter_name not in (await national.get("/office/dashboard")).text
    assert shelter_name in (await national.get(f"/office/dashboard?province={province}")).text
    admin.cookies.set("ess_lang", "en")
    english = (await admin.get("/office/dashboard")).text
    for words in ("High risk", "Referrals to agencies", "No answer by the due time",
                  "High-risk plan awaiting approval"):
        assert words in english, words


async def transfer_rows(http: httpx.AsyncClient, query: str = "") -> tuple[dict[str, dict[str, int]] | None, str]:
    """The dashboard's transfers, per row (offered_by, offered_to, all) and answer; None when it shows none."""
    response = await http.get(f"/office/dashboard?{query}")
    assert response.status_code == 200
    if "data-transfers" not in response.text:
        return None, response.text
    return ({row: {answer: int(count) for answer, count in ANSWER_CELL.findall(cells)}
             for row, cells in TRANSFER_ROW.findall(response.text)}, response.text)


def added(after: dict[str, dict[str, int]] | None, before: dict[str, dict[str, int]] | None) -> dict:
    assert after is not None and before is not None
    return {row: {answer: count - before[row][answer] for answer, count in answers.items()}
            for row, answers in after.items()}


def answers(total: int, accepted: int, declined: int, waiting: int, past_due: int) -> dict[str, int]:
    return {"total": total, "accepted": accepted, "declined": declined, "waiting": waiting, "past_due": past_due}


async def test_the_hand_off_section_counts_the_transfers_offered_by_and_to_the_province(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    province = scene.district["province_code"]
    # The foreign administrator's province, as the staff fixture chose it.
    other = await pool.fetchval("SELECT code FROM provinces WHERE code <> $1 ORDER BY code LIMIT 1", province)
    viewers = {name: await signed_in(browser_like, person) for name, person in (
        ("admin", staff.province_admin), ("team", staff.team_member), ("foreign", staff.foreign_admin),
        ("national", staff.superadmin), ("station", staff.station_officer))}
    before = {name: (await transfer_rows(http))[0] for name, http in viewers.items()}
    national_province_before, _ = await transfer_rows(viewers["national"], f"province={province}")
    assert before["station"] is None  # the police hold no care: no transfer to count, not a row of zeros
    assert set(before["admin"] or {}) == {"offered_by", "offered_to", "all"}
    assert set(before["national"] or {}) == {"all"}  # every province: each transfer once
    ours, theirs = [(await open_routed_case(scene))[0] for _ in range(2)]
    await add_handoff(pool, ours, 1, province, "IN_CARE", timedelta(hours=5), timedelta(minutes=20))
    await add_handoff(pool, theirs, 1, other, "IN_CARE", timedelta(hours=5), timedelta(minutes=20))
    note, reason = "ผู้ได้รับความช่วยเหลือย้ายไปอยู่กับญาติ", "เหตุผลส่วนตัวที่ไม่ควรอยู่บนแดชบอร์ด"
    now = datetime.now(UTC)
    for number, (handoff_case, from_province, to_province, answer, due_in) in enumerate([
            (ours, province, other, "DECLINED", timedelta(hours=20)),
            (ours, province, other, None, timedelta(hours=20)),  # waiting, not yet due
            (theirs, other, province, None, -timedelta(minutes=5)),  # not answered in time
            (theirs, other, province, "ACCEPTED", timedelta(hours=20))]):
        await pool.execute(
            "INSERT INTO handoff_transfers (event_key, handoff_id, from_province_code, to_province_code, requested_at,"
            " accept_due_at, note, answer, answered_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            f"{handoff_case}-1:transfer-{number}", f"{handoff_case}-1", from_province, to_province,
            now - timedelta(hours=4), now + due_in, note, answer, None if answer is None else now,
            reason if answer == "DECLINED" else None)
    # Accepted: the care is the receiving province's now.
    await pool.execute("UPDATE handoffs SET province_code = $2 WHERE handoff_id = $1", f"{theirs}-1", province)

    after = {name: await transfer_rows(http) for name, http in viewers.items()}

    ours_seen = {"offered_by": answers(2, 0, 1, 1, 0), "offered_to": answers(2, 1, 0, 0, 1),
                 "all": answers(4, 1, 1, 1, 1)}
    assert added(after["admin"][0], before["admin"]) == ours_seen
    assert added(after["team"][0], before["team"]) == ours_seen  # the province's team counts the same
    assert added(after["foreign"][0], before["foreign"]) == {  # the same transfers, from the other side
        "offered_by": answers(2, 1, 0, 0, 1), "offered_to": answers(2, 0, 1, 1, 0), "all": answers(4, 1, 1, 1, 1)}
    assert added(after["national"][0], before["national"]) == {"all": answers(4, 1, 1, 1, 1)}
    assert added((await transfer_rows(viewers["national"], f"province={province}"))[0],
                 national_province_before) == ours_seen
    assert after["station"][0] is None
    # Counts only: no case number, note or reason.
    page = after["admin"][1]
    for personal in (ours, theirs, note, reason):
        assert personal not in page, personal
    assert "ทีมจังหวัดนี้ขอโอนไปจังหวัดอื่น" in page and "ไม่ตอบภายในกำหนด" in page
    viewers["admin"].cookies.set("ess_lang", "en")
    english = (await viewers["admin"].get("/office/dashboard")).text
    for words in ("Cares offered to another province&#39;s team in the period", "Offered by this province&#39;s team",
                  "Offered to this province&#39;s team", "Not answered in time"):
        assert words in english, words


async def test_a_province_user_cannot_choose_another_province(scene: Scene, staff: Staff, browser_like) -> None:
    foreign = await signed_in(browser_like, staff.foreign_admin)
    province = scene.district["province_code"]
    assert (await foreign.get(f"/office/dashboard?province={province}")).status_code == 403
    assert (await foreign.get(f"/office/dashboard/cases.xlsx?province={province}")).status_code == 403
    national = await signed_in(browser_like, staff.superadmin)
    assert (await national.get(f"/office/dashboard?province={province}")).status_code == 200


async def test_the_excel_file_holds_the_filtered_cases_as_the_database_has_them(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    case_no, _ = await open_routed_case(scene)
    http = await signed_in(browser_like, staff.province_admin)
    response = await http.get(f"/office/dashboard/cases.xlsx?province={scene.district['province_code']}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    in_file = {row[0] for row in rows[1:]}
    in_database = {row["case_no"] for row in await pool.fetch(
        "SELECT case_no FROM cases WHERE province_code = $1 AND reported_at > now() - interval '182 days'",
        scene.district["province_code"])}
    assert in_file == in_database and case_no in in_file
    mine = next(row for row in rows if row[0] == case_no)
    assert "5678" in mine[rows[0].index("เบอร์ผู้แจ้ง")] and "081-234" not in mine[rows[0].index("เบอร์ผู้แจ้ง")]
    exported = await pool.fetchval(
        "SELECT count(*) FROM audit_log a JOIN accounts u ON u.id = a.account_id "
        "WHERE u.username = $1 AND a.action = 'EXPORT'", staff.province_admin.username)
    assert exported == 1


async def test_the_teams_excel_file_shows_no_digit_of_a_phone_without_the_reporters_consent(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    phones = {}
    for consent in ("ASKED", "REFUSED", "GIVEN"):
        case_no, _ = await forwarded_rows(scene, consent=consent)
        await pool.execute("UPDATE cases SET status = 'FORWARDED' WHERE case_no = $1", case_no)  # as the team sees it
        phones[case_no] = consent
    http = await signed_in(browser_like, staff.team_member)
    response = await http.get("/office/dashboard/cases.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    phone_column = rows[0].index("เบอร์ผู้แจ้ง")
    shown = {row[0]: row[phone_column] for row in rows[1:] if row[0] in phones}
    assert shown == {case_no: "xxx-xxx-5678" if consent == "GIVEN" else None for case_no, consent in phones.items()}


# The report's sheets after the summary, each with its one chart: the chart's kind, title, and the
# orientation of its bars ("bar": along the side, "col": upright; None for lines).
REPORT_CHARTS = {
    "รายวัน": (LineChart, "จำนวนเรื่องแจ้งเหตุรายวัน", None),
    "ประเภทเหตุ": (BarChart, "จำนวนเรื่องตามประเภทเหตุ", "col"),
    "จังหวัด": (BarChart, "จำนวนเรื่องตามจังหวัด", "bar"),
    "เวลารับทราบ": (BarChart, "ระยะเวลาตั้งแต่แจ้งจนรับทราบ", "col"),
    "ส่งต่อทีมสหวิชาชีพ": (BarChart, "ผลการดูแลตามประเภท", "col"),
}


def chart_title(chart: ChartBase) -> str:
    return "".join(run.t for paragraph in chart.title.tx.rich.p for run in paragraph.r or [])


def referenced_cells(workbook: Workbook, reference: str) -> tuple[int, list]:
    """The first row and the values of a chart's one-column reference ("'Sheet'!$B$2:$B$6")."""
    sheet_name, cells = reference.rsplit("!", 1)
    first_column, first_row, last_column, last_row = range_boundaries(cells.replace("$", ""))
    assert first_column == last_column
    sheet = workbook[sheet_name.strip("'")]
    return first_row, [sheet.cell(row, first_column).value for row in range(first_row, last_row + 1)]


def table_below(sheet: Worksheet, header_row: int) -> tuple[list, list]:
    """The labels and numbers of the rows under a header, up to the first blank row."""
    labels, numbers = [], []
    for label, number in sheet.iter_rows(min_row=header_row + 1, max_col=2, values_only=True):
        if label is None:
            break
        labels.append(label)
        numbers.append(number)
    return labels, numbers


async def test_the_printable_report_is_a_workbook_with_charts(scene: Scene, staff: Staff, browser_like) -> None:
    await open_routed_case(scene)
    province = await scene.pool.fetchval("SELECT name_th FROM provinces WHERE code = $1",
                                         scene.district["province_code"])
    http = await signed_in(browser_like, staff.province_admin)
    response = await http.get("/office/dashboard/report.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["สรุป", *REPORT_CHARTS, "การดูแลต่อเนื่อง"]  # the care's: tables, no chart
    assert not workbook["สรุป"]._charts

    drawn: dict[str, dict] = {}
    for sheet_name, (kind, title, bar_direction) in REPORT_CHARTS.items():
        sheet = workbook[sheet_name]
        [chart] = sheet._charts
        assert isinstance(chart, kind), sheet_name
        assert chart_title(chart) == title
        assert getattr(chart, "type", None) == bar_direction, sheet_name
        [series] = chart.series
        # The series is named by its column's header and draws the whole table under it, no more.
        assert series.tx is not None and series.tx.strRef is not None, sheet_name
        header_row, [series_name] = referenced_cells(workbook, series.tx.strRef.f)
        assert series_name == sheet.cell(header_row, 2).value
        label_row, labels = referenced_cells(workbook, (series.cat.numRef or series.cat.strRef).f)
        count_row, counts = referenced_cells(workbook, series.val.numRef.f)
        assert label_row == count_row == header_row + 1
        assert (labels, counts) == table_below(sheet, header_row), sheet_name
        assert all(isinstance(count, int) for count in counts), sheet_name
        drawn[sheet_name] = dict(zip(labels, counts, strict=True))

    assert sum(drawn["รายวัน"].values()) >= 1
    assert drawn["ประเภทเหตุ"][DETENTION.label_th] >= 1
    assert drawn["จังหวัด"][province] >= 1
    assert len(drawn["เวลารับทราบ"]) == 6  # from "within a minute" to "over an hour"
    assert len(drawn["ส่งต่อทีมสหวิชาชีพ"]) == len(CareOutcome)  # every way care can end, even at 0


async def test_the_dashboard_offers_the_report_as_a_pdf_for_its_filter_audited(
        scene: Scene, staff: Staff, browser_like, pool: asyncpg.Pool) -> None:
    await open_routed_case(scene)
    province = scene.district["province_code"]
    http = await signed_in(browser_like, staff.province_admin)
    query = f"province={province}&from=01/01/2569&to=31/12/2569"  # typed as Thais write dates

    page = await http.get(f"/office/dashboard?{query}")
    # The first PDF of a process loads its libraries and the Thai dictionary: seconds on a busy machine.
    response = await http.get(f"/office/dashboard/report.pdf?{query}", timeout=60)

    for download in ("report.pdf", "cases.xlsx", "report.xlsx"):  # the PDF and both workbooks, same filter
        assert f'href="/office/dashboard/{download}?{query.replace("&", "&amp;")}"' in page.text, download
    assert "ดาวน์โหลดรายงาน PDF" in page.text
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert re.search(r'filename="ess-report-\d{4}-\d{2}-\d{2}\.pdf"', response.headers["content-disposition"])
    pages = PdfReader(io.BytesIO(response.content)).pages
    first = re.sub(r"\s+", "", pages[0].extract_text())
    assert "01/01/2569ถึง31/12/2569" in first  # the filter, in the Buddhist era
    exported = await pool.fetchval(
        "SELECT a.details ->> 'kind' FROM audit_log a JOIN accounts u ON u.id = a.account_id "
        "WHERE u.username = $1 AND a.action = 'EXPORT'", staff.province_admin.username)
    assert exported == "report_pdf"


async def test_the_officer_dashboard_is_for_administrators_and_191_centres(scene: Scene, staff: Staff,
                                                                          browser_like) -> None:
    for person, allowed in ((staff.province_admin, True), (staff.centre_operator, True), (staff.superadmin, True),
                            (staff.station_officer, False), (staff.team_member, False)):
        http = await signed_in(browser_like, person)
        response = await http.get("/office/officers")
        assert response.status_code == (200 if allowed else 403), person.role
        if allowed:
            assert 'data-counter="registered"' in response.text and 'data-role="INSPECTOR"' in response.text
