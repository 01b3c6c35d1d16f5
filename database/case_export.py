"""What the case dashboard's two downloads read (rendering.case_workbook and rendering.case_report
write them, in Thai):

- "Download Excel": every case of the filter, one row each, newest first, with its latest hand-off
  to the multidisciplinary team, read in batches through a server-side cursor so that no list of
  all cases is ever built, however many there are.
- "Download report": the dashboard's figures, the hand-offs' and the care's included (risk levels,
  referrals, approvals waiting, transfers between provinces), and the names of the scope and the
  province the report describes.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg

from database import provinces, stations
from database.care_statistics import (
    PendingApprovals,
    ReferralFigures,
    TransferFigures,
    pending_approvals,
    referral_figures,
    transfer_figures,
)
from database.case_statistics import (
    AcknowledgeTimes,
    CaseCounters,
    CaseFilter,
    DayCount,
    ProvinceCount,
    TypeCount,
    case_counters,
    cases_per_day,
    cases_per_province,
    cases_per_type,
    time_to_acknowledge,
)
from database.handoff_statistics import HandoffFigures, handoff_figures
from database.sql import Conditions

ROWS_PER_FETCH = 2000
CASE_ROWS_SQL = """
    SELECT c.case_no, c.reported_at, t.label_th AS incident_type, c.status, p.name_th AS province,
           d.name_th AS district, s.name_th AS station, c.acknowledged_at, c.closed_at, c.escalation_level,
           c.complete, c.review_flag, c.outcome_note, c.phone_e164, c.latitude, c.longitude,
           h.status AS handoff_status, h.forwarded_at AS handoff_forwarded_at,
           h.accepted_at AS handoff_accepted_at, h.care_outcome, h.closed_at AS care_closed_at,
           h.consent AS handoff_consent
    FROM cases c
    LEFT JOIN incident_types t ON t.code = c.incident_type_code
    LEFT JOIN provinces p ON p.code = c.province_code
    LEFT JOIN districts d ON d.code = c.district_code
    LEFT JOIN stations s ON s.id = c.station_id
    -- The latest attempt only (a case handed back and forwarded again has several), read from
    -- the (case_no, attempt) key.
    LEFT JOIN LATERAL (
        SELECT l.status, l.forwarded_at, l.accepted_at, l.care_outcome, l.closed_at, l.consent
        FROM handoffs l WHERE l.case_no = c.case_no
        ORDER BY l.attempt DESC LIMIT 1
    ) h ON true
    WHERE {where}
    ORDER BY c.reported_at DESC, c.case_no DESC
"""


# --- Every case ----------------------------------------------------------------------------------


async def case_row_batches(connection: asyncpg.Connection,
                           case_filter: CaseFilter) -> AsyncGenerator[list[asyncpg.Record], None]:
    """The filter's cases, newest first, ROWS_PER_FETCH at a time (the last batch shorter, none empty).

    Read through a server-side cursor inside a transaction, as PostgreSQL requires: the transaction
    stays open until every batch is read or the generator is closed (contextlib.aclosing). Each
    batch is a new list: the one before may still be in use while the next is fetched."""
    async with connection.transaction():
        where = Conditions()
        case_filter.add_conditions(where)
        # A batch in one call, not an await per case.
        cursor = await connection.cursor(CASE_ROWS_SQL.format(where=where.sql()), *where.parameters)
        while batch := await cursor.fetch(ROWS_PER_FETCH):
            yield batch


# --- The printable report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFigures:
    """The dashboard's figures for the filter, and the names the report describes it with."""

    case_filter: CaseFilter
    today: date
    counters: CaseCounters
    per_day: list[DayCount]
    per_type: list[TypeCount]
    per_province: list[ProvinceCount]
    acknowledge: AcknowledgeTimes
    handoffs: HandoffFigures
    referrals: ReferralFigures
    approvals: PendingApprovals  # waiting now, whatever the period
    transfers: TransferFigures | None  # None: the viewer counts no transfer (a station's)
    scope_station_th: str | None  # the scope's station, when the scope is one
    scope_province_th: str | None  # the scope's province, when the scope is one (and not a station)
    province_th: str | None  # the province the filter chose, when it chose one


async def report_figures(connection: asyncpg.Connection, case_filter: CaseFilter, today: date,
                         now: datetime | None = None) -> ReportFigures:
    """The figures of the printable report. `now` (default: the current time) decides which
    hand-offs, referrals and transfers are overdue, and how long approvals have waited."""
    now = now or datetime.now(UTC)
    counters = await case_counters(connection, case_filter, today)
    per_day = await cases_per_day(connection, case_filter)
    per_type = await cases_per_type(connection, case_filter)
    per_province = await cases_per_province(connection, case_filter)
    acknowledge = await time_to_acknowledge(connection, case_filter)
    handoffs = await handoff_figures(connection, case_filter, now)
    referrals = await referral_figures(connection, case_filter, now)
    approvals = await pending_approvals(connection, case_filter, now)
    transfers = await transfer_figures(connection, case_filter, now)
    scope = case_filter.scope
    scope_station_th = scope_province_th = None
    if not scope.nothing and scope.station_id is not None:
        scope_station_th = await stations.thai_name(connection, scope.station_id)
    elif not scope.nothing and scope.province_code is not None:
        scope_province_th = await provinces.thai_name(connection, scope.province_code)
    province_th = (await provinces.thai_name(connection, case_filter.province_code)
                   if case_filter.province_code is not None else None)
    return ReportFigures(
        case_filter=case_filter, today=today, counters=counters, per_day=per_day, per_type=per_type,
        per_province=per_province, acknowledge=acknowledge, handoffs=handoffs, referrals=referrals,
        approvals=approvals, transfers=transfers, scope_station_th=scope_station_th,
        scope_province_th=scope_province_th, province_th=province_th,
    )
