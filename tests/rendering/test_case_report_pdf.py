"""The dashboard's report as a PDF, as officials take it to a meeting: a page per topic in Thai,
the filter stated on the first page and in every page's header, dates in the Buddhist era, each
topic's one chart drawn whole inside its page.

Each test reads only cases of a station of its own (a station scope)."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime, timedelta

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

from database.case_export import report_figures
from database.case_statistics import CaseFilter, ProvinceCount
from domain.clock import THAILAND
from domain.handoff import HandoffStatus
from domain.models import CaseStatus
from domain.scope import CaseScope
from rendering.case_report_pdf import FOOTER_TOP, HEADER_BOTTOM, MARGIN, topics, write_case_report_pdf
from rendering.chart_axis import MAX_TICKS, axis_ticks
from tests.export_station import (
    CHIANG_MAI,
    MARCH_2001,
    TRANSFER_DECLINED_BECAUSE,
    TRANSFER_NOTE,
    Station,
    own_station,
    thai,
)

POINTS_PER_MM = 72 / 25.4
PAGE_TITLES = [
    "สรุปและขอบเขตของรายงาน",
    "เรื่องตามสถานะปัจจุบัน",
    "เรื่องตามประเภทเหตุ",
    "เรื่องตามจังหวัด",
    "เรื่องแจ้งเหตุรายวัน",
    "ระยะเวลาตั้งแต่แจ้งจนรับทราบ",
    "การส่งต่อทีมสหวิชาชีพ (ตามวันที่ส่งต่อ)",
    "ระดับความเสี่ยงและการรออนุมัติ",
    "การส่งต่อหน่วยงาน (ของการส่งต่อในช่วงนี้)",
]


@pytest.fixture
async def station(pool: asyncpg.Pool) -> AsyncIterator[Station]:
    async with own_station(pool) as station:
        yield station


def page_texts(content: bytes) -> list[str]:
    """Each page's text as a reader extracts it, compared without spaces: Thai has none between
    words, and a reader adds some where HarfBuzz moved a tone mark. HarfBuzz draws ำ as two glyphs
    and fpdf2 gives the character to the first; the second has no text and pypdf prints its raw
    code instead, which is dropped here."""
    return [re.sub(r"ำ.", "ำ", re.sub(r"\s+", "", page.extract_text()), flags=re.DOTALL)
            for page in PdfReader(io.BytesIO(content)).pages]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


async def a_report(station: Station, today: date = date(2001, 3, 12), **choices) -> bytes:
    buffer = io.BytesIO()
    write_case_report_pdf(await report_figures(station.connection, station.filter(**choices), today=today), buffer)
    return buffer.getvalue()


async def test_the_report_is_a_page_per_topic_in_thai_with_the_filter_stated(station: Station) -> None:
    await station.add_case(thai(10), CaseStatus.CLOSED, acknowledged_at=thai(10, 10, 2), closed_at=thai(10, 11))
    await station.add_case(thai(12), CaseStatus.NEW, incident_type_code="GATHERING")
    await station.add_case(thai(12), CaseStatus.ACKNOWLEDGED, acknowledged_at=thai(12, 10, 20))

    content = await a_report(station, **MARCH_2001)

    assert content.startswith(b"%PDF")
    pages = page_texts(content)
    assert len(pages) == len(PAGE_TITLES)
    for number, (text, title) in enumerate(zip(pages, PAGE_TITLES, strict=True), start=1):
        assert compact(title) in text, title
        # The filter in every page's header, the Buddhist era's year; the page's number of all.
        assert compact(f"ขอบเขตข้อมูล สถานี {station.name_th}") in text
        assert compact("ช่วงวันที่แจ้ง 01/03/2544 ถึง 31/03/2544") in text
        assert compact(f"หน้า {number} จาก {len(PAGE_TITLES)}") in text
    summary = pages[0]
    for stated in ("จังหวัด", "ทุกจังหวัด", "วันที่ออกรายงาน", "12/03/2544", "เรื่องทั้งหมด"):
        assert compact(stated) in summary
    assert compact("กักขังหน่วงเหนี่ยว") in pages[2] and compact("มั่วสุมจนก่อให้เกิดเหตุร้าย") in pages[2]
    assert compact("เชียงใหม่") in pages[3]
    assert "10/03/2544" in pages[4]  # the days along the axis, in the Buddhist era
    assert "2001" not in "".join(pages)  # no year in the common era anywhere


async def test_the_care_pages_count_risk_levels_approvals_and_referrals_and_nothing_personal(
        station: Station) -> None:
    case_no = await station.add_case(thai(2), CaseStatus.FORWARDED)
    await station.add_handoff(case_no, 1, thai(2, 11), HandoffStatus.IN_CARE, accepted_at=thai(2, 12),
                              risk_level="MEDIUM", risk_assessed_at=thai(2, 13))
    reason = "เหตุผลส่วนตัวที่ไม่ควรอยู่ในรายงาน"
    for number, answer in enumerate(["DECLINED", None], 1):
        await station.connection.execute(
            "INSERT INTO referrals (handoff_id, number, agency_kind, agency_name_th, referred_at, due_at, answer,"
            " reason) VALUES ($1, $2, 'LEGAL_AID', 'ชื่อที่พิมพ์เอง', $3, $4, $5, $6)",
            f"{case_no}-1", number, thai(3), thai(3) + timedelta(days=30), answer, reason if answer else None)
    await station.connection.execute(
        "INSERT INTO care_approvals (event_key, handoff_id, subject, requested_at)"
        " VALUES ($1, $2, 'HIGH_RISK_PLAN', $3)",
        f"{case_no}-1:approval", f"{case_no}-1", thai(9, 9))
    buffer = io.BytesIO()
    figures = await report_figures(station.connection, station.filter(**MARCH_2001), today=date(2001, 3, 12),
                                   now=thai(12, 9))

    write_case_report_pdf(figures, buffer)

    risk, referrals = page_texts(buffer.getvalue())[-2:]
    for stated in ("ความเสี่ยงปานกลาง", "ยังไม่ได้ประเมินความเสี่ยง", "แผนความเสี่ยงสูงรออนุมัติ",
                   "1 เรื่อง รอนานสุด 3 วัน 0 ชั่วโมง"):
        assert compact(stated) in risk, stated
    for stated in ("ส่งต่อหน่วยงานทั้งหมด", "หน่วยงานปฏิเสธ", "รอคำตอบ (ยังไม่ถึงกำหนด)", "ช่วยเหลือทางกฎหมาย"):
        assert compact(stated) in referrals, stated
    assert topics(figures)[-1].facts == [
        ("ส่งต่อหน่วยงานทั้งหมด", "2"), ("หน่วยงานรับ", "0"), ("หน่วยงานปฏิเสธ", "1"),
        ("รอคำตอบ (ยังไม่ถึงกำหนด)", "1"), ("ไม่ตอบภายในกำหนด", "0")]
    for personal in (reason, "ชื่อที่พิมพ์เอง", case_no):
        assert compact(personal) not in "".join(page_texts(buffer.getvalue()))


async def test_the_referrals_page_states_the_transfers_offered_in_the_period_and_nothing_personal(
        station: Station) -> None:
    """Offered in June 1965, a month no other test offers a transfer in; the station's own report
    counts none (test_the_care_pages_count_...: its referrals page has the referrals' facts alone)."""
    def in_june(day: int, hour: int = 10) -> datetime:
        return datetime(1965, 6, day, hour, tzinfo=THAILAND)

    case_numbers = []
    for number, (from_province, to_province, answer, offered_on) in enumerate([
            (CHIANG_MAI, "83", "ACCEPTED", 2), (CHIANG_MAI, "10", None, 3),  # the 3rd's due on the 4th: past it
            ("83", CHIANG_MAI, "DECLINED", 4), ("10", CHIANG_MAI, None, 11)]):  # due at 10:00 on the 12th: waiting
        case_numbers.append(await station.add_case(in_june(1, 8), CaseStatus.HANDED_OVER))
        await station.add_handoff(case_numbers[number], 1, in_june(1, 9), HandoffStatus.IN_CARE,
                                  province_code=from_province, accepted_at=in_june(1, 10))
        await station.add_transfer(f"{case_numbers[number]}-1", from_province, to_province, in_june(offered_on),
                                   answer)
    june = {"reported_from": date(1965, 6, 1), "reported_to": date(1965, 6, 30)}
    buffer = io.BytesIO()
    province = await report_figures(
        station.connection, CaseFilter(scope=CaseScope(province_code=CHIANG_MAI), province_code=CHIANG_MAI, **june),
        today=date(1965, 6, 12), now=in_june(12, 9))
    country = await report_figures(station.connection, CaseFilter(scope=CaseScope.national(), **june),
                                   today=date(1965, 6, 12), now=in_june(12, 9))

    write_case_report_pdf(province, buffer)

    answers = "รับโอน {} · ไม่รับโอน {} · รอคำตอบ (ยังไม่ถึงกำหนด) {} · ไม่ตอบภายในกำหนด {}"
    assert topics(province)[-1].facts[-2:] == [
        ("ทีมจังหวัดนี้ขอโอนไปจังหวัดอื่น", "ขอโอนในช่วงนี้ 2 เรื่อง: " + answers.format(1, 0, 0, 1)),
        ("จังหวัดอื่นขอโอนมายังทีมจังหวัดนี้", "ขอโอนในช่วงนี้ 2 เรื่อง: " + answers.format(0, 1, 1, 0))]
    assert topics(country)[-1].facts[-1] == (
        "การโอนการดูแลข้ามจังหวัด", "ขอโอนในช่วงนี้ 4 เรื่อง: " + answers.format(1, 1, 1, 1))
    content = buffer.getvalue()
    referrals = page_texts(content)[-1]
    for stated in ("ทีมจังหวัดนี้ขอโอนไปจังหวัดอื่น", "จังหวัดอื่นขอโอนมายังทีมจังหวัดนี้", "ไม่ตอบภายในกำหนด 1"):
        assert compact(stated) in referrals, stated
    # The facts fit above the footer, beside the chart.
    reader = PdfReader(io.BytesIO(content))
    last = reader.pages[-1]
    body_bottom = float(last.mediabox.height) - FOOTER_TOP * POINTS_PER_MM
    assert text_below(last, body_bottom) == compact(f"{PAGE_TITLES[-1]}หน้า {len(PAGE_TITLES)} จาก {len(PAGE_TITLES)}")
    for personal in (TRANSFER_NOTE, TRANSFER_DECLINED_BECAUSE, *case_numbers):
        assert compact(personal) not in "".join(page_texts(content))


async def test_the_report_names_the_chosen_province_and_open_ended_dates(station: Station) -> None:
    content = await a_report(station, province_code=CHIANG_MAI, reported_from=date(2001, 3, 1))

    summary = page_texts(content)[0]
    assert compact("จังหวัด เชียงใหม่") in summary
    assert compact("ช่วงวันที่แจ้ง ตั้งแต่ 01/03/2544") in summary


async def test_each_chart_is_drawn_whole_between_the_header_and_the_footer(station: Station) -> None:
    for day in range(1, 32):  # a month of days: the longest axis of the report's month
        for minutes in range(day % 4):
            await station.add_case(thai(day), CaseStatus.ACKNOWLEDGED, acknowledged_at=thai(day, 10, minutes * 7))

    content = await a_report(station, **MARCH_2001)

    reader = PdfReader(io.BytesIO(content))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    body_top = height - HEADER_BOTTOM * POINTS_PER_MM  # PDF counts up from the page's bottom
    body_bottom = height - FOOTER_TOP * POINTS_PER_MM
    for number, page in enumerate(reader.pages):
        points, bars = drawn_points(ContentStream(page.get_contents(), reader))
        chart = [(x, y) for x, y in points if y < body_top]  # below the header's rule
        assert all(MARGIN * POINTS_PER_MM - 0.5 <= x <= width - MARGIN * POINTS_PER_MM + 0.5 for x, _ in chart)
        assert all(body_bottom <= y <= body_top for _, y in chart), f"page {number + 1}"
        # Below the body: the footer alone (the page's topic and number), no label of a chart.
        assert text_below(page, body_bottom) == compact(f"{PAGE_TITLES[number]}หน้า {number + 1} จาก {len(PAGE_TITLES)}")
        if number == 0:
            assert bars == 0  # the summary has no chart
        else:
            assert chart, f"page {number + 1} draws no chart"
            # Per day: a line; no hand-offs here, so no risk level nor referral either.
            assert bars or number in (4, 6, 7, 8), f"page {number + 1} has no bars"


def text_below(page: PageObject, y: float) -> str:
    """The text a page writes below the height `y` (in points from the page's bottom), compacted."""
    pieces: list[str] = []

    def keep(text: str, matrix: list[float], text_matrix: list[float], *_: object) -> None:
        if text_matrix[5] * matrix[3] + matrix[5] < y:
            pieces.append(text)

    page.extract_text(visitor_text=keep)
    return re.sub(r"ำ.", "ำ", compact("".join(pieces)), flags=re.DOTALL)


def drawn_points(stream: ContentStream) -> tuple[list[tuple[float, float]], int]:
    """The corners of rectangles and the ends of lines a page draws, and its filled rectangles."""
    points, bars = [], 0
    for operands, operator in stream.operations:
        if operator == b"re":
            x, y, w, h = (float(value) for value in operands)
            points += [(x, y), (x + w, y + h)]
            bars += 1
        elif operator in (b"m", b"l"):
            points.append((float(operands[0]), float(operands[1])))
        elif operator == b"c":
            points += [(float(operands[i]), float(operands[i + 1])) for i in (0, 2, 4)]
    return points, bars


async def test_the_topics_are_the_summary_then_a_chart_each(station: Station) -> None:
    figures = await report_figures(station.connection, station.filter(**MARCH_2001), today=date(2001, 3, 12))

    pages = topics(figures)

    assert [topic.title for topic in pages] == PAGE_TITLES
    assert pages[0].draw is None and pages[0].counters  # the summary: its counters stand where a chart would
    assert all(topic.draw is not None for topic in pages[1:])


async def test_the_provinces_past_the_twentieth_share_the_last_bar(station: Station) -> None:
    figures = await report_figures(station.connection, station.filter(**MARCH_2001), today=date(2001, 3, 12))
    many = replace(figures, per_province=[ProvinceCount(f"{n:02d}", f"จังหวัดที่ {n}", f"Province {n}", 100 - n)
                                          for n in range(30)])
    buffer = io.BytesIO()

    write_case_report_pdf(many, buffer)

    provinces = page_texts(buffer.getvalue())[3]
    assert compact("จังหวัดที่ 19") in provinces and compact("จังหวัดที่ 20") not in provinces
    assert compact("อีก 10 จังหวัด") in provinces
    assert compact(f"{sum(100 - n for n in range(20, 30)):,}") in provinces  # their cases, added up


@given(st.integers(min_value=0, max_value=10_000_000))
def test_the_value_axis_counts_whole_cases(largest: int) -> None:
    ticks = axis_ticks(largest)

    assert ticks[0] == 0 and ticks[-1] >= largest
    step = ticks[1] - ticks[0]
    assert step >= 1 and all(b - a == step for a, b in itertools.pairwise(ticks))
    assert len(ticks) - 1 <= MAX_TICKS
    assert str(step).strip("0") in ("1", "2", "5")
