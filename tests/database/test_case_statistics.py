"""The case dashboard's figures: counters per status, today's count, cases per Thailand day, per
incident type and per province, and the wait from report to acknowledgement — each within what the
user may see and the filter they chose.

Other tests write cases into the same database, so every test here counts only its own: through a
station of its own (a station scope), or a report-date window in a year no other test uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg
import pytest

from database.case_statistics import (
    ACKNOWLEDGE_BUCKETS,
    CaseCounters,
    CaseFilter,
    DayCount,
    case_counters,
    cases_per_day,
    cases_per_province,
    cases_per_type,
    time_to_acknowledge,
)
from domain.clock import THAILAND
from domain.models import CaseStatus
from domain.scope import CaseScope

CHIANG_MAI = "50"
PHUKET = "83"
CHIANG_MAI_DISTRICT = "5001"
MARCH_2001 = {"reported_from": date(2001, 3, 1), "reported_to": date(2001, 3, 31)}


def thai(day: date, hour: int = 10, minute: int = 0, second: float = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=THAILAND) + timedelta(seconds=second)


@dataclass
class Station:
    """A station of the test's own, and a way to add cases routed to it."""

    connection: asyncpg.Connection
    station_id: int

    @property
    def scope(self) -> CaseScope:
        return CaseScope(station_id=self.station_id)

    async def add_case(
        self,
        reported_at: datetime,
        status: CaseStatus = CaseStatus.NEW,
        *,
        incident_type_code: str | None = "THREAT_ASSAULT",
        province_code: str | None = CHIANG_MAI,
        acknowledged_after: timedelta | None = None,
    ) -> str:
        case_no = f"ESS-T{uuid.uuid4().hex[:12].upper()}"
        await self.connection.execute(
            """
            INSERT INTO cases (case_no, conversation_id, reporter_key, line_user_id, incident_type_code, status,
                               complete, latitude, longitude, province_code, district_code, reported_at,
                               station_id, acknowledged_at)
            VALUES ($1, $2, $3, $4, $5, $6, true, 18.79, 98.98, $7, $8, $9, $10, $11)
            """,
            case_no, f"conversation-{case_no}", f"reporter-{case_no}", f"U{uuid.uuid4().hex}", incident_type_code,
            status.value, province_code, CHIANG_MAI_DISTRICT if province_code == CHIANG_MAI else None, reported_at,
            self.station_id, None if acknowledged_after is None else reported_at + acknowledged_after,
        )
        return case_no

    def filter(self, **choices) -> CaseFilter:
        return CaseFilter(scope=self.scope, **choices)


@pytest.fixture
async def station(pool: asyncpg.Pool):
    async with pool.acquire() as connection:
        station_id = await connection.fetchval(
            "INSERT INTO stations (code, name_th, name_en, province_code)"
            " VALUES ($1, 'สถานีทดสอบสถิติ', 'Statistics test station', $2) RETURNING id",
            f"TEST-{uuid.uuid4().hex[:10]}", CHIANG_MAI,
        )
        yield Station(connection, station_id)


# --- Counters ----------------------------------------------------------------------------------


async def test_counters_count_each_status_within_the_range_and_today_regardless_of_it(station: Station) -> None:
    statuses = {CaseStatus.NEW: 1, CaseStatus.ACKNOWLEDGED: 2, CaseStatus.CLOSED: 3, CaseStatus.NOT_FOUND: 1,
                CaseStatus.PRANK: 1, CaseStatus.FORWARDED: 4}
    day = date(2001, 3, 5)
    for status, how_many in statuses.items():
        for _ in range(how_many):
            await station.add_case(thai(day), status)
            day += timedelta(days=1)
    await station.add_case(thai(date(2001, 2, 28), 23, 59), CaseStatus.NEW)  # before the range
    await station.add_case(thai(date(2001, 4, 5)), CaseStatus.CLOSED)  # after it: "today"
    await station.add_case(thai(date(2001, 4, 5), 0, 5), CaseStatus.NEW)

    counters = await case_counters(station.connection, station.filter(**MARCH_2001), today=date(2001, 4, 5))

    assert counters == CaseCounters(total=12, today=2, new=1, acknowledged=2, closed=3, not_found=1, prank=1,
                                    forwarded=4)
    assert {status: counters.of_status(status) for status in CaseStatus} == statuses


async def test_today_inside_the_range_counts_only_that_day(station: Station) -> None:
    await station.add_case(thai(date(2001, 3, 9), 23, 59))
    await station.add_case(thai(date(2001, 3, 10), 0, 0))
    await station.add_case(thai(date(2001, 3, 10), 23, 59))
    await station.add_case(thai(date(2001, 3, 11), 0, 0))

    counters = await case_counters(station.connection, station.filter(**MARCH_2001), today=date(2001, 3, 10))

    assert (counters.total, counters.today) == (4, 2)


async def test_without_a_date_range_every_case_counts(station: Station) -> None:
    await station.add_case(thai(date(1999, 12, 31)))
    await station.add_case(thai(date(2001, 3, 10)))

    counters = await case_counters(station.connection, station.filter(), today=date(2001, 3, 10))

    assert (counters.total, counters.new, counters.today) == (2, 2, 1)


# --- Thailand days -------------------------------------------------------------------------------


async def test_a_case_counts_on_its_thailand_day_not_its_utc_day(station: Station) -> None:
    await station.add_case(thai(date(2001, 3, 10), 23, 30))  # 16:30 UTC on the 10th
    await station.add_case(thai(date(2001, 3, 11), 0, 10))  # 17:10 UTC, still the 10th in UTC
    connection = station.connection

    assert await cases_per_day(connection, station.filter(**MARCH_2001)) == [
        DayCount(date(2001, 3, 10), 1),
        DayCount(date(2001, 3, 11), 1),
    ]
    tenth = station.filter(reported_from=date(2001, 3, 10), reported_to=date(2001, 3, 10))
    eleventh = station.filter(reported_from=date(2001, 3, 11), reported_to=date(2001, 3, 11))
    assert (await case_counters(connection, tenth, today=date(2001, 3, 10))).total == 1
    assert (await case_counters(connection, tenth, today=date(2001, 3, 10))).today == 1
    assert (await case_counters(connection, eleventh, today=date(2001, 3, 11))).total == 1
    assert (await case_counters(connection, eleventh, today=date(2001, 3, 11))).today == 1


async def test_cases_per_day_fill_the_days_between_with_zero_and_leave_out_empty_edges(station: Station) -> None:
    await station.add_case(thai(date(2001, 3, 10), 8))
    await station.add_case(thai(date(2001, 3, 10), 20))
    await station.add_case(thai(date(2001, 3, 13), 9))

    days = await cases_per_day(station.connection, station.filter(**MARCH_2001))

    assert days == [
        DayCount(date(2001, 3, 10), 2),
        DayCount(date(2001, 3, 11), 0),
        DayCount(date(2001, 3, 12), 0),
        DayCount(date(2001, 3, 13), 1),
    ]


# --- Scope and province --------------------------------------------------------------------------


async def test_a_scope_that_sees_nothing_gets_zeros_everywhere(station: Station) -> None:
    await station.add_case(thai(date(2001, 3, 10)), CaseStatus.ACKNOWLEDGED, acknowledged_after=timedelta(minutes=2))
    connection = station.connection

    for scope in (CaseScope(nothing=True), CaseScope(station_id=-1)):
        case_filter = CaseFilter(scope=scope, **MARCH_2001)
        counters = await case_counters(connection, case_filter, today=date(2001, 3, 10))
        assert counters == CaseCounters(total=0, today=0, new=0, acknowledged=0, closed=0, not_found=0, prank=0,
                                        forwarded=0)
        assert await cases_per_day(connection, case_filter) == []
        assert await cases_per_province(connection, case_filter) == []
        per_type = await cases_per_type(connection, case_filter)
        assert per_type and all(t.cases == 0 for t in per_type)
        assert None not in {t.code for t in per_type}  # no "not stated" row without such cases
        waits = await time_to_acknowledge(connection, case_filter)
        assert (waits.acknowledged, waits.median_seconds, waits.p90_seconds) == (0, None, None)
        assert [b.cases for b in waits.buckets] == [0] * len(ACKNOWLEDGE_BUCKETS)


async def test_the_province_filter_keeps_only_that_provinces_cases(station: Station) -> None:
    # A case routed across the border (the nearest station) keeps the province it happened in.
    for _ in range(3):
        await station.add_case(thai(date(2001, 3, 10)), province_code=CHIANG_MAI)
    await station.add_case(thai(date(2001, 3, 11)), CaseStatus.CLOSED, province_code=PHUKET)
    await station.add_case(thai(date(2001, 3, 11), 0, 30), province_code=PHUKET)
    connection = station.connection

    phuket = station.filter(province_code=PHUKET, **MARCH_2001)
    counters = await case_counters(connection, phuket, today=date(2001, 3, 11))
    assert (counters.total, counters.today, counters.closed, counters.new) == (2, 2, 1, 1)
    assert await cases_per_day(connection, phuket) == [DayCount(date(2001, 3, 11), 2)]
    assert [(p.code, p.cases) for p in await cases_per_province(connection, phuket)] == [(PHUKET, 2)]


async def test_a_national_or_province_scope_sees_cases_of_every_station_in_it(pool: asyncpg.Pool) -> None:
    # 1991: a year no other test reports in, so the national view holds only these cases.
    async with pool.acquire() as connection:
        stations = []
        for province in (CHIANG_MAI, PHUKET):
            station_id = await connection.fetchval(
                "INSERT INTO stations (code, name_th, name_en, province_code) VALUES ($1, 'ส', 'S', $2) RETURNING id",
                f"TEST-{uuid.uuid4().hex[:10]}", province,
            )
            stations.append(Station(connection, station_id))
        await stations[0].add_case(thai(date(1991, 6, 1)), province_code=CHIANG_MAI)
        await stations[0].add_case(thai(date(1991, 6, 2)), province_code=CHIANG_MAI)
        await stations[1].add_case(thai(date(1991, 6, 2)), province_code=PHUKET)
        window = {"reported_from": date(1991, 1, 1), "reported_to": date(1991, 12, 31)}

        national = CaseFilter(scope=CaseScope.national(), **window)
        chiang_mai = CaseFilter(scope=CaseScope(province_code=CHIANG_MAI), **window)
        assert (await case_counters(connection, national, today=date(1991, 6, 2))).today == 2
        assert [(p.code, p.name_en, p.cases) for p in await cases_per_province(connection, national)] == [
            (CHIANG_MAI, "Chiang Mai", 2), (PHUKET, "Phuket", 1)]
        assert (await case_counters(connection, chiang_mai, today=date(1991, 6, 2))).total == 2
        assert await cases_per_day(connection, chiang_mai) == [
            DayCount(date(1991, 6, 1), 1), DayCount(date(1991, 6, 2), 1)]


# --- Per type and per province -------------------------------------------------------------------


async def test_cases_per_type_list_every_active_type_and_the_unstated_last(station: Station) -> None:
    for code in ("DETENTION", "DETENTION", "GATHERING", None, None, None):
        await station.add_case(thai(date(2001, 3, 10)), incident_type_code=code)
    await station.add_case(thai(date(2001, 4, 10)), incident_type_code="GATHERING")  # outside the range

    per_type = await cases_per_type(station.connection, station.filter(**MARCH_2001))

    counts = {t.code: t.cases for t in per_type}
    assert counts == {"THREAT_ASSAULT": 0, "DETENTION": 2, "SEXUAL_ABUSE_RISK": 0, "DERANGED_PERSON": 0,
                      "GATHERING": 1, None: 3}
    assert per_type[-1].code is None
    assert (per_type[-1].label_th, per_type[-1].label_en) == ("ไม่ระบุ", "Not stated")
    detention = next(t for t in per_type if t.code == "DETENTION")
    assert (detention.label_th, detention.label_en) == ("กักขังหน่วงเหนี่ยว", "Unlawfully detained or confined")


async def test_cases_per_province_come_biggest_first_with_thai_and_english_names(station: Station) -> None:
    await station.add_case(thai(date(2001, 3, 10)), province_code=CHIANG_MAI)
    for _ in range(2):
        await station.add_case(thai(date(2001, 3, 10)), province_code=PHUKET)
    await station.add_case(thai(date(2001, 3, 10)), province_code=None)

    per_province = await cases_per_province(station.connection, station.filter(**MARCH_2001))

    assert [(p.code, p.name_th, p.name_en, p.cases) for p in per_province] == [
        (PHUKET, "ภูเก็ต", "Phuket", 2),
        (CHIANG_MAI, "เชียงใหม่", "Chiang Mai", 1),
        (None, "ไม่ทราบจังหวัด", "Province unknown", 1),
    ]


# --- Time to acknowledge -------------------------------------------------------------------------


async def test_acknowledge_times_fall_in_their_buckets_with_median_and_90th_percentile(station: Station) -> None:
    waits_in_seconds = [30, 60, 61, 170, 600, 601, 1800, 3600, 3601, 7200]
    statuses = [CaseStatus.ACKNOWLEDGED, CaseStatus.CLOSED, CaseStatus.NOT_FOUND, CaseStatus.PRANK,
                CaseStatus.FORWARDED] * 2  # acknowledged_at stays set after the case moves on
    for wait, status in zip(waits_in_seconds, statuses):
        await station.add_case(thai(date(2001, 3, 10)), status, acknowledged_after=timedelta(seconds=wait))
    await station.add_case(thai(date(2001, 3, 10)), CaseStatus.NEW)  # not acknowledged yet
    await station.add_case(thai(date(2001, 3, 10)), CaseStatus.CLOSED)  # closed without an acknowledgement
    await station.add_case(thai(date(2001, 4, 1)), CaseStatus.ACKNOWLEDGED,
                           acknowledged_after=timedelta(seconds=5))  # outside the range

    waits = await time_to_acknowledge(station.connection, station.filter(**MARCH_2001))

    assert waits.acknowledged == 10
    assert [(b.up_to_seconds, b.cases) for b in waits.buckets] == [
        (60, 2), (180, 2), (600, 1), (1800, 2), (3600, 1), (None, 2)]
    assert waits.buckets[0].label_th == "ไม่เกิน 1 นาที"
    assert waits.buckets[-1].label_en == "Over 60 min"
    # PostgreSQL's percentile_cont over the same waits: 600.5 s and 3601 + 0.1 × (7200 − 3601) s.
    assert waits.median_seconds == pytest.approx(600.5)
    assert waits.p90_seconds == pytest.approx(3960.9)
    expected = await station.connection.fetchrow(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS median,"
        " percentile_cont(0.9) WITHIN GROUP (ORDER BY w) AS p90 FROM unnest($1::float8[]) AS w",
        waits_in_seconds,
    )
    assert (waits.median_seconds, waits.p90_seconds) == pytest.approx((expected["median"], expected["p90"]))


async def test_a_wait_just_over_a_minute_is_not_within_a_minute(station: Station) -> None:
    await station.add_case(thai(date(2001, 3, 10)), CaseStatus.ACKNOWLEDGED, acknowledged_after=timedelta(seconds=60))
    await station.add_case(thai(date(2001, 3, 10), second=0.25), CaseStatus.ACKNOWLEDGED,
                           acknowledged_after=timedelta(seconds=60, milliseconds=400))

    waits = await time_to_acknowledge(station.connection, station.filter(**MARCH_2001))

    assert [b.cases for b in waits.buckets][:2] == [1, 1]
    assert waits.median_seconds is not None and 60 <= waits.median_seconds <= 61
