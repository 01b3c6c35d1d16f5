"""The dashboard's hand-off figures: what became of the cases forwarded to the provinces'
multidisciplinary teams, for the dashboard filter (database.case_statistics.CaseFilter).

The figures follow the hand-offs *forwarded in the filter's period* (Thailand days, like the
cases' report days) and say where each of them stands now: a hand-off forwarded in March and
accepted in April counts as accepted in a March report. Every hand-off counts, so a case handed
back and forwarded again counts twice: once returned, once as whatever its second hand-off became.

Of those the team accepted, the risk level each stands at now (its latest assessment, migration
0017), or none yet.

Hand-offs are few beside cases: they are counted from the `handoffs` table itself, in one query
that the indexes of migration 0007_handoff serve (by forwarding time, or by province). The care's
referrals and the approvals waiting for a supervisor are counted in database.care_statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from database.case_statistics import CaseFilter
from database.sql import Conditions
from domain.clock import thai_midnight
from domain.handoff import CareOutcome, HandoffStatus
from domain.risk import RiskLevel
from domain.scope import CaseScope, HandoffScope

# The order the figures list the levels in: the most urgent first.
RISK_LEVELS_HIGHEST_FIRST = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)


@dataclass(frozen=True)
class HandoffFigures:
    forwarded: int  # hand-offs forwarded in the period
    accepted: int  # of those, accepted by the team at some point (closed ones included)
    in_care: int  # of those, in the team's care now
    closed: int  # care ended with an outcome
    returned: int  # the team gave the case back to the police
    awaiting: int  # nobody in the team has accepted yet
    overdue: int  # awaiting past the time the team had to accept
    accepted_in_time: int  # accepted no later than the time the team had to accept
    median_minutes_to_accept: float | None  # None when none was accepted
    p90_minutes_to_accept: float | None
    care_outcomes: dict[CareOutcome, int]  # every category, in the enum's order, 0 when none
    # Of the accepted ones (closed ones included), per current risk level, highest first, 0 when none;
    # and those accepted but not assessed yet. Together they add up to `accepted`.
    risk_levels: dict[RiskLevel, int]
    risk_not_assessed: int

    @property
    def share_accepted_in_time(self) -> float | None:
        """The share (0 to 1) of the accepted hand-offs accepted in time; None when none was accepted."""
        return self.accepted_in_time / self.accepted if self.accepted else None


def handoff_scope_of(scope: CaseScope) -> HandoffScope:
    """The hand-offs a dashboard viewer may count, as Account.handoff_scope gives them: a station's
    the ones it forwarded, a province's (its team's included) the ones that went to its team. A
    team's "forwarded cases only" (FORWARDED or HANDED_OVER) adds nothing here, since every hand-off
    was forwarded: the cases the team gave back, RETURNED since, still count as handled by it."""
    if scope.nothing:
        return HandoffScope(nothing=True)
    if scope.station_id is not None:
        return HandoffScope(station_id=scope.station_id)
    return HandoffScope(province_code=scope.province_code)


def add_handoff_conditions(conditions: Conditions, case_filter: CaseFilter, alias: str = "h",
                           *, in_period: bool = True) -> None:
    """The filter as SQL on hand-offs `alias`: the viewer's hand-offs (handoff_scope_of), the
    chosen province's team's, forwarded on the period's Thailand days (unless not `in_period`:
    for what stands now, whenever it was forwarded)."""
    scope = handoff_scope_of(case_filter.scope)
    if scope.nothing:
        conditions.conditions.append("false")
        return
    if scope.station_id is not None:
        conditions.add(f"{alias}.station_id = {{}}", scope.station_id)
    elif scope.province_code is not None:
        conditions.add(f"{alias}.province_code = {{}}", scope.province_code)
    if case_filter.province_code is not None:
        conditions.add(f"{alias}.province_code = {{}}", case_filter.province_code)
    if not in_period:
        return
    if case_filter.reported_from is not None:
        conditions.add(f"{alias}.forwarded_at >= {{}}", thai_midnight(case_filter.reported_from))
    if case_filter.reported_to is not None:
        conditions.add(f"{alias}.forwarded_at < {{}}", thai_midnight(case_filter.reported_to + timedelta(days=1)))


async def handoff_figures(connection: asyncpg.Connection, case_filter: CaseFilter, now: datetime) -> HandoffFigures:
    """Every hand-off figure of the filter in one query; `now` decides which awaiting ones are overdue."""
    where = Conditions()
    add_handoff_conditions(where, case_filter)
    where.parameters.append(now)
    now_parameter = f"${len(where.parameters)}"
    # Statuses and outcomes come from the enums, never from the caller.
    per_status = ",\n".join(
        f"count(*) FILTER (WHERE h.status = '{status.value}') AS {status.value.lower()}" for status in HandoffStatus
    )
    per_outcome = ",\n".join(
        f"count(*) FILTER (WHERE h.care_outcome = '{outcome.value}') AS outcome_{outcome.value.lower()}"
        for outcome in CareOutcome
    )
    # Minutes from forwarding to acceptance; a clock skew that puts the acceptance first counts as 0.
    # greatest() would turn a hand-off not accepted into 0 minutes too: hence the FILTER.
    minutes_to_accept = "greatest(extract(epoch FROM h.accepted_at - h.forwarded_at), 0)::float8 / 60"
    accepted = "h.accepted_at IS NOT NULL"
    # A level is set when the team assesses, so after it accepts; counted of the accepted ones all the same.
    per_risk_level = ",\n".join(
        f"count(*) FILTER (WHERE {accepted} AND h.risk_level = '{level.value}') AS risk_{level.value.lower()}"
        for level in RiskLevel
    )
    row = await connection.fetchrow(
        f"""
        SELECT count(*) AS forwarded,
               count(h.accepted_at) AS accepted,
               count(*) FILTER (WHERE h.accepted_at <= h.accept_due_at) AS accepted_in_time,
               count(*) FILTER (WHERE h.status = 'AWAITING' AND h.accept_due_at < {now_parameter}) AS overdue,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {minutes_to_accept}) FILTER (WHERE {accepted})
                   AS median_minutes,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {minutes_to_accept}) FILTER (WHERE {accepted})
                   AS p90_minutes,
               count(*) FILTER (WHERE {accepted} AND h.risk_level IS NULL) AS risk_not_assessed,
               {per_status},
               {per_outcome},
               {per_risk_level}
        FROM handoffs h
        WHERE {where.sql()}
        """,
        *where.parameters,
    )
    assert row is not None  # an aggregate without GROUP BY always answers one row
    return HandoffFigures(
        forwarded=row["forwarded"],
        accepted=row["accepted"],
        in_care=row["in_care"],
        closed=row["closed"],
        returned=row["rejected"],
        awaiting=row["awaiting"],
        overdue=row["overdue"],
        accepted_in_time=row["accepted_in_time"],
        median_minutes_to_accept=row["median_minutes"],  # NULL when none was accepted
        p90_minutes_to_accept=row["p90_minutes"],
        care_outcomes={outcome: row[f"outcome_{outcome.value.lower()}"] for outcome in CareOutcome},
        risk_levels={level: row[f"risk_{level.value.lower()}"] for level in RISK_LEVELS_HIGHEST_FIRST},
        risk_not_assessed=row["risk_not_assessed"],
    )
