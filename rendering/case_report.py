"""The case dashboard's report as a workbook: the summary in Thai, the dashboard's figures
(database.case_export.report_figures) with a chart each, the hand-offs' included and the
care's (risk levels, referrals to agencies, transfers between provinces, approvals waiting) on a
sheet of tables (a small workbook: openpyxl). Each sheet prints fitted to the page's width,
landscape where a chart stands beside its table, the chart at the top so that it is whole on the
first page; chart axes count whole cases. The PDF report (rendering.case_report_pdf) shows the
same figures a page per topic.

Rendering reads figures and never queries: the protocols below are what it reads of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain.agencies import AGENCY_KIND_LABELS, AgencyKind
from domain.dates import BUDDHIST_ERA_OFFSET
from domain.handoff import ApprovalSubject, CareOutcome, HandoffStatus
from domain.models import CaseStatus
from domain.risk import RiskLevel
from domain.scope import CaseScope
from rendering.care_figure_labels import (
    OUTSIDE_DIRECTORY,
    REFERRAL_ANSWER_COLUMNS,
    REFERRALS_TOTAL,
    RISK_NOT_ASSESSED,
    TRANSFER_ANSWER_COLUMNS,
    TRANSFER_DIRECTIONS,
    TRANSFERS_ALL,
    TRANSFERS_HEADING,
    TRANSFERS_TOTAL,
    describe_wait,
)
from rendering.chart_axis import whole_step
from rendering.officer_messages import STATUS_LABELS
from rendering.spreadsheet import Destination
from rendering.team_labels import APPROVAL_SUBJECT_LABELS, CARE_OUTCOME_LABELS, HANDOFF_STATUS_LABELS, RISK_LEVEL_LABELS

BOLD = Font(bold=True)
SUMMARY_SHEET = "สรุป"
PER_DAY_SHEET = "รายวัน"
PER_TYPE_SHEET = "ประเภทเหตุ"
PER_PROVINCE_SHEET = "จังหวัด"
ACKNOWLEDGE_SHEET = "เวลารับทราบ"
HANDOFF_SHEET = "ส่งต่อทีมสหวิชาชีพ"
CARE_SHEET = "การดูแลต่อเนื่อง"
CASES_HEADER = "จำนวนเรื่อง"
HANDOFFS_HEADER = "จำนวนการส่งต่อ"
ALL_PROVINCES = "ทุกจังหวัด"
# A chart's height on its sheet (cm): up to what prints whole on a landscape A4 page.
CHART_HEIGHT, TALLEST_CHART = 10.0, 15.0


class ReportFilter(Protocol):
    @property
    def scope(self) -> CaseScope: ...
    @property
    def province_code(self) -> str | None: ...
    @property
    def reported_from(self) -> date | None: ...
    @property
    def reported_to(self) -> date | None: ...


class Counters(Protocol):
    @property
    def total(self) -> int: ...
    @property
    def today(self) -> int: ...
    def of_status(self, status: CaseStatus) -> int: ...


class DayFigure(Protocol):
    @property
    def day(self) -> date: ...
    @property
    def cases(self) -> int: ...


class TypeFigure(Protocol):
    @property
    def label_th(self) -> str: ...
    @property
    def cases(self) -> int: ...


class ProvinceFigure(Protocol):
    @property
    def name_th(self) -> str: ...
    @property
    def cases(self) -> int: ...


class AcknowledgeFigures(Protocol):
    @property
    def acknowledged(self) -> int: ...
    @property
    def buckets(self) -> Sequence[TypeFigure]: ...  # a bucket has a Thai label and its cases
    @property
    def median_seconds(self) -> float | None: ...
    @property
    def p90_seconds(self) -> float | None: ...


class HandoffFigures(Protocol):
    @property
    def forwarded(self) -> int: ...
    @property
    def accepted(self) -> int: ...
    @property
    def in_care(self) -> int: ...
    @property
    def closed(self) -> int: ...
    @property
    def returned(self) -> int: ...
    @property
    def awaiting(self) -> int: ...
    @property
    def overdue(self) -> int: ...
    @property
    def accepted_in_time(self) -> int: ...
    @property
    def share_accepted_in_time(self) -> float | None: ...
    @property
    def median_minutes_to_accept(self) -> float | None: ...
    @property
    def p90_minutes_to_accept(self) -> float | None: ...
    @property
    def care_outcomes(self) -> Mapping[CareOutcome, int]: ...
    @property
    def risk_levels(self) -> Mapping[RiskLevel, int]: ...
    @property
    def risk_not_assessed(self) -> int: ...


class ReferralAnswers(Protocol):
    @property
    def total(self) -> int: ...
    # The four answers are read by name, as REFERRAL_ANSWER_COLUMNS lists them.
    @property
    def accepted(self) -> int: ...
    @property
    def declined(self) -> int: ...
    @property
    def waiting(self) -> int: ...
    @property
    def past_due(self) -> int: ...


class AgencyReferrals(Protocol):
    @property
    def kind(self) -> AgencyKind: ...
    @property
    def name_th(self) -> str | None: ...
    @property
    def answers(self) -> ReferralAnswers: ...


class ReferralFigures(Protocol):
    @property
    def per_kind(self) -> Mapping[AgencyKind, ReferralAnswers]: ...
    @property
    def per_agency(self) -> Sequence[AgencyReferrals] | None: ...
    @property
    def total(self) -> ReferralAnswers: ...


class WaitingApprovals(Protocol):
    @property
    def waiting(self) -> int: ...
    @property
    def longest_wait(self) -> timedelta | None: ...


class PendingApprovals(Protocol):
    @property
    def per_subject(self) -> Mapping[ApprovalSubject, WaitingApprovals]: ...


class TransferFigures(Protocol):
    @property
    def total(self) -> ReferralAnswers: ...  # the same four answers, the receiving team's
    @property
    def offered_by(self) -> ReferralAnswers | None: ...
    @property
    def offered_to(self) -> ReferralAnswers | None: ...


class ReportFigures(Protocol):
    """The figures and names the report shows (database.case_export.ReportFigures)."""

    @property
    def case_filter(self) -> ReportFilter: ...
    @property
    def today(self) -> date: ...
    @property
    def counters(self) -> Counters: ...
    @property
    def per_day(self) -> Sequence[DayFigure]: ...
    @property
    def per_type(self) -> Sequence[TypeFigure]: ...
    @property
    def per_province(self) -> Sequence[ProvinceFigure]: ...
    @property
    def acknowledge(self) -> AcknowledgeFigures: ...
    @property
    def handoffs(self) -> HandoffFigures: ...
    @property
    def referrals(self) -> ReferralFigures: ...
    @property
    def approvals(self) -> PendingApprovals: ...
    @property
    def transfers(self) -> TransferFigures | None: ...  # None: the viewer counts no transfer
    @property
    def scope_station_th(self) -> str | None: ...
    @property
    def scope_province_th(self) -> str | None: ...
    @property
    def province_th(self) -> str | None: ...


def write_case_report(figures: ReportFigures, destination: Destination) -> None:
    """The dashboard as a printable workbook: the filter and the counters on "สรุป", then a sheet
    per figure (per day, per incident type, per province, time to acknowledge, hand-offs to the
    team), each with its chart, then the care's tables. Dates are dd/mm/yyyy in the Buddhist era."""
    counters = figures.counters
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _append(summary, "รายงานสรุปเรื่องแจ้งเหตุ ESS Help Me", bold=True)
    _append(summary)
    for label, value in describe_filter(figures):
        _append(summary, label, value)
    _append(summary)
    _append(summary, "ตัวเลขสรุป", CASES_HEADER, bold=True)
    _append(summary, "เรื่องทั้งหมด", counters.total)
    _append(summary, "แจ้งวันนี้", counters.today)
    for status in CaseStatus:
        _append(summary, STATUS_LABELS[status][0], counters.of_status(status))
    _widen(summary, 26, 30)
    _print_settings(summary, landscape=False)

    _figure_sheet(
        workbook, PER_DAY_SHEET, "วันที่", [(thai_date(d.day), d.cases) for d in figures.per_day],
        LineChart(), "จำนวนเรื่องแจ้งเหตุรายวัน",
    )
    _figure_sheet(
        workbook, PER_TYPE_SHEET, "ประเภทเหตุ", [(t.label_th, t.cases) for t in figures.per_type],
        BarChart(), "จำนวนเรื่องตามประเภทเหตุ",
    )
    _figure_sheet(
        workbook, PER_PROVINCE_SHEET, "จังหวัด", [(p.name_th, p.cases) for p in figures.per_province],
        _horizontal(BarChart()), "จำนวนเรื่องตามจังหวัด",
        chart_height=min(TALLEST_CHART, max(CHART_HEIGHT, len(figures.per_province) * 0.5)),  # room for each name
    )
    acknowledge = figures.acknowledge
    waits = _figure_sheet(
        workbook, ACKNOWLEDGE_SHEET, "ระยะเวลาตั้งแต่แจ้งจนรับทราบ",
        [(b.label_th, b.cases) for b in acknowledge.buckets], BarChart(), "ระยะเวลาตั้งแต่แจ้งจนรับทราบ",
    )
    _append(waits)
    _append(waits, "จำนวนเรื่องที่รับทราบแล้ว", acknowledge.acknowledged)
    _append(waits, "ค่ามัธยฐาน (นาที)", _minutes(acknowledge.median_seconds))
    _append(waits, "เปอร์เซ็นไทล์ที่ 90 (นาที)", _minutes(acknowledge.p90_seconds))
    _handoff_sheet(workbook, figures.handoffs)
    _care_sheet(workbook, figures)
    workbook.save(destination)


def describe_filter(figures: ReportFigures) -> list[tuple[str, str]]:
    """What the report covers, as its first page states it: (label, value) in Thai."""
    case_filter = figures.case_filter
    return [
        ("ขอบเขตข้อมูล", _describe_scope(figures)),
        ("จังหวัด", _province_name(case_filter.province_code, figures.province_th)),
        ("ช่วงวันที่แจ้ง", describe_dates(case_filter.reported_from, case_filter.reported_to)),
        ("วันที่ออกรายงาน", thai_date(figures.today)),
    ]


def thai_date(day: date) -> str:
    """dd/mm/yyyy in the Buddhist era, as Thai readers write dates."""
    return f"{day.day:02d}/{day.month:02d}/{day.year + BUDDHIST_ERA_OFFSET}"


def describe_dates(first: date | None, last: date | None) -> str:
    if first and last:
        return f"{thai_date(first)} ถึง {thai_date(last)}"
    if first:
        return f"ตั้งแต่ {thai_date(first)}"
    if last:
        return f"จนถึง {thai_date(last)}"
    return "ทุกวันที่"


def _describe_scope(figures: ReportFigures) -> str:
    scope = figures.case_filter.scope
    if scope.nothing:
        return "ไม่มีเรื่องที่ดูได้"
    if scope.station_id is not None:
        return f"สถานี {figures.scope_station_th or '-'}"
    if scope.province_code is not None:
        return f"จังหวัด {_province_name(scope.province_code, figures.scope_province_th)}"
    return "ทั้งประเทศ"


def _province_name(province_code: str | None, name_th: str | None) -> str:
    if province_code is None:
        return ALL_PROVINCES
    return name_th or province_code


def _handoff_sheet(workbook: Workbook, figures: HandoffFigures) -> Worksheet:
    """The hand-offs forwarded in the period: where they stand, how soon the team accepted them,
    then how the care ended, per category, with its chart."""
    share = figures.share_accepted_in_time
    counters: list[tuple[str, int | float | str]] = [
        ("ส่งต่อทีมสหวิชาชีพ", figures.forwarded),
        ("ทีมรับเรื่องแล้ว", figures.accepted),
        (HANDOFF_STATUS_LABELS[HandoffStatus.IN_CARE][0], figures.in_care),
        (HANDOFF_STATUS_LABELS[HandoffStatus.CLOSED][0], figures.closed),
        (HANDOFF_STATUS_LABELS[HandoffStatus.REJECTED][0], figures.returned),
        (HANDOFF_STATUS_LABELS[HandoffStatus.AWAITING][0], figures.awaiting),
        ("เกินกำหนดรับเรื่อง", figures.overdue),
        ("รับเรื่องทันกำหนด", figures.accepted_in_time),
        ("สัดส่วนที่รับเรื่องทันกำหนด (%)", "-" if share is None else round(100 * share, 1)),
        ("เวลาจนทีมรับเรื่อง ค่ามัธยฐาน (นาที)", _rounded(figures.median_minutes_to_accept)),
        ("เวลาจนทีมรับเรื่อง เปอร์เซ็นไทล์ที่ 90 (นาที)", _rounded(figures.p90_minutes_to_accept)),
    ]
    sheet = workbook.create_sheet(HANDOFF_SHEET)
    _append(sheet, "การส่งต่อทีมสหวิชาชีพ (ตามวันที่ส่งต่อ)", HANDOFFS_HEADER, bold=True)
    for label, value in counters:
        _append(sheet, label, value)
    _append(sheet)
    outcomes_header_row = len(counters) + 3  # after the counters' header, the counters and a blank line
    _append(sheet, "ผลการดูแล", HANDOFFS_HEADER, bold=True)
    for outcome, count in figures.care_outcomes.items():
        _append(sheet, CARE_OUTCOME_LABELS[outcome][0], count)
    _chart_beside(sheet, BarChart(), "ผลการดูแลตามประเภท", outcomes_header_row,
                  outcomes_header_row + len(figures.care_outcomes), max(figures.care_outcomes.values(), default=0))
    _widen(sheet, 40, 14)
    _print_settings(sheet, landscape=True)
    return sheet


def answer_cells(answers: ReferralAnswers,
                 columns: Sequence[tuple[str, str, str]] = REFERRAL_ANSWER_COLUMNS) -> list[int]:
    """A row's numbers: every referral (or transfer), then each answer as `columns` lists them."""
    return [answers.total, *(getattr(answers, field) for field, _, _ in columns)]


def transfer_rows(transfers: TransferFigures) -> list[tuple[str, tuple[str, str], ReferralAnswers]]:
    """The transfers' rows, (key, (Thai, English), answers): in one province's figures offered by its
    team, offered to it, then all of them (each once); in every province's, all of them alone."""
    rows = [(field, (th, en), answers) for field, th, en in TRANSFER_DIRECTIONS
            if (answers := getattr(transfers, field)) is not None]
    return [*rows, ("all", TRANSFERS_ALL, transfers.total)]


def agency_name_th(agency: AgencyReferrals) -> str:
    return agency.name_th if agency.name_th is not None else OUTSIDE_DIRECTORY[0]


def _care_sheet(workbook: Workbook, figures: ReportFigures) -> Worksheet:
    """The care of the hand-offs forwarded in the period: the risk level of those accepted, their
    referrals per kind of agency (per agency too in one province's report) and per answer; the
    transfers to another province's team offered in the period, per answer (per direction too in
    one province's report; none in a station's); then the approvals waiting for a supervisor as the
    report is made, whatever the period. Counts only."""
    handoffs, referrals = figures.handoffs, figures.referrals
    answer_headers = [REFERRALS_TOTAL[0], *(th for _, th, _ in REFERRAL_ANSWER_COLUMNS)]
    sheet = workbook.create_sheet(CARE_SHEET)
    _append(sheet, "ระดับความเสี่ยงปัจจุบัน ของการส่งต่อในช่วงนี้ที่ทีมรับเรื่องแล้ว", HANDOFFS_HEADER, bold=True)
    for level, count in handoffs.risk_levels.items():
        _append(sheet, RISK_LEVEL_LABELS[level][0], count)
    _append(sheet, RISK_NOT_ASSESSED[0], handoffs.risk_not_assessed)
    _append(sheet)
    _append(sheet, "การส่งต่อหน่วยงาน ตามประเภทหน่วยงาน", *answer_headers, bold=True)
    for kind, answers in referrals.per_kind.items():
        _append(sheet, AGENCY_KIND_LABELS[kind][0], *answer_cells(answers))
    _append(sheet, "รวม", *answer_cells(referrals.total), bold=True)
    if referrals.per_agency is not None:
        _append(sheet)
        _append(sheet, "การส่งต่อหน่วยงาน ตามหน่วยงาน", *answer_headers, "ประเภทหน่วยงาน", bold=True)
        for agency in referrals.per_agency:
            _append(sheet, agency_name_th(agency), *answer_cells(agency.answers), AGENCY_KIND_LABELS[agency.kind][0])
    if figures.transfers is not None:
        _append(sheet)
        _append(sheet, TRANSFERS_HEADING[0], TRANSFERS_TOTAL[0], *(th for _, th, _ in TRANSFER_ANSWER_COLUMNS),
                bold=True)
        for key, (th, _), answers in transfer_rows(figures.transfers):
            _append(sheet, th, *answer_cells(answers, TRANSFER_ANSWER_COLUMNS), bold=key == "all")
    _append(sheet)
    _append(sheet, f"รออนุมัติจากหัวหน้า ณ วันที่ {thai_date(figures.today)} (ไม่ว่าส่งต่อเมื่อใด)", "จำนวน",
            "รอนานที่สุด", bold=True)
    for subject, waiting in figures.approvals.per_subject.items():
        _append(sheet, APPROVAL_SUBJECT_LABELS[subject][0], waiting.waiting, describe_wait(waiting.longest_wait)[0])
    _widen(sheet, 48, 14, 14, 14, 20, 18, 22)
    _print_settings(sheet, landscape=True)  # seven columns
    return sheet


def _figure_sheet(
    workbook: Workbook,
    title: str,
    label_header: str,
    rows: list[tuple[str, int]],
    chart: BarChart | LineChart,
    chart_title: str,
    chart_height: float = CHART_HEIGHT,
) -> Worksheet:
    """A two-column table (label, number of cases) and its chart beside it."""
    sheet = workbook.create_sheet(title)
    _append(sheet, label_header, CASES_HEADER, bold=True)
    for label, cases in rows:
        _append(sheet, label, cases)
    _chart_beside(sheet, chart, chart_title, 1, len(rows) + 1, max((cases for _, cases in rows), default=0),
                  chart_height)
    _widen(sheet, 34, 14)
    _print_settings(sheet, landscape=True)
    return sheet


def _chart_beside(
    sheet: Worksheet,
    chart: BarChart | LineChart,
    chart_title: str,
    header_row: int,
    last_row: int,
    largest: int,
    chart_height: float = CHART_HEIGHT,
) -> None:
    """The chart of a two-column table (labels, numbers) from its header row to its last row,
    to the right of the table, its value axis in whole numbers up to at least `largest`."""
    last_row = max(last_row, header_row + 1)  # an empty figure still gets its (blank) chart
    chart.add_data(Reference(sheet, min_col=2, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last_row))
    chart.title = chart_title
    chart.legend = None
    # openpyxl leaves axes to the reader's default, and some Excel versions then hide them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    # Whole cases: steps of 1, 2, 5, 10, … from 0, shown without decimals.
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = whole_step(largest)
    chart.y_axis.number_format = "0"
    chart.width, chart.height = 24, chart_height
    sheet.add_chart(chart, "D2")


def _print_settings(sheet: Worksheet, landscape: bool) -> None:
    """A4, fitted to the page's width (as many pages down as the rows need), the header row
    repeated on each page."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = "1:1"


def _horizontal(chart: BarChart) -> BarChart:
    """Province names read better down the side, one bar per line."""
    chart.type = "bar"
    return chart


def _append(sheet: Worksheet, *values: Any, bold: bool = False) -> None:
    """One row (none: a blank line). Values here are never formulas, whatever they start with."""
    cells = []
    for value in values:
        cell = Cell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value)
        if cell.data_type == "f":
            cell.data_type = "s"
        if bold:
            cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def _minutes(seconds: float | None) -> float | str:
    return "-" if seconds is None else round(seconds / 60, 1)


def _rounded(minutes: float | None) -> float | str:
    return "-" if minutes is None else round(minutes, 1)


def _widen(sheet: Worksheet, *widths: int) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
