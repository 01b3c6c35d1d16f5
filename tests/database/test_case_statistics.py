"""The case dashboard's figures: counters per status, today's count, cases per Thailand day, per
incident type and per province, and the wait from report to acknowledgement — each within what the
user may see and the filter they chose.

Other tests write cases into the same database, so every test here counts only its own: through a
station of its own (a station scope), or a report-date window in a year no other test uses.

The country's and a province's figures are precounted (migration 0005_case_day_counts); the tests
at the end check that they equal counting the cases, however the cases are written, changed or
deleted."""

from __future__ import annotations

import asyncio
import math
import random
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
from database.migrate import available_migrations
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
                CaseStatus.PRANK: 1, CaseStatus.FORWARDED: 4, CaseStatus.HANDED_OVER: 2, CaseStatus.RETURNED: 1}
    day = date(2001, 3, 5)
    for status, how_many in statuses.items():
        for _ in range(how_many):
            await station.add_case(thai(day), status)
            day += timedelta(days=1)
    await station.add_case(thai(date(2001, 2, 28), 23, 59), CaseStatus.NEW)  # before the range
    await station.add_case(thai(date(2001, 4, 5)), CaseStatus.CLOSED)  # after it: "today"
    await station.add_case(thai(date(2001, 4, 5), 0, 5), CaseStatus.NEW)

    counters = await case_counters(station.connection, station.filter(**MARCH_2001), today=date(2001, 4, 5))

    assert counters == CaseCounters(total=15, today=2, new=1, acknowledged=2, closed=3, not_found=1, prank=1,
                                    forwarded=4, handed_over=2, returned=1)
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
                                        forwarded=0, handed_over=0, returned=0)
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
    for wait, status in zip(waits_in_seconds, statuses, strict=True):
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
    assert (waits.within(1), waits.within(2)) == (1, 2)  # a service level of 1 minute: only the first


# --- Precounted figures (migration 0005): the same numbers as counting the cases -----------------
#
# Each test reports its cases in a year of its own, so the country's and a province's figures over
# that year hold only them; comparisons run in one REPEATABLE READ snapshot, so whatever else is
# written meanwhile, both ways see the same cases.

COUNTRY_VIEW = CaseScope.national()


def year(number: int) -> dict:
    return {"reported_from": date(number, 1, 1), "reported_to": date(number, 12, 31)}


async def figures(connection: asyncpg.Connection, case_filter: CaseFilter, today: date, precounted: bool) -> tuple:
    return (
        await case_counters(connection, case_filter, today, precounted=precounted),
        await cases_per_day(connection, case_filter, precounted=precounted),
        await cases_per_type(connection, case_filter, precounted=precounted),
        await cases_per_province(connection, case_filter, precounted=precounted),
        await time_to_acknowledge(connection, case_filter, precounted=precounted),
    )


async def both_ways(connection: asyncpg.Connection, case_filter: CaseFilter, today: date) -> tuple:
    """The five figures precounted, after checking that counting the cases gives the same."""
    assert case_filter.precounted_area is not None  # else both ways would count the cases
    async with connection.transaction(isolation="repeatable_read"):
        precounted = await figures(connection, case_filter, today, precounted=True)
        counted = await figures(connection, case_filter, today, precounted=False)
    assert precounted == counted, case_filter
    for minutes in (1, 2, 3, 5, 10, 60, 1440):  # service levels: any whole number of minutes
        assert precounted[4].within(minutes) == counted[4].within(minutes), (case_filter, minutes)
    return precounted


async def assert_agree_everywhere(connection: asyncpg.Connection, number: int, today: date) -> None:
    """Both ways agree for the country and each province involved, over the year, open ranges and single days."""
    days = {date(number, 6, 10), date(number, 6, 11), today}
    filters = [
        CaseFilter(scope=COUNTRY_VIEW, **year(number)),
        CaseFilter(scope=COUNTRY_VIEW),  # no range: every case of the database
        CaseFilter(scope=COUNTRY_VIEW, reported_to=date(number, 6, 10)),
        CaseFilter(scope=COUNTRY_VIEW, reported_from=date(number, 6, 11)),
        *(CaseFilter(scope=COUNTRY_VIEW, reported_from=day, reported_to=day) for day in days),
    ]
    for province in (CHIANG_MAI, PHUKET):
        filters += [
            CaseFilter(scope=COUNTRY_VIEW, province_code=province, **year(number)),
            CaseFilter(scope=CaseScope(province_code=province), **year(number)),
            CaseFilter(scope=CaseScope(province_code=province), province_code=province, **year(number)),
            *(CaseFilter(scope=CaseScope(province_code=province), reported_from=day, reported_to=day) for day in days),
        ]
    for case_filter in filters:
        await both_ways(connection, case_filter, today)


async def rolled_up(connection: asyncpg.Connection, area: str, number: int) -> dict:
    """The precounted rows of an area in a year: {(day, type, status): cases}, zeros left out."""
    rows = await connection.fetch(
        "SELECT day, incident_type_code, status, cases FROM case_day_counts"
        " WHERE area = $1 AND day BETWEEN $2 AND $3 AND cases <> 0",
        area, date(number, 1, 1), date(number, 12, 31),
    )
    return {(row["day"], row["incident_type_code"], row["status"]): row["cases"] for row in rows}


WAITS = [None, 0, -5, 0.4, 59.6, 60, 60.2, 61, 179.9, 180, 181, 599, 600, 601, 1799, 1800, 3600, 3601, 7200, 90000]


async def test_precounted_figures_equal_counting_the_cases(station: Station) -> None:
    # 1975: every status, type (and none), province (and none), wait (none, skewed, fractional,
    # on and beside each bucket's edge, over a day), around Thailand's midnight.
    draw = random.Random(1975)
    moments = [thai(date(1975, 6, 10), 23, 59, 59.5), thai(date(1975, 6, 11), 0, 0), thai(date(1975, 6, 11), 7, 0),
               thai(date(1975, 6, 10), 6, 59, 59), thai(date(1975, 3, 2), 12, 0)]
    for n in range(120):
        wait = WAITS[n % len(WAITS)]
        status = draw.choice(list(CaseStatus)) if wait is not None else draw.choice([CaseStatus.NEW, CaseStatus.CLOSED])
        await station.add_case(
            moments[n % len(moments)], status, incident_type_code=draw.choice(["THREAT_ASSAULT", "DETENTION", None]),
            province_code=draw.choice([CHIANG_MAI, PHUKET, None]),
            acknowledged_after=None if wait is None else timedelta(seconds=wait),
        )

    await assert_agree_everywhere(station.connection, 1975, today=date(1975, 6, 11))

    counters, per_day, _, per_province, waits = await both_ways(
        station.connection, CaseFilter(scope=COUNTRY_VIEW, **year(1975)), date(1975, 6, 11))
    assert counters.total == 120
    assert counters.today == 48  # 00:00 and 07:00 Thai time on 11 June, 24 of each
    assert per_day[0] == DayCount(date(1975, 3, 2), 24)
    assert [d.cases for d in per_day[-2:]] == [48, 48]  # 06:59:59 and 23:59:59.5 on the 10th; the 11th
    assert sum(p.cases for p in per_province) == 120
    assert waits.acknowledged == 114  # the six cases without an acknowledgement left out
    no_such_province = CaseFilter(scope=COUNTRY_VIEW, province_code="TH", **year(1975))
    assert (await case_counters(station.connection, no_such_province, date(1975, 6, 11))).total == 0


async def test_the_country_and_a_province_are_precounted_but_a_station_or_a_team_is_not() -> None:
    assert CaseFilter(scope=COUNTRY_VIEW).precounted_area == "TH"
    assert CaseFilter(scope=COUNTRY_VIEW, province_code=PHUKET).precounted_area == PHUKET
    assert CaseFilter(scope=CaseScope(province_code=PHUKET)).precounted_area == PHUKET
    assert CaseFilter(scope=CaseScope(province_code=PHUKET), province_code=PHUKET).precounted_area == PHUKET
    assert CaseFilter(scope=CaseScope(province_code=PHUKET), province_code=CHIANG_MAI).precounted_area is None
    assert CaseFilter(scope=CaseScope(station_id=7)).precounted_area is None
    assert CaseFilter(scope=CaseScope(province_code=PHUKET, forwarded_only=True)).precounted_area is None
    assert CaseFilter(scope=CaseScope(nothing=True)).precounted_area is None
    assert CaseFilter(scope=COUNTRY_VIEW, province_code="TH").precounted_area is None  # no such province


async def test_status_changes_move_a_case_between_counters(station: Station) -> None:
    connection = station.connection
    day = date(1976, 6, 10)
    new, other = await station.add_case(thai(day)), await station.add_case(thai(day), CaseStatus.ACKNOWLEDGED,
                                                                           acknowledged_after=timedelta(minutes=4))
    # As the case store does: the status first, then the acknowledgement, in one transaction.
    async with connection.transaction():
        await connection.execute("UPDATE cases SET status = 'ACKNOWLEDGED' WHERE case_no = $1", new)
        await connection.execute(
            "UPDATE cases SET acknowledged_at = reported_at + interval '90 seconds' WHERE case_no = $1", new)
    await connection.execute("UPDATE cases SET status = 'CLOSED', closed_at = now() WHERE case_no = $1", other)

    counters, *_, waits = await both_ways(connection, CaseFilter(scope=COUNTRY_VIEW, **year(1976)), day)
    assert (counters.new, counters.acknowledged, counters.closed) == (0, 1, 1)
    assert [b.cases for b in waits.buckets][:3] == [0, 1, 1]
    assert await rolled_up(connection, CHIANG_MAI, 1976) == {
        (day, "THREAT_ASSAULT", "ACKNOWLEDGED"): 1, (day, "THREAT_ASSAULT", "CLOSED"): 1}

    # And back: an acknowledgement withdrawn by hand leaves the waits too.
    await connection.execute("UPDATE cases SET status = 'NEW', acknowledged_at = NULL WHERE case_no = $1", new)
    counters, *_, waits = await both_ways(connection, CaseFilter(scope=COUNTRY_VIEW, **year(1976)), day)
    assert (counters.new, counters.acknowledged, counters.closed, waits.acknowledged) == (1, 0, 1, 1)
    await assert_agree_everywhere(connection, 1976, today=day)


async def test_a_case_moved_to_another_province_counts_there_only(station: Station) -> None:
    connection = station.connection
    day = date(1977, 6, 10)
    moved = await station.add_case(thai(day), CaseStatus.ACKNOWLEDGED, acknowledged_after=timedelta(seconds=30))
    await station.add_case(thai(day), province_code=PHUKET)
    await connection.execute("UPDATE cases SET province_code = $2, district_code = NULL WHERE case_no = $1",
                             moved, PHUKET)

    per_province = (await both_ways(connection, CaseFilter(scope=COUNTRY_VIEW, **year(1977)), day))[3]
    assert [(p.code, p.cases) for p in per_province] == [(PHUKET, 2)]
    chiang_mai = await both_ways(connection, CaseFilter(scope=CaseScope(province_code=CHIANG_MAI), **year(1977)), day)
    assert (chiang_mai[0].total, chiang_mai[4].acknowledged) == (0, 0)
    phuket = await both_ways(connection, CaseFilter(scope=CaseScope(province_code=PHUKET), **year(1977)), day)
    assert (phuket[0].total, phuket[4].acknowledged) == (2, 1)
    assert await rolled_up(connection, CHIANG_MAI, 1977) == {}

    # Out of every province: only the country counts it, as "province unknown".
    await connection.execute("UPDATE cases SET province_code = NULL WHERE case_no = $1", moved)
    per_province = (await both_ways(connection, CaseFilter(scope=COUNTRY_VIEW, **year(1977)), day))[3]
    assert [(p.code, p.cases) for p in per_province] == [(PHUKET, 1), (None, 1)]
    await assert_agree_everywhere(connection, 1977, today=day)


async def test_deleted_cases_are_no_longer_counted(station: Station) -> None:
    connection = station.connection
    day = date(1978, 6, 10)
    kept = await station.add_case(thai(day), CaseStatus.CLOSED, acknowledged_after=timedelta(minutes=20))
    gone = [await station.add_case(thai(day), CaseStatus.CLOSED, acknowledged_after=timedelta(minutes=20))
            for _ in range(3)]
    await connection.execute("DELETE FROM cases WHERE case_no = ANY($1::text[])", gone)

    counters, per_day, *_, waits = await both_ways(connection, CaseFilter(scope=COUNTRY_VIEW, **year(1978)), day)
    assert (counters.total, counters.closed, waits.acknowledged, waits.median_seconds) == (1, 1, 1, 1200)
    assert per_day == [DayCount(day, 1)]
    await connection.execute("DELETE FROM cases WHERE case_no = $1", kept)
    counters, per_day, per_type, per_province, waits = await both_ways(
        connection, CaseFilter(scope=COUNTRY_VIEW, **year(1978)), day)
    assert (counters.total, per_day, per_province, waits.acknowledged) == (0, [], [], 0)
    assert all(t.cases == 0 for t in per_type)


async def test_a_report_time_moved_across_thai_midnight_moves_the_case_to_that_day(station: Station) -> None:
    connection = station.connection
    case_no = await station.add_case(thai(date(1979, 6, 10), 23, 59, 59.999), CaseStatus.ACKNOWLEDGED,
                                     acknowledged_after=timedelta(seconds=120))
    assert (await both_ways(connection, CaseFilter(scope=COUNTRY_VIEW, **year(1979)), date(1979, 6, 10)))[1] == [
        DayCount(date(1979, 6, 10), 1)]

    await connection.execute("UPDATE cases SET reported_at = $2 WHERE case_no = $1", case_no,
                             thai(date(1979, 6, 11), 0, 0, 0))
    counters, per_day, *_, waits = await both_ways(
        connection, CaseFilter(scope=COUNTRY_VIEW, **year(1979)), date(1979, 6, 11))
    assert per_day == [DayCount(date(1979, 6, 11), 1)]
    assert counters.today == 1
    assert waits.median_seconds == 120  # acknowledged_at stayed: 119.999 s, rounded up
    await assert_agree_everywhere(connection, 1979, today=date(1979, 6, 11))


async def test_one_statement_writing_many_cases_counts_each_once(station: Station) -> None:
    connection = station.connection
    day = date(1980, 6, 10)
    await connection.execute(
        """
        INSERT INTO cases (case_no, conversation_id, reporter_key, line_user_id, incident_type_code, status, complete,
                           latitude, longitude, province_code, reported_at, station_id, acknowledged_at)
        SELECT 'ESS-T' || $1 || n, 'conversation-' || $1 || n, 'reporter', 'U', 'DETENTION',
               CASE WHEN n % 2 = 0 THEN 'NEW' ELSE 'ACKNOWLEDGED' END, true, 18.79, 98.98,
               CASE WHEN n % 3 = 0 THEN $2 ELSE $3 END, $4::timestamptz + n * interval '1 hour', $5,
               CASE WHEN n % 2 = 1 THEN $4::timestamptz + n * interval '1 hour' + n * interval '7 seconds' END
        FROM generate_series(1, 50) AS n
        """,
        uuid.uuid4().hex[:10].upper(), PHUKET, CHIANG_MAI, thai(day, 0), station.station_id,
    )
    # One statement swapping statuses both ways: per key, some changes cancel out.
    await connection.execute(
        "UPDATE cases SET status = CASE status WHEN 'NEW' THEN 'ACKNOWLEDGED' ELSE 'NEW' END,"
        " acknowledged_at = CASE WHEN acknowledged_at IS NULL THEN reported_at + interval '5 seconds' END"
        " WHERE station_id = $1 AND reported_at >= $2", station.station_id, thai(day, 0))

    counters, per_day, *_, waits = await both_ways(connection, CaseFilter(scope=COUNTRY_VIEW, **year(1980)), day)
    assert (counters.total, counters.new, counters.acknowledged, waits.acknowledged) == (50, 25, 25, 25)
    assert sum(d.cases for d in per_day) == 50
    await assert_agree_everywhere(connection, 1980, today=day)


async def test_updates_of_columns_not_counted_leave_the_counts_untouched(station: Station) -> None:
    connection = station.connection
    case_no = await station.add_case(thai(date(1981, 6, 10)), CaseStatus.ACKNOWLEDGED,
                                     acknowledged_after=timedelta(seconds=45))
    versions = "SELECT array_agg(xmin::text ORDER BY xmin::text) FROM {} WHERE area = $1 AND day = $2"
    tables = ("case_day_counts", "case_day_ack_minutes", "case_day_ack_seconds")
    before = [await connection.fetchval(versions.format(t), CHIANG_MAI, date(1981, 6, 10)) for t in tables]

    await connection.execute("UPDATE cases SET escalation_level = 2, review_flag = true, outcome_note = 'x',"
                             " updated_at = now() WHERE case_no = $1", case_no)

    assert [await connection.fetchval(versions.format(t), CHIANG_MAI, date(1981, 6, 10)) for t in tables] == before
    assert all(before)


async def test_percentiles_straddling_minutes_and_hours_match_percentile_cont(station: Station) -> None:
    connection = station.connection
    day = date(1982, 6, 10)
    # The median's two neighbours in different minutes, the 90th percentile past an hour.
    waits = [5, 59.5, 60.5, 61, 119, 120.2, 121, 3500, 3601.5, 3700, 86400 * 2]
    for wait in waits:
        await station.add_case(thai(day, 9), CaseStatus.CLOSED, province_code=PHUKET,
                               acknowledged_after=timedelta(seconds=wait))
    await station.add_case(thai(day, 9), CaseStatus.PRANK, province_code=PHUKET,
                           acknowledged_after=timedelta(seconds=-3))  # a clock skew counts as 0 s

    for scope, province in ((COUNTRY_VIEW, None), (CaseScope(province_code=PHUKET), None), (COUNTRY_VIEW, PHUKET)):
        result = (await both_ways(connection, CaseFilter(scope=scope, province_code=province, **year(1982)), day))[4]
        expected = await connection.fetchrow(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS median,"
            " percentile_cont(0.9) WITHIN GROUP (ORDER BY w) AS p90 FROM unnest($1::float8[]) AS w",
            [0.0] + [float(math.ceil(w)) for w in waits],
        )
        assert (result.median_seconds, result.p90_seconds) == pytest.approx((expected["median"], expected["p90"]))
        assert [b.cases for b in result.buckets] == [3, 5, 0, 0, 1, 3]


async def test_writers_of_the_same_key_neither_deadlock_nor_lose_counts(pool: asyncpg.Pool) -> None:
    day = date(1983, 6, 10)
    key = (day, "THREAT_ASSAULT", "NEW")
    async with pool.acquire() as first, pool.acquire() as second:
        station_id = await first.fetchval(
            "INSERT INTO stations (code, name_th, name_en, province_code) VALUES ($1, 'ส', 'S', $2) RETURNING id",
            f"TEST-{uuid.uuid4().hex[:10]}", CHIANG_MAI)
        one, two = Station(first, station_id), Station(second, station_id)
        # Two transactions write cases of the same day, type and status, in two provinces, in
        # opposite orders: had either taken a province's row before the country's, each would hold
        # what the other waits for.
        first_transaction, second_transaction = first.transaction(), second.transaction()
        await first_transaction.start()
        await second_transaction.start()
        open_transactions = [first_transaction, second_transaction]
        waiting = None
        try:
            await one.add_case(thai(day), province_code=CHIANG_MAI)
            waiting = asyncio.create_task(two.add_case(thai(day), province_code=PHUKET))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # it waits for the first transaction's rows
            await one.add_case(thai(day), province_code=PHUKET)
            await open_transactions.pop(0).commit()
            await asyncio.wait_for(waiting, timeout=5)
            await open_transactions.pop(0).commit()
        finally:
            if waiting is not None and not waiting.done():
                waiting.cancel()
            for transaction in open_transactions:
                await transaction.rollback()

    async def insert_and_linger() -> None:
        async with pool.acquire() as connection, connection.transaction():
            await Station(connection, station_id).add_case(thai(day), province_code=PHUKET)
            await asyncio.sleep(0.05)  # holding the rows while the others queue for them

    await asyncio.gather(*(insert_and_linger() for _ in range(6)))

    async with pool.acquire() as connection:
        assert (await rolled_up(connection, "TH", 1983), await rolled_up(connection, PHUKET, 1983),
                await rolled_up(connection, CHIANG_MAI, 1983)) == ({key: 9}, {key: 8}, {key: 1})
        await both_ways(connection, CaseFilter(scope=COUNTRY_VIEW, **year(1983)), day)


async def test_the_migration_counts_the_cases_already_there(postgres_url: str) -> None:
    name = f"rollup_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_url)
    await admin.execute(f"CREATE DATABASE {name}")
    connection = await asyncpg.connect(postgres_url, database=name)
    try:
        migrations = available_migrations()
        rollup = next(n for n, (version, _) in enumerate(migrations) if version == "0005_case_day_counts")
        for _, sql in migrations[:rollup]:
            await connection.execute(sql)
        await connection.execute(
            "INSERT INTO provinces VALUES ('50', 'เชียงใหม่', 'Chiang Mai');"
            "INSERT INTO districts VALUES ('5001', '50', 'เมืองเชียงใหม่', 'Mueang Chiang Mai');"
            "INSERT INTO incident_types (code, label_th, label_en) VALUES ('DETENTION', 'ก', 'D')")
        station = Station(connection, station_id=None)  # type: ignore[arg-type] - no stations in this database
        for n, wait in enumerate(WAITS):
            await station.add_case(thai(date(2001, 6, 10), 23, 59 - n % 2), CaseStatus.CLOSED,
                                   incident_type_code="DETENTION" if n % 3 else None,
                                   province_code=CHIANG_MAI if n % 4 else None,
                                   acknowledged_after=None if wait is None else timedelta(seconds=wait))

        await connection.execute(migrations[rollup][1])

        for scope in (COUNTRY_VIEW, CaseScope(province_code=CHIANG_MAI)):
            counters, *_ = await both_ways(connection, CaseFilter(scope=scope), date(2001, 6, 10))
            assert counters.total == (len(WAITS) if scope is COUNTRY_VIEW else 15)
    finally:
        await connection.close()
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()
