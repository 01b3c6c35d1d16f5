"""The case dashboard's figures: counters, cases per day, per incident type, per province, and how
long cases waited to be acknowledged, for the cases a user may see within the filter they chose.

Days are Thailand days (UTC+7): a case reported at 23:30 Thai time counts on that day even though
it is still the day before in UTC. Each figure is one aggregate query shaped to read an index
rather than the table (see migration 0004_dashboard_indexes); the numbers behind that choice are
in the migration's comment.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg

from database.sql import Conditions
from domain.clock import THAILAND, thai_midnight
from domain.models import CaseStatus
from domain.scope import CaseScope

NOT_STATED = ("ไม่ระบุ", "Not stated")
PROVINCE_UNKNOWN = ("ไม่ทราบจังหวัด", "Province unknown")


def thai_day(moment: datetime) -> date:
    return moment.astimezone(THAILAND).date()


@dataclass(frozen=True)
class CaseFilter:
    """What the dashboard's filter chose, within what the user may see."""

    scope: CaseScope
    province_code: str | None = None  # a province chosen in the filter; None: every province in scope
    reported_from: date | None = None  # first Thailand day, inclusive
    reported_to: date | None = None  # last Thailand day, inclusive

    def add_conditions(self, conditions: Conditions, alias: str = "c", *, with_dates: bool = True) -> None:
        """The scope, the province and (unless with_dates=False) the report-date range, as SQL on
        `alias`. The range becomes a half-open interval of timestamps so an index on reported_at
        serves it."""
        conditions.add_scope(self.scope, alias)
        if self.province_code is not None:
            conditions.add(f"{alias}.province_code = {{}}", self.province_code)
        if with_dates and self.reported_from is not None:
            conditions.add(f"{alias}.reported_at >= {{}}", thai_midnight(self.reported_from))
        if with_dates and self.reported_to is not None:
            conditions.add(f"{alias}.reported_at < {{}}", thai_midnight(self.reported_to + timedelta(days=1)))


# --- Counters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseCounters:
    total: int  # every case within the filter
    today: int  # reported today (Thailand day), within scope and province whatever the date range
    new: int
    acknowledged: int
    closed: int
    not_found: int
    prank: int
    forwarded: int

    def of_status(self, status: CaseStatus) -> int:
        return getattr(self, status.value.lower())


async def case_counters(connection: asyncpg.Connection, case_filter: CaseFilter, today: date) -> CaseCounters:
    """All counters in one query: one pass over the filtered cases, and today's count beside it
    (today may lie outside the chosen range, so it is counted on its own index range)."""
    where = Conditions()
    case_filter.add_conditions(where)
    todays = Conditions()
    todays.parameters = where.parameters  # one statement, one list of parameters
    case_filter.add_conditions(todays, "t", with_dates=False)
    todays.add("t.reported_at >= {}", thai_midnight(today))
    todays.add("t.reported_at < {}", thai_midnight(today + timedelta(days=1)))
    # Status values come from the enum, never from the caller.
    per_status = ",\n".join(
        f"count(*) FILTER (WHERE c.status = '{status.value}') AS {status.value.lower()}" for status in CaseStatus
    )
    row = await _fetchrow(
        connection,
        f"""
        SELECT count(*) AS total,
               (SELECT count(*) FROM cases t WHERE {todays.sql()}) AS today,
               {per_status}
        FROM cases c
        WHERE {where.sql()}
        """,
        where.parameters,
    )
    return CaseCounters(**dict(row))


# --- Per day, per type, per province ----------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    day: date  # Thailand day
    cases: int


@dataclass(frozen=True)
class TypeCount:
    code: str | None  # None: the reporter never said
    label_th: str
    label_en: str
    cases: int


@dataclass(frozen=True)
class ProvinceCount:
    code: str | None  # None: the location fell in no known province
    name_th: str
    name_en: str
    cases: int


async def cases_per_day(connection: asyncpg.Connection, case_filter: CaseFilter) -> list[DayCount]:
    """Cases per Thailand day, oldest first: every day from the day of the first case found to the
    day of the last, days without a case in between included as 0. Days of the chosen range before
    the first case or after the last are left out; no case at all gives an empty list.

    Each day is counted on its own index range: cheaper than grouping every case by a computed day."""
    where = Conditions()
    case_filter.add_conditions(where)
    first, last = await _fetchrow(
        connection, f"SELECT min(c.reported_at), max(c.reported_at) FROM cases c WHERE {where.sql()}", where.parameters
    )
    if first is None:
        return []
    per_day = Conditions()
    case_filter.add_conditions(per_day, with_dates=False)  # each day lies within the range already
    per_day.add("c.reported_at >= day_start")
    per_day.add("c.reported_at < day_start + interval '24 hours'")
    per_day.parameters.extend([thai_midnight(thai_day(first)), thai_midnight(thai_day(last))])
    first_day, last_day = f"${len(per_day.parameters) - 1}", f"${len(per_day.parameters)}"
    rows = await _fetch(
        connection,
        f"""
        SELECT day_start, (SELECT count(*) FROM cases c WHERE {per_day.sql()}) AS cases
        FROM generate_series({first_day}::timestamptz, {last_day}::timestamptz, interval '24 hours') AS day_start
        ORDER BY day_start
        """,
        per_day.parameters,
    )
    return [DayCount(day=thai_day(row["day_start"]), cases=row["cases"]) for row in rows]


async def cases_per_type(connection: asyncpg.Connection, case_filter: CaseFilter) -> list[TypeCount]:
    """Every active incident type (0 when none), any retired type that still has cases, then the
    cases whose type was never stated (only when there are some), in the administrators' order."""
    where = Conditions()
    case_filter.add_conditions(where)
    where.parameters.extend(NOT_STATED)
    label_th, label_en = f"${len(where.parameters) - 1}", f"${len(where.parameters)}"
    rows = await _fetch(
        connection,
        f"""
        WITH counted AS (
            SELECT c.incident_type_code AS code, count(*) AS cases
            FROM cases c WHERE {where.sql()}
            GROUP BY c.incident_type_code
        )
        SELECT code, label_th, label_en, cases FROM (
            SELECT t.code, t.label_th, t.label_en, coalesce(counted.cases, 0) AS cases,
                   0 AS unstated, t.sort_order
            FROM incident_types t LEFT JOIN counted ON counted.code = t.code
            WHERE t.active OR counted.cases IS NOT NULL
            UNION ALL
            SELECT NULL, {label_th}::text, {label_en}::text, counted.cases, 1, 0
            FROM counted WHERE counted.code IS NULL
        ) AS listed
        ORDER BY unstated, sort_order, code
        """,
        where.parameters,
    )
    return [TypeCount(**dict(row)) for row in rows]


async def cases_per_province(connection: asyncpg.Connection, case_filter: CaseFilter) -> list[ProvinceCount]:
    """Provinces with at least one case, biggest first."""
    where = Conditions()
    case_filter.add_conditions(where)
    rows = await _fetch(
        connection,
        f"""
        WITH counted AS (
            SELECT c.province_code AS code, count(*) AS cases
            FROM cases c WHERE {where.sql()}
            GROUP BY c.province_code
        )
        SELECT counted.code, p.name_th, p.name_en, counted.cases
        FROM counted LEFT JOIN provinces p ON p.code = counted.code
        ORDER BY counted.cases DESC, counted.code NULLS LAST
        """,
        where.parameters,
    )
    return [
        ProvinceCount(
            code=row["code"],
            name_th=row["name_th"] or PROVINCE_UNKNOWN[0],
            name_en=row["name_en"] or PROVINCE_UNKNOWN[1],
            cases=row["cases"],
        )
        for row in rows
    ]


# --- Time to acknowledge -----------------------------------------------------------------------


@dataclass(frozen=True)
class AcknowledgeBucket:
    label_th: str
    label_en: str
    up_to_seconds: int | None  # inclusive; None: no upper bound
    cases: int


@dataclass(frozen=True)
class AcknowledgeTimes:
    acknowledged: int  # cases of the filter acknowledged at some point (closed ones included)
    buckets: list[AcknowledgeBucket]
    median_seconds: float | None  # None when no case was acknowledged
    p90_seconds: float | None


# (inclusive upper bound in seconds, Thai label, English label)
ACKNOWLEDGE_BUCKETS: tuple[tuple[int | None, str, str], ...] = (
    (60, "ไม่เกิน 1 นาที", "1 min or less"),
    (180, "มากกว่า 1 ถึง 3 นาที", "Over 1 to 3 min"),
    (600, "มากกว่า 3 ถึง 10 นาที", "Over 3 to 10 min"),
    (1800, "มากกว่า 10 ถึง 30 นาที", "Over 10 to 30 min"),
    (3600, "มากกว่า 30 ถึง 60 นาที", "Over 30 to 60 min"),
    (None, "มากกว่า 60 นาที", "Over 60 min"),
)


async def time_to_acknowledge(connection: asyncpg.Connection, case_filter: CaseFilter) -> AcknowledgeTimes:
    """How long the filter's cases waited from report to acknowledgement.

    acknowledged_at stays set when a case is later closed (or marked not found, prank, forwarded),
    so every case ever acknowledged counts, whatever its status now. Cases closed without an
    acknowledgement have none and are left out.

    One query gives the number of cases per whole second of waiting (rounded up, so "1 minute or
    less" is exact); buckets and percentiles are read from that small histogram rather than by
    sorting every case. The median and 90th percentile interpolate as percentile_cont does, to
    the second. A clock skew that puts the acknowledgement before the report counts as 0 s."""
    where = Conditions()
    case_filter.add_conditions(where)
    where.add("c.acknowledged_at IS NOT NULL")
    rows = await _fetch(
        connection,
        f"""
        SELECT ceil(greatest(date_part('epoch', c.acknowledged_at - c.reported_at), 0))::bigint AS seconds,
               count(*) AS cases
        FROM cases c WHERE {where.sql()}
        GROUP BY 1
        ORDER BY 1
        """,
        where.parameters,
    )
    histogram = [(row["seconds"], row["cases"]) for row in rows]
    acknowledged = sum(cases for _, cases in histogram)
    return AcknowledgeTimes(
        acknowledged=acknowledged,
        buckets=_buckets(histogram),
        median_seconds=_percentile(histogram, acknowledged, 0.5),
        p90_seconds=_percentile(histogram, acknowledged, 0.9),
    )


def _buckets(histogram: list[tuple[int, int]]) -> list[AcknowledgeBucket]:
    counts = [0] * len(ACKNOWLEDGE_BUCKETS)
    for seconds, cases in histogram:
        index = next(i for i, (limit, _, _) in enumerate(ACKNOWLEDGE_BUCKETS) if limit is None or seconds <= limit)
        counts[index] += cases
    return [
        AcknowledgeBucket(label_th=label_th, label_en=label_en, up_to_seconds=limit, cases=count)
        for (limit, label_th, label_en), count in zip(ACKNOWLEDGE_BUCKETS, counts)
    ]


def _percentile(histogram: list[tuple[int, int]], total: int, fraction: float) -> float | None:
    """percentile_cont over the values the (ascending) histogram stands for."""
    if total == 0:
        return None
    position = fraction * (total - 1)
    below, above = _value_at(histogram, math.floor(position)), _value_at(histogram, math.ceil(position))
    return below + (above - below) * (position - math.floor(position))


def _value_at(histogram: list[tuple[int, int]], rank: int) -> int:
    """The value at a 0-based rank of the sorted values."""
    seen = 0
    for seconds, cases in histogram:
        seen += cases
        if rank < seen:
            return seconds
    raise IndexError(rank)


# --- Running the queries ------------------------------------------------------------------------


@asynccontextmanager
async def _for_aggregates(connection: asyncpg.Connection) -> AsyncIterator[None]:
    """JIT compilation costs these short scans more than it saves (tens of milliseconds on a
    national range); SET LOCAL keeps the change to this transaction."""
    async with connection.transaction():
        await connection.execute("SET LOCAL jit = off")
        yield


async def _fetch(connection: asyncpg.Connection, sql: str, parameters: list) -> list[asyncpg.Record]:
    async with _for_aggregates(connection):
        return await connection.fetch(sql, *parameters)


async def _fetchrow(connection: asyncpg.Connection, sql: str, parameters: list) -> asyncpg.Record:
    async with _for_aggregates(connection):
        row = await connection.fetchrow(sql, *parameters)
    assert row is not None  # an aggregate without GROUP BY always answers one row
    return row
