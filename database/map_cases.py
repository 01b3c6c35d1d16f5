"""What the incident map reads: the cases of its filter within the reader's scope (each has its place),
as markers (the newest, up to a limit) and, for its GeoJSON and CSV downloads, every one of them in
batches."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import date, timedelta

import asyncpg

from database.cases import add_status_filter
from database.sql import Conditions
from domain.clock import thai_midnight
from domain.scope import CaseScope

ROWS_PER_FETCH = 2000
# No phone number, no LINE user id, no notes: where and what, as the map shows it.
MAP_COLUMNS = """c.case_no, c.status, c.latitude, c.longitude, c.reported_at, c.acknowledged_at, c.closed_at,
    c.incident_type_code, t.label_th AS type_th, t.label_en AS type_en,
    p.name_th AS province_th, p.name_en AS province_en, s.name_th AS station_th, s.name_en AS station_en"""
MAP_JOINS = """LEFT JOIN incident_types t ON t.code = c.incident_type_code
    LEFT JOIN provinces p ON p.code = c.province_code
    LEFT JOIN stations s ON s.id = c.station_id"""


@dataclass(frozen=True)
class MapFilter:
    """The map's filter, within what the reader may see."""

    scope: CaseScope
    reported_from: date  # first Thailand day, inclusive
    reported_to: date | None = None  # last Thailand day, inclusive; None: up to now
    status: str | None = None  # OPEN, one status, or None: every status (database.cases.add_status_filter)
    incident_type: str | None = None  # a type's code; None: every type

    def conditions(self) -> Conditions:
        where = Conditions()
        where.add_scope(self.scope)
        add_status_filter(where, self.status)
        if self.incident_type:
            where.add("c.incident_type_code = {}", self.incident_type)
        where.add("c.reported_at >= {}", thai_midnight(self.reported_from))
        if self.reported_to is not None:
            where.add("c.reported_at < {}", thai_midnight(self.reported_to + timedelta(days=1)))
        return where


async def map_markers(connection: asyncpg.Connection, map_filter: MapFilter, *, limit: int) -> list[asyncpg.Record]:
    """At most `limit` of the filter's cases, newest first."""
    where = map_filter.conditions()
    return await connection.fetch(
        f"SELECT {MAP_COLUMNS} FROM cases c {MAP_JOINS} WHERE {where.sql()} "
        f"ORDER BY c.reported_at DESC, c.case_no DESC LIMIT {int(limit)}",
        *where.parameters,
    )


async def map_case_batches(connection: asyncpg.Connection,
                           map_filter: MapFilter) -> AsyncGenerator[list[asyncpg.Record], None]:
    """Every case of the filter, newest first, ROWS_PER_FETCH at a time (none empty), read through a
    server-side cursor inside a transaction, as PostgreSQL requires."""
    where = map_filter.conditions()
    async with connection.transaction():
        cursor = connection.cursor(
            f"SELECT {MAP_COLUMNS} FROM cases c {MAP_JOINS} WHERE {where.sql()} "
            "ORDER BY c.reported_at DESC, c.case_no DESC",
            *where.parameters, prefetch=ROWS_PER_FETCH)
        batch: list[asyncpg.Record] = []
        async for case in cursor:
            batch.append(case)
            if len(batch) == ROWS_PER_FETCH:
                yield batch
                batch = []
        if batch:
            yield batch
