"""The case dashboard's figures: counters, cases per day, per incident type, per province, and how
long cases waited to be acknowledged, for the cases a user may see within the filter they chose.

Days are Thailand days (UTC+7): a case reported at 23:30 Thai time counts on that day even though
it is still the day before in UTC.

Each figure is written once, over the rows it counts (_Counted):
- precounted, for the whole country or one province: the per-day counts that triggers keep beside
  the cases (migration 0005_case_day_counts), a few thousand rows however many cases there are,
  each holding a number of cases; they give what counting the cases would give in the same snapshot;
- the cases themselves, each one case, for a station (few cases), a team's forwarded cases, a scope
  that sees nothing, and whenever precounted=False is asked for; each query is shaped to read an
  index rather than the table (migration 0004_dashboard_indexes).
Only where the two are stored differently does the counting differ: cases per day (a day is a
column of the precounted rows, a range of timestamps of the cases) and the waits to acknowledgement
(precounted per minute and per second).
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import asyncpg

from database.sql import Conditions
from domain.clock import THAILAND, thai_midnight
from domain.models import CaseStatus
from domain.scope import CaseScope

NOT_STATED = ("ไม่ระบุ", "Not stated")
PROVINCE_UNKNOWN = ("ไม่ทราบจังหวัด", "Province unknown")
COUNTRY = "TH"  # the precounted rows of the whole country (the others are a province's)
PROVINCE_CODE = re.compile(r"[0-9]{2}")  # as the provinces table checks them


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

    @property
    def precounted_area(self) -> str | None:
        """The area of the precounted rows holding exactly this filter's cases: a province, or the
        whole country; None when only the cases can answer (a station, forwarded cases only, a
        scope that sees nothing, or a province outside the user's own, which holds nothing)."""
        scope = self.scope
        if scope.nothing or scope.forwarded_only or scope.station_id is not None:
            return None
        if scope.province_code and self.province_code and scope.province_code != self.province_code:
            return None
        province = scope.province_code or self.province_code
        if province is None:
            return COUNTRY
        # Anything but a province code (say "TH") names no province's rows, and holds no case.
        return province if PROVINCE_CODE.fullmatch(province) else None

    def add_day_conditions(self, conditions: Conditions, alias: str) -> None:
        """The report-date range on a precounted table's `day`."""
        if self.reported_from is not None:
            conditions.add(f"{alias}.day >= {{}}", self.reported_from)
        if self.reported_to is not None:
            conditions.add(f"{alias}.day <= {{}}", self.reported_to)


@dataclass(frozen=True)
class _Counted:
    """The rows a figure counts for a filter: an area's precounted rows, each holding a number of
    cases, or (area None) the cases themselves, each one case."""

    case_filter: CaseFilter
    area: str | None  # the precounted area (CaseFilter.precounted_area); None: the cases are counted

    @classmethod
    def choose(cls, case_filter: CaseFilter, precounted: bool) -> _Counted:
        return cls(case_filter, case_filter.precounted_area if precounted else None)

    @property
    def precounted(self) -> bool:
        return self.area is not None

    def table(self, precounted_table: str = "case_day_counts") -> str:
        return precounted_table if self.precounted else "cases"

    def cases(self, alias: str) -> str:
        """The aggregate that counts the cases among the rows under `alias`."""
        return f"sum({alias}.cases)" if self.precounted else "count(*)"

    def add_conditions(self, conditions: Conditions, alias: str, *, day: date | None = None,
                       by_province: bool = False) -> None:
        """The filter's rows under `alias`: within its date range, or only those of `day` (which
        may lie outside the range) when given. by_province: the precounted rows are
        case_day_province_counts, kept per province and not per area (the country is all of them)."""
        if not self.precounted:
            self.case_filter.add_conditions(conditions, alias, with_dates=day is None)
            if day is not None:
                conditions.add(f"{alias}.reported_at >= {{}}", thai_midnight(day))
                conditions.add(f"{alias}.reported_at < {{}}", thai_midnight(day + timedelta(days=1)))
            return
        if not by_province:
            conditions.add(f"{alias}.area = {{}}", self.area)
        elif self.area != COUNTRY:
            conditions.add(f"{alias}.province_code = {{}}", self.area)
        if day is None:
            self.case_filter.add_day_conditions(conditions, alias)
        else:
            conditions.add(f"{alias}.day = {{}}", day)


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
    forwarded: int  # forwarded to the multidisciplinary team, waiting for its answer
    handed_over: int  # accepted by the team: the police part over, the victim in the team's care
    returned: int  # handed back by the multidisciplinary team, open again at the station

    def of_status(self, status: CaseStatus) -> int:
        return getattr(self, status.value.lower())


async def case_counters(connection: asyncpg.Connection, case_filter: CaseFilter, today: date, *,
                        precounted: bool = True) -> CaseCounters:
    """All counters in one query: one pass over the filtered cases (or their per-day counts), and
    today's count beside it (today may lie outside the chosen range, so it is counted on its own)."""
    counted = _Counted.choose(case_filter, precounted)
    where = Conditions()
    counted.add_conditions(where, "r")
    todays = Conditions()
    todays.parameters = where.parameters  # one statement, one list of parameters
    counted.add_conditions(todays, "t", day=today)
    cases = counted.cases("r")
    # Status values come from the enum, never from the caller.
    per_status = ",\n".join(
        f"coalesce({cases} FILTER (WHERE r.status = '{status.value}'), 0)::bigint AS {status.value.lower()}"
        for status in CaseStatus
    )
    row = await _fetchrow(
        connection,
        f"""
        SELECT coalesce({cases}, 0)::bigint AS total,
               (SELECT coalesce({counted.cases("t")}, 0)::bigint FROM {counted.table()} t
                WHERE {todays.sql()}) AS today,
               {per_status}
        FROM {counted.table()} r
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


async def cases_per_day(connection: asyncpg.Connection, case_filter: CaseFilter, *,
                        precounted: bool = True) -> list[DayCount]:
    """Cases per Thailand day, oldest first: every day from the day of the first case found to the
    day of the last, days without a case in between included as 0. Days of the chosen range before
    the first case or after the last are left out; no case at all gives an empty list."""
    counted = _Counted.choose(case_filter, precounted)
    per_day = await (_days_precounted(connection, counted) if counted.precounted
                     else _days_from_cases(connection, counted))
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [DayCount(day=day, cases=per_day.get(day, 0)) for day in days]


async def _days_precounted(connection: asyncpg.Connection, counted: _Counted) -> dict[date, int]:
    """{Thailand day: cases} for the days with a case: the precounted rows grouped by their day."""
    where = Conditions()
    counted.add_conditions(where, "r")
    rows = await _fetch(
        connection,
        f"""
        SELECT r.day, sum(r.cases)::bigint AS cases FROM case_day_counts r WHERE {where.sql()}
        GROUP BY r.day HAVING sum(r.cases) > 0
        """,
        where.parameters,
    )
    return {row["day"]: row["cases"] for row in rows}


async def _days_from_cases(connection: asyncpg.Connection, counted: _Counted) -> dict[date, int]:
    """{Thailand day: cases} from the first case's day to the last's. Each day is counted on its
    own index range: cheaper than grouping every case by a computed day."""
    where = Conditions()
    counted.add_conditions(where, "c")
    first, last = await _fetchrow(
        connection, f"SELECT min(c.reported_at), max(c.reported_at) FROM cases c WHERE {where.sql()}", where.parameters
    )
    if first is None:
        return {}
    per_day = Conditions()
    counted.case_filter.add_conditions(per_day, with_dates=False)  # each day lies within the range already
    per_day.add("c.reported_at >= day_start")
    per_day.add("c.reported_at < day_start + interval '24 hours'")
    per_day.parameters.extend([thai_midnight(thai_day(first)), thai_midnight(thai_day(last))])
    first_day, last_day = f"${len(per_day.parameters) - 1}", f"${len(per_day.parameters)}"
    rows = await _fetch(
        connection,
        f"""
        SELECT day_start, (SELECT count(*) FROM cases c WHERE {per_day.sql()}) AS cases
        FROM generate_series({first_day}::timestamptz, {last_day}::timestamptz, interval '24 hours') AS day_start
        """,
        per_day.parameters,
    )
    return {thai_day(row["day_start"]): row["cases"] for row in rows}


async def cases_per_type(connection: asyncpg.Connection, case_filter: CaseFilter, *,
                         precounted: bool = True) -> list[TypeCount]:
    """Every active incident type (0 when none), any retired type that still has cases, then the
    cases whose type was never stated (only when there are some), in the administrators' order."""
    counted = _Counted.choose(case_filter, precounted)
    where = Conditions()
    counted.add_conditions(where, "r")
    per_type = f"""
        SELECT r.incident_type_code AS code, {counted.cases("r")}::bigint AS cases
        FROM {counted.table()} r WHERE {where.sql()}
        GROUP BY r.incident_type_code HAVING {counted.cases("r")} > 0"""
    where.parameters.extend(NOT_STATED)
    label_th, label_en = f"${len(where.parameters) - 1}", f"${len(where.parameters)}"
    rows = await _fetch(
        connection,
        f"""
        WITH counted AS ({per_type})
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


async def cases_per_province(connection: asyncpg.Connection, case_filter: CaseFilter, *,
                             precounted: bool = True) -> list[ProvinceCount]:
    """Provinces with at least one case, biggest first."""
    counted = _Counted.choose(case_filter, precounted)
    where = Conditions()
    # The precounted area's rows per province (the country's rows cannot tell them apart).
    counted.add_conditions(where, "r", by_province=True)
    per_province = f"""
        SELECT r.province_code AS code, {counted.cases("r")}::bigint AS cases
        FROM {counted.table("case_day_province_counts")} r WHERE {where.sql()}
        GROUP BY r.province_code HAVING {counted.cases("r")} > 0"""
    rows = await _fetch(
        connection,
        f"""
        WITH counted AS ({per_province})
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
    # (seconds, cases), ascending; exact at every whole minute (see _waits_precounted)
    histogram: list[tuple[int, int]] = field(default_factory=list, repr=False, compare=False)

    def within(self, minutes: int) -> int:
        """How many were acknowledged within this many minutes (a service level)."""
        return sum(cases for seconds, cases in self.histogram if seconds <= minutes * 60)


# (inclusive upper bound in seconds, Thai label, English label)
ACKNOWLEDGE_BUCKETS: tuple[tuple[int | None, str, str], ...] = (
    (60, "ไม่เกิน 1 นาที", "1 min or less"),
    (180, "มากกว่า 1 ถึง 3 นาที", "Over 1 to 3 min"),
    (600, "มากกว่า 3 ถึง 10 นาที", "Over 3 to 10 min"),
    (1800, "มากกว่า 10 ถึง 30 นาที", "Over 10 to 30 min"),
    (3600, "มากกว่า 30 ถึง 60 นาที", "Over 30 to 60 min"),
    (None, "มากกว่า 60 นาที", "Over 60 min"),
)
# The precounted waits are per minute: a bucket ending inside a minute could not be counted exactly.
assert all(limit is None or limit % 60 == 0 for limit, _, _ in ACKNOWLEDGE_BUCKETS)
PERCENTILES = (0.5, 0.9)  # the median and the 90th percentile


async def time_to_acknowledge(connection: asyncpg.Connection, case_filter: CaseFilter, *,
                              precounted: bool = True) -> AcknowledgeTimes:
    """How long the filter's cases waited from report to acknowledgement.

    acknowledged_at stays set when a case is later closed (or marked not found, prank, forwarded),
    so every case ever acknowledged counts, whatever its status now. Cases closed without an
    acknowledgement have none and are left out.

    Everything is read from the number of cases per whole second of waiting (rounded up, so "1
    minute or less" is exact; the database's acknowledge_wait_seconds) rather than by sorting every
    case. The median and 90th percentile interpolate as percentile_cont does, to the second. A
    clock skew that puts the acknowledgement before the report counts as 0 s."""
    counted = _Counted.choose(case_filter, precounted)
    histogram = await (_waits_precounted(connection, counted) if counted.precounted
                       else _waits_from_cases(connection, counted))
    acknowledged = sum(cases for _, cases in histogram)
    median, p90 = (_percentile(histogram, acknowledged, fraction) for fraction in PERCENTILES)
    return AcknowledgeTimes(acknowledged=acknowledged, buckets=_buckets(histogram), median_seconds=median,
                            p90_seconds=p90, histogram=histogram)


async def _waits_from_cases(connection: asyncpg.Connection, counted: _Counted) -> list[tuple[int, int]]:
    """(seconds, cases) for every second of waiting some case took, ascending."""
    where = Conditions()
    counted.add_conditions(where, "c")
    where.add("c.acknowledged_at IS NOT NULL")
    rows = await _fetch(
        connection,
        f"""
        SELECT acknowledge_wait_seconds(c.reported_at, c.acknowledged_at) AS seconds, count(*) AS cases
        FROM cases c WHERE {where.sql()}
        GROUP BY 1
        ORDER BY 1
        """,
        where.parameters,
    )
    return [(row["seconds"], row["cases"]) for row in rows]


async def _waits_precounted(connection: asyncpg.Connection, counted: _Counted) -> list[tuple[int, int]]:
    """The same histogram where it matters, from the waits counted per minute and per second.

    The per-minute counts give the total and the buckets (which end on whole minutes). The
    percentiles need the values at four ranks only (percentile_cont's two neighbours of each), so
    only the minutes holding those ranks are read per second; every other minute stands in the
    histogram as one entry: its count, at its last second (right for its bucket), never read as
    a percentile. One statement, so both resolutions come from the same snapshot; the ranks are
    worked out in float8 exactly as _percentile works them out in Python (IEEE 754 doubles both)."""
    minutes_where, seconds_where = Conditions(), Conditions()  # the same parameters, two aliases
    counted.add_conditions(minutes_where, "r")
    counted.add_conditions(seconds_where, "s")
    fractions = f"${len(minutes_where.parameters) + 1}"
    rows = await _fetch(
        connection,
        f"""
        WITH minutes AS (
            SELECT r.minute, sum(r.cases)::bigint AS cases FROM case_day_ack_minutes r WHERE {minutes_where.sql()}
            GROUP BY r.minute HAVING sum(r.cases) > 0
        ), placed AS (
            SELECT minute, cases, sum(cases) OVER (ORDER BY minute) AS through FROM minutes
        ), ranks AS (
            SELECT DISTINCT rank
            FROM (SELECT sum(cases)::float8 AS total FROM minutes) AS counted,
                 unnest({fractions}::float8[]) AS fraction,
                 LATERAL (VALUES (floor(fraction * (total - 1))), (ceil(fraction * (total - 1)))) AS r (rank)
            WHERE total > 0
        ), wanted AS (
            SELECT DISTINCT p.minute FROM ranks JOIN placed p ON ranks.rank >= p.through - p.cases
                                                          AND ranks.rank < p.through
        )
        SELECT minute, NULL::bigint AS seconds, cases FROM minutes
        UNION ALL
        SELECT w.minute, s.seconds, sum(s.cases)::bigint
        FROM wanted w JOIN case_day_ack_seconds s
             ON s.seconds BETWEEN greatest(w.minute * 60 - 59, 0) AND w.minute * 60
        WHERE {seconds_where.sql()}
        GROUP BY w.minute, s.seconds HAVING sum(s.cases) > 0
        ORDER BY 1, 2 NULLS FIRST
        """,
        [*minutes_where.parameters, list(PERCENTILES)],
    )
    histogram: list[tuple[int, int]] = []
    resolved: set[int] = set()
    for row in rows:
        if row["seconds"] is not None:
            if row["minute"] not in resolved:
                histogram.pop()  # the minute's one entry gives way to its seconds
                resolved.add(row["minute"])
            histogram.append((row["seconds"], row["cases"]))
        else:
            histogram.append((row["minute"] * 60, row["cases"]))  # the minute's last second: its bucket
    return histogram


def _buckets(histogram: list[tuple[int, int]]) -> list[AcknowledgeBucket]:
    counts = [0] * len(ACKNOWLEDGE_BUCKETS)
    for seconds, cases in histogram:
        index = next(i for i, (limit, _, _) in enumerate(ACKNOWLEDGE_BUCKETS) if limit is None or seconds <= limit)
        counts[index] += cases
    return [
        AcknowledgeBucket(label_th=label_th, label_en=label_en, up_to_seconds=limit, cases=count)
        for (limit, label_th, label_en), count in zip(ACKNOWLEDGE_BUCKETS, counts, strict=True)
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
