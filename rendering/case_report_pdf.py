"""The case dashboard's "Download report (PDF)": the report officials take to a meeting, in Thai.

A page per topic (the summary with the filter, then by status, by incident type, by province, over
time, time to acknowledge, hand-offs to the multidisciplinary team, their risk levels and the
approvals waiting, their referrals to agencies with the transfers to another province's team), each with its one chart
drawn whole on the page (rendering.report_charts), the filter stated on the first page and in
every page's header. Landscape A4, the Sarabun font (fontpkg-sarabun, SIL Open Font Licence)
shaped by HarfBuzz so Thai vowels and tone marks sit where they belong, lines broken between Thai
words (rendering.thai_text), dates dd/mm/yyyy in the Buddhist era. fpdf2 writes the file.

Rendering reads the same figures as the workbook (rendering.case_report) and never queries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import fontpkg
from fpdf import FPDF

from domain.agencies import AGENCY_KIND_LABELS
from domain.handoff import HandoffStatus
from domain.models import CaseStatus
from rendering.care_figure_labels import (
    REFERRAL_ANSWER_COLUMNS,
    REFERRALS_TOTAL,
    RISK_NOT_ASSESSED,
    TRANSFER_ANSWER_COLUMNS,
    describe_wait,
)
from rendering.case_report import (
    ReferralAnswers,
    ReportFigures,
    TransferFigures,
    describe_filter,
    thai_date,
    transfer_rows,
)
from rendering.officer_messages import STATUS_LABELS
from rendering.report_charts import Box, cases, horizontal_bars, line_over_time, vertical_bars
from rendering.spreadsheet import Destination
from rendering.team_labels import APPROVAL_SUBJECT_LABELS, CARE_OUTCOME_LABELS, HANDOFF_STATUS_LABELS, RISK_LEVEL_LABELS
from rendering.thai_text import wrap

FONT = "Sarabun"
REPORT_TITLE = "รายงานสรุปเรื่องแจ้งเหตุ ESS Help Me"
SUMMARY_TITLE = "สรุปและขอบเขตของรายงาน"
MARGIN = 14.0
HEADER_BOTTOM = 24.0  # mm from the top: the body starts below the header
FOOTER_TOP = 198.0  # mm from the top of a 210 mm landscape page
BODY_TOP = HEADER_BOTTOM + 4
TITLE_SIZE, BODY_SIZE, SMALL_SIZE = 18, 12, 9
LINE = 6.0  # mm: a line of body text, room for Thai marks above and below
# The provinces the chart names one by one; the rest share a last bar, so the chart stays legible.
PROVINCES_NAMED = 20


@dataclass(frozen=True)
class Topic:
    """A page: its title, the facts down its left side, and how it draws its chart in a box (the
    summary has no chart: its counters stand there instead)."""

    title: str
    facts: list[tuple[str, str]]
    draw: Callable[[FPDF, Box], None] | None
    counters: list[tuple[str, str]] = field(default_factory=list)


def write_case_report_pdf(figures: ReportFigures, destination: Destination) -> None:
    """The report of `figures` as a PDF, a page per topic (topics()), to a path or a binary file."""
    document = _ReportDocument(figures)
    for topic in topics(figures):
        document.topic_page(topic)
    content = bytes(document.output())
    if isinstance(destination, (str, PathLike)):
        Path(destination).write_bytes(content)
    else:
        destination.write(content)


def topics(figures: ReportFigures) -> list[Topic]:
    """The report's pages in order: the summary, then a topic and its one chart a page."""
    counters, acknowledge, handoffs = figures.counters, figures.acknowledge, figures.handoffs
    statuses = list(CaseStatus)
    provinces = list(figures.per_province)
    named = provinces if len(provinces) <= PROVINCES_NAMED + 1 else provinces[:PROVINCES_NAMED]
    province_labels = [p.name_th for p in named]
    province_values = [p.cases for p in named]
    if len(named) < len(provinces):
        rest = provinces[len(named):]
        province_labels.append(f"อีก {len(rest)} จังหวัด")
        province_values.append(sum(p.cases for p in rest))
    days = list(figures.per_day)
    share = handoffs.share_accepted_in_time
    return [
        Topic(
            SUMMARY_TITLE, describe_filter(figures), None,
            counters=[("เรื่องทั้งหมด", cases(counters.total)), ("แจ้งวันนี้", cases(counters.today)),
                      ("รับทราบแล้ว (เคยรับทราบ)", cases(acknowledge.acknowledged)),
                      ("ส่งต่อทีมสหวิชาชีพ", cases(handoffs.forwarded)),
                      *[(f"สถานะปัจจุบัน: {STATUS_LABELS[s][0]}", cases(counters.of_status(s))) for s in statuses]],
        ),
        Topic(
            "เรื่องตามสถานะปัจจุบัน",
            [(STATUS_LABELS[s][0], cases(counters.of_status(s))) for s in statuses],
            _bars(horizontal_bars, [STATUS_LABELS[s][0] for s in statuses],
                  [counters.of_status(s) for s in statuses]),
        ),
        Topic(
            "เรื่องตามประเภทเหตุ",
            [("ประเภทเหตุที่มีเรื่อง", cases(sum(1 for t in figures.per_type if t.cases)))],
            _bars(horizontal_bars, [t.label_th for t in figures.per_type], [t.cases for t in figures.per_type]),
        ),
        Topic(
            "เรื่องตามจังหวัด",
            [("จังหวัดที่มีเรื่อง", cases(sum(1 for p in provinces if p.cases)))]
            + ([("แสดงรายจังหวัด", f"{PROVINCES_NAMED} จังหวัดที่มีเรื่องมากที่สุด")]
               if len(named) < len(provinces) else []),
            _bars(horizontal_bars, province_labels, province_values),
        ),
        Topic(
            "เรื่องแจ้งเหตุรายวัน",
            [("วันที่มีเรื่องมากที่สุด", _busiest_day(days)), ("เฉลี่ยต่อวัน", _per_day_average(days))],
            _bars(line_over_time, [thai_date(d.day) for d in days], [d.cases for d in days]),
        ),
        Topic(
            "ระยะเวลาตั้งแต่แจ้งจนรับทราบ",
            [("เรื่องที่รับทราบแล้ว", cases(acknowledge.acknowledged)),
             ("ค่ามัธยฐาน", _minutes(acknowledge.median_seconds)),
             ("เปอร์เซ็นไทล์ที่ 90", _minutes(acknowledge.p90_seconds))],
            _bars(vertical_bars, [b.label_th for b in acknowledge.buckets], [b.cases for b in acknowledge.buckets]),
        ),
        Topic(
            "การส่งต่อทีมสหวิชาชีพ (ตามวันที่ส่งต่อ)",
            [("ส่งต่อทีมสหวิชาชีพ", cases(handoffs.forwarded)),
             ("ทีมรับเรื่องแล้ว", cases(handoffs.accepted)),
             (HANDOFF_STATUS_LABELS[HandoffStatus.IN_CARE][0], cases(handoffs.in_care)),
             (HANDOFF_STATUS_LABELS[HandoffStatus.CLOSED][0], cases(handoffs.closed)),
             (HANDOFF_STATUS_LABELS[HandoffStatus.REJECTED][0], cases(handoffs.returned)),
             (HANDOFF_STATUS_LABELS[HandoffStatus.AWAITING][0], cases(handoffs.awaiting)),
             ("เกินกำหนดรับเรื่อง", cases(handoffs.overdue)),
             ("รับเรื่องทันกำหนด", "-" if share is None else f"{cases(handoffs.accepted_in_time)} ({100 * share:.0f}%)"),
             ("เวลาจนทีมรับเรื่อง ค่ามัธยฐาน", _rounded_minutes(handoffs.median_minutes_to_accept))],
            _bars(horizontal_bars, [CARE_OUTCOME_LABELS[o][0] for o in handoffs.care_outcomes],
                  list(handoffs.care_outcomes.values())),
        ),
        *_care_topics(figures),
    ]


def _care_topics(figures: ReportFigures) -> list[Topic]:
    """The care of the period's hand-offs: the risk levels of those accepted beside the approvals
    waiting as the report is made (whatever the period); then their referrals per kind of agency
    and per answer (the workbook names each agency of one province's report), and beside them the
    transfers offered in the period per answer (transfer_facts). Counts only."""
    handoffs, referrals = figures.handoffs, figures.referrals
    approvals = [(f"{APPROVAL_SUBJECT_LABELS[subject][0]} (ณ วันที่ออกรายงาน)",
                  f"{cases(waiting.waiting)} เรื่อง" + (f" รอนานสุด {describe_wait(waiting.longest_wait)[0]}"
                                                       if waiting.longest_wait is not None else ""))
                 for subject, waiting in figures.approvals.per_subject.items()]
    total = referrals.total
    return [
        Topic(
            "ระดับความเสี่ยงและการรออนุมัติ",
            [("ทีมรับเรื่องแล้ว (ส่งต่อในช่วงนี้)", cases(handoffs.accepted)),
             (RISK_NOT_ASSESSED[0], cases(handoffs.risk_not_assessed)), *approvals],
            _bars(vertical_bars, [*(RISK_LEVEL_LABELS[level][0] for level in handoffs.risk_levels),
                                  RISK_NOT_ASSESSED[0]],
                  [*handoffs.risk_levels.values(), handoffs.risk_not_assessed]),
        ),
        Topic(
            "การส่งต่อหน่วยงาน (ของการส่งต่อในช่วงนี้)",
            [(REFERRALS_TOTAL[0], cases(total.total)),
             *((th, cases(getattr(total, field))) for field, th, _ in REFERRAL_ANSWER_COLUMNS),
             *transfer_facts(figures.transfers)],
            _bars(horizontal_bars, [AGENCY_KIND_LABELS[kind][0] for kind in referrals.per_kind],
                  [answers.total for answers in referrals.per_kind.values()]),
        ),
    ]


def transfer_facts(transfers: TransferFigures | None) -> list[tuple[str, str]]:
    """The transfers to another province's team offered in the period, a fact each: in one
    province's report offered by its team and offered to it, in every province's all of them;
    none in a station's, which counts no transfer."""
    if transfers is None:
        return []
    rows = transfer_rows(transfers)
    if len(rows) > 1:
        rows = rows[:-1]  # the two directions: their total would be one fact too many for the page
    return [("การโอนการดูแลข้ามจังหวัด" if key == "all" else th, _transfer_answers(answers))
            for key, (th, _), answers in rows]


def _transfer_answers(answers: ReferralAnswers) -> str:
    return f"ขอโอนในช่วงนี้ {cases(answers.total)} เรื่อง: " + " · ".join(
        f"{th} {cases(getattr(answers, field))}" for field, th, _ in TRANSFER_ANSWER_COLUMNS)


class _ReportDocument(FPDF):
    """Landscape A4 pages with the report's header (title, topic, the filter) and footer (page)."""

    def __init__(self, figures: ReportFigures) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.add_font(FONT, "", fontpkg.path(FONT, weight=400))
        self.add_font(FONT, "B", fontpkg.path(FONT, weight=700))
        self.set_text_shaping(True)
        self.set_font(FONT, size=BODY_SIZE)
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_lang("th")
        self.set_title(REPORT_TITLE)
        self.set_creator("ESS Help Me")
        self.filter_line = " · ".join(f"{label} {value}" for label, value in describe_filter(figures))
        self.topic_title = ""

    def header(self) -> None:
        self.set_text_color(90, 90, 90)
        self.set_font(FONT, size=SMALL_SIZE)
        self.set_xy(MARGIN, 8)
        self.cell(self.epw, 4.5, REPORT_TITLE)
        for number, line in enumerate(wrap(self.filter_line, self.epw, self.get_string_width)[:2]):
            self.set_xy(MARGIN, 12.5 + number * 4.2)
            self.cell(self.epw, 4.2, line)
        self.set_draw_color(180, 180, 180)
        self.line(MARGIN, HEADER_BOTTOM - 2, self.w - MARGIN, HEADER_BOTTOM - 2)

    def footer(self) -> None:
        self.set_text_color(90, 90, 90)
        self.set_font(FONT, size=SMALL_SIZE)
        self.set_xy(MARGIN, FOOTER_TOP)
        self.cell(self.epw / 2, 4.5, self.topic_title)
        self.set_xy(MARGIN + self.epw / 2, FOOTER_TOP)
        self.cell(self.epw / 2, 4.5, f"หน้า {self.page_no()} จาก {{nb}}", align="R")

    def topic_page(self, topic: Topic) -> None:
        """The topic's title, its facts down the left, its chart in the rest of the page."""
        self.add_page()
        self.topic_title = topic.title  # after add_page: the page before has its footer already
        self.set_text_color(20, 20, 20)
        self.set_font(FONT, "B", TITLE_SIZE)
        self.set_xy(MARGIN, BODY_TOP)
        self.cell(self.epw, 9, topic.title)
        facts_width = 78.0
        self._facts(topic.facts, MARGIN, BODY_TOP + 14, facts_width)
        chart = Box(MARGIN + facts_width + 8, BODY_TOP + 14, self.epw - facts_width - 8, FOOTER_TOP - 6 - BODY_TOP - 14)
        self.set_font(FONT, "", BODY_SIZE)
        if topic.draw is not None:
            topic.draw(self, chart)
        else:
            self._counters(topic.counters, chart)

    def _facts(self, facts: list[tuple[str, str]], x: float, y: float, width: float) -> None:
        """Each fact's label in bold, its value under it, wrapped between words."""
        for label, value in facts:
            for style, text in (("B", label), ("", value)):
                self.set_font(FONT, style, BODY_SIZE)
                for line in wrap(text, width, self.get_string_width):
                    self.set_xy(x, y)
                    self.cell(width, LINE, line)
                    y += LINE
            y += 3

    def _counters(self, counters: list[tuple[str, str]], box: Box) -> None:
        """A table of counters: the label, and the number right-aligned beside it."""
        self.set_font(FONT, "", BODY_SIZE + 1)
        number_width = 30.0
        y = box.y
        self.set_draw_color(220, 220, 220)
        for label, value in counters:
            self.set_xy(box.x, y)
            self.cell(box.width - number_width, LINE + 2, label)
            self.set_xy(box.right - number_width, y)
            self.cell(number_width, LINE + 2, value, align="R")
            y += LINE + 2
            self.line(box.x, y, box.right, y)


def _bars(draw: Callable[[FPDF, Box, Sequence[str], Sequence[int]], None], labels: Sequence[str],
          values: Sequence[int]) -> Callable[[FPDF, Box], None]:
    return lambda pdf, box: draw(pdf, box, labels, values)


def _busiest_day(days: Sequence) -> str:
    if not days or max(d.cases for d in days) == 0:
        return "-"
    busiest = max(days, key=lambda d: d.cases)
    return f"{thai_date(busiest.day)} ({cases(busiest.cases)} เรื่อง)"


def _per_day_average(days: Sequence) -> str:
    return "-" if not days else f"{sum(d.cases for d in days) / len(days):.1f} เรื่อง"


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f} นาที"


def _rounded_minutes(minutes: float | None) -> str:
    return "-" if minutes is None else f"{minutes:.1f} นาที"
