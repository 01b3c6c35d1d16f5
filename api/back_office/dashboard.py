"""The brief's dashboards: cases (counters, charts, Excel and a printable report), the hand-offs
to the multidisciplinary teams, and officers (registered or not, per role), for the provinces the
user may see."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response

from api.back_office.downloads import file_download
from api.back_office.filter_days import PROBLEM_STATUS, FilterProblem, FromDay, ProblemPage, ToDay, read_period
from api.back_office.sessions import CurrentSession
from api.back_office.web import page
from database import audit, service_levels
from database.care_statistics import pending_approvals, referral_figures, transfer_figures
from database.case_export import ReportFigures, case_row_batches, report_figures
from database.case_statistics import (
    CaseFilter,
    case_counters,
    cases_per_day,
    cases_per_province,
    cases_per_type,
    time_to_acknowledge,
)
from database.handoff_statistics import handoff_figures
from database.live_desk import count_reaching_nobody
from database.officer_statistics import officer_counts, province_links, station_links
from database.provinces import all_provinces, provinces_of_code
from domain.accounts import HANDLES_CASES, NEEDS_REPORTERS_CONSENT, Account, AccountRole
from domain.agencies import AGENCY_KIND_LABELS
from domain.clock import THAILAND
from domain.handoff import HandoffStatus
from domain.models import CaseStatus
from rendering.care_figure_labels import (
    OUTSIDE_DIRECTORY,
    REFERRAL_ANSWER_COLUMNS,
    REFERRALS_TOTAL,
    RISK_NOT_ASSESSED,
    TRANSFER_ANSWER_COLUMNS,
    TRANSFERS_HEADING,
    TRANSFERS_TOTAL,
    describe_wait,
)
from rendering.case_report import transfer_rows, write_case_report
from rendering.case_workbook import write_cases_workbook
from rendering.station_workbook import write_stations_reaching_nobody
from rendering.team_labels import (
    APPROVAL_SUBJECT_LABELS,
    CARE_OUTCOME_LABELS,
    HANDOFF_STATUS_LABELS,
    RISK_LEVEL_LABELS,
)

router = APIRouter(prefix="/office", include_in_schema=False)

DEFAULT_PERIOD = timedelta(days=182)  # half a year, as the brief's dashboard shows
FOREIGN_PROVINCE = "ท่านดูได้เฉพาะจังหวัดของท่าน — you may only see your own province"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
# Who sees the directory's officers: administrators and the province's 191 centre.
SEES_OFFICERS = frozenset({AccountRole.SUPERADMIN, AccountRole.PROVINCE_ADMIN, AccountRole.CENTRE_OPERATOR})


def today() -> date:
    return datetime.now(THAILAND).date()


def _province_for(account: Account, chosen: str | None) -> str | None:
    """The province the filter may show: anything for the national administrator, else their own."""
    if account.scope.is_national:
        return chosen or None
    if chosen and chosen != account.province_code:
        raise HTTPException(403, FOREIGN_PROVINCE)
    return account.province_code


async def dashboard_filter(
    request: Request,
    session: CurrentSession,
    province: Annotated[str | None, Query(max_length=2)] = None,
    reported_from: FromDay = None,
    reported_to: ToDay = None,
) -> CaseFilter:
    account = session.account
    province_code = _province_for(account, province)
    try:
        first_day, last_day = read_period(reported_from, reported_to)
    except FilterProblem as problem:
        # The dashboard (for an Excel file too) with its filter and the problem, and no figures.
        raise ProblemPage(page(
            request, "dashboard.html", status_code=PROBLEM_STATUS, problem=str(problem), query="",
            case_filter=CaseFilter(scope=account.scope, province_code=province_code),
            provinces=await _provinces(request, account))) from None
    if first_day is None and last_day is None:
        first_day = today() - DEFAULT_PERIOD
    return CaseFilter(scope=account.scope, province_code=province_code, reported_from=first_day,
                      reported_to=last_day)


Filter = Annotated[CaseFilter, Depends(dashboard_filter)]


async def _provinces(request: Request, account: Account) -> list:
    async with request.app.state.pool.acquire() as connection:
        if account.scope.is_national:
            return await all_provinces(connection)
        return await provinces_of_code(connection, account.province_code)


@router.get("/dashboard")
async def case_dashboard(request: Request, session: CurrentSession, case_filter: Filter) -> Response:
    async with request.app.state.pool.acquire() as connection:
        counters = await case_counters(connection, case_filter, today())
        per_day = await cases_per_day(connection, case_filter)
        per_type = await cases_per_type(connection, case_filter)
        per_province = await cases_per_province(connection, case_filter)
        acknowledge = await time_to_acknowledge(connection, case_filter)
        target = await service_levels.acknowledge_target(connection)
        now = datetime.now(UTC)
        handoffs = await handoff_figures(connection, case_filter, now)
        referrals = await referral_figures(connection, case_filter, now)
        # Waiting now, whatever the period (a care forwarded long ago may wait today).
        approvals = await pending_approvals(connection, case_filter, now)
        # None for a station's account: the police hold no care to transfer.
        transfers = await transfer_figures(connection, case_filter, now)
        # Open cases nobody was reached for, now (whatever the period): for those who can act on them.
        reaching_nobody = await count_reaching_nobody(connection, case_filter.scope, case_filter.province_code) \
            if session.account.scope.opens_case_pages else None
    charts = {
        "perDay": {"labels": [d.day.isoformat() for d in per_day], "values": [d.cases for d in per_day]},
        "perType": {"labels": [[t.label_th, t.label_en] for t in per_type], "values": [t.cases for t in per_type]},
        "perProvince": {"labels": [[p.name_th, p.name_en] for p in per_province[:20]],
                        "values": [p.cases for p in per_province[:20]]},
        "acknowledge": {"labels": [[b.label_th, b.label_en] for b in acknowledge.buckets],
                        "values": [b.cases for b in acknowledge.buckets]},
        "careOutcomes": {"labels": [list(CARE_OUTCOME_LABELS[o]) for o in handoffs.care_outcomes],
                         "values": list(handoffs.care_outcomes.values())},
    }
    return page(request, "dashboard.html", counters=counters, statuses=list(CaseStatus), per_type=per_type,
                per_province=per_province, acknowledge=acknowledge, charts=charts, case_filter=case_filter,
                target=target, within_target=acknowledge.within(target["minutes"]) if target else None,
                handoffs=handoffs, handoff_statuses=HandoffStatus, handoff_status_labels=HANDOFF_STATUS_LABELS,
                care_outcome_labels=CARE_OUTCOME_LABELS, reaching_nobody=reaching_nobody,
                referrals=referrals, approvals=approvals, risk_level_labels=RISK_LEVEL_LABELS,
                risk_not_assessed=RISK_NOT_ASSESSED, agency_kind_labels=AGENCY_KIND_LABELS,
                referral_answer_columns=REFERRAL_ANSWER_COLUMNS, referrals_total=REFERRALS_TOTAL,
                outside_directory=OUTSIDE_DIRECTORY, approval_subject_labels=APPROVAL_SUBJECT_LABELS,
                describe_wait=describe_wait,
                transfers=None if transfers is None else transfer_rows(transfers),
                transfers_heading=TRANSFERS_HEADING, transfer_answer_columns=TRANSFER_ANSWER_COLUMNS,
                transfers_total=TRANSFERS_TOTAL,
                provinces=await _provinces(request, session.account), query=request.url.query)


async def _xlsx_download(name: str, write: Callable[[str], Awaitable[None]]) -> FileResponse:
    """A workbook written to a temporary file (constant memory however many rows), sent as
    `<name>-<today>.xlsx`, then deleted."""
    return await file_download(name, "xlsx", XLSX, write)


async def _export(request: Request, account: Account, case_filter: CaseFilter, kind: str) -> FileResponse:
    """One of the dashboard's downloads for the filter ("cases": every case in Excel; "report":
    the report as a workbook; "report_pdf": the report as a PDF), audited as an export."""
    async def write(path: str) -> None:
        async with request.app.state.pool.acquire() as connection:
            rows = None
            if kind == "cases":
                rows = await write_cases_workbook(case_row_batches(connection, case_filter), path,
                                                  reveal_phone=account.role in HANDLES_CASES,
                                                  phone_needs_consent=account.role in NEEDS_REPORTERS_CONSENT)
            else:
                figures = await report_figures(connection, case_filter, today())
                # Drawing a report is CPU work: off the event loop.
                await asyncio.to_thread(_report_pdf_writer() if kind == "report_pdf" else write_case_report,
                                        figures, path)
            first_day, last_day = case_filter.reported_from, case_filter.reported_to
            await audit.record(connection, "EXPORT", account=account, kind=kind, rows=rows,
                               province=case_filter.province_code,
                               reported_from=first_day.isoformat() if first_day else None,
                               reported_to=last_day.isoformat() if last_day else None)

    if kind == "report_pdf":
        return await file_download("ess-report", "pdf", PDF, write)
    return await _xlsx_download(f"ess-{kind}", write)


def _report_pdf_writer() -> Callable[[ReportFigures, str], None]:
    """The PDF report's writer, imported on the first PDF asked for: its libraries (fpdf2, HarfBuzz,
    PyThaiNLP, the font) take about 60 MB that a process serving no PDF need not hold."""
    from rendering.case_report_pdf import write_case_report_pdf

    return write_case_report_pdf


@router.get("/dashboard/cases.xlsx")
async def download_cases(request: Request, session: CurrentSession, case_filter: Filter) -> FileResponse:
    return await _export(request, session.account, case_filter, "cases")


@router.get("/dashboard/report.xlsx")
async def download_report(request: Request, session: CurrentSession, case_filter: Filter) -> FileResponse:
    return await _export(request, session.account, case_filter, "report")


@router.get("/dashboard/report.pdf")
async def download_report_pdf(request: Request, session: CurrentSession, case_filter: Filter) -> FileResponse:
    """The report officials print: a page per topic, in Thai (rendering.case_report_pdf)."""
    return await _export(request, session.account, case_filter, "report_pdf")


@router.get("/officers")
async def officer_dashboard(
    request: Request, session: CurrentSession,
    province: Annotated[str | None, Query(max_length=2)] = None,
    registered_from: FromDay = None,
    registered_to: ToDay = None,
) -> Response:
    account = session.account
    _check_sees_officers(account)
    chosen = _province_for(account, province)
    provinces = await _provinces(request, account)
    try:
        first_day, last_day = read_period(registered_from, registered_to)
    except FilterProblem as problem:
        return page(request, "officers.html", status_code=PROBLEM_STATUS, problem=str(problem), province=chosen,
                    registered_from=None, registered_to=None, provinces=provinces)
    async with request.app.state.pool.acquire() as connection:
        counts = await officer_counts(connection, chosen, first_day, last_day)
        stations = await station_links(connection, chosen)
    return page(request, "officers.html", counts=counts, province=chosen, registered_from=first_day,
                registered_to=last_day, provinces=provinces, stations=stations,
                province_links=province_links(stations),
                reaching_nobody=[station for station in stations if station.reaches_nobody])


@router.get("/officers/reaching-nobody.xlsx")
async def download_stations_reaching_nobody(
    request: Request, session: CurrentSession, province: Annotated[str | None, Query(max_length=2)] = None,
) -> FileResponse:
    """The stations that would reach nobody tonight, to work through: whom to register on LINE."""
    account = session.account
    _check_sees_officers(account)
    chosen = _province_for(account, province)

    async def write(path: str) -> None:
        async with request.app.state.pool.acquire() as connection:
            stations = [station for station in await station_links(connection, chosen) if station.reaches_nobody]
            await audit.record(connection, "EXPORT", account=account, kind="stations_reaching_nobody",
                               rows=len(stations), province=chosen)
        await asyncio.to_thread(write_stations_reaching_nobody, stations, path)

    return await _xlsx_download("ess-stations-reaching-nobody", write)


def _check_sees_officers(account: Account) -> None:
    if account.role not in SEES_OFFICERS:
        raise HTTPException(403, "หน้านี้สำหรับผู้ดูแลระบบและศูนย์ 191 — for administrators and 191 centres")
