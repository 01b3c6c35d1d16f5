"""The dashboard's care figures beside the hand-off figures (database.handoff_statistics), for the
same filter (database.case_statistics.CaseFilter) and the same viewer's scope:

- referrals to agencies of the hand-offs forwarded in the filter's period (the same hand-offs the
  hand-off figures follow, whenever they were referred), per kind of agency — and per agency of the
  directory when the figures cover one province — and per answer: accepted, declined, waiting
  before its due time, no answer by its due time;
- the approvals waiting for a supervisor now, per subject, and how long the oldest has waited:
  whatever the period, since a care forwarded long ago may wait today (as the care desk counts
  them: requests not answered, on cares still in progress).
- the transfers of a care to another province's team offered in the period (by the offer's time,
  on the same Thailand days), per answer of the receiving team: accepted, declined, waiting before
  its due time, no answer by its due time; in one province's figures split by direction, offered
  by its team and offered to it (transfer_figures says whose).

Counts only: no case, no person, no reason. An agency is named only from the directory (reference
data); a referral to an agency outside it counts under its kind, unnamed, since the name a case
worker typed could name a person.

Each is one aggregate query: referrals through the hand-offs they belong to (their key leads the
referrals' primary key), approvals from the partial index of those waiting (migration 0017),
transfers from their own table by the offer's time (migration 0020).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from database.case_statistics import CaseFilter
from database.handoff_statistics import add_handoff_conditions
from database.sql import Conditions
from domain.agencies import AgencyKind
from domain.clock import thai_midnight
from domain.handoff import ApprovalSubject, HandoffStatus, ReferralAnswer


@dataclass(frozen=True)
class ReferralAnswers:
    """Referrals by the agency's answer (transfers by the receiving team's: TransferAnswers); the
    four add up to every referral."""

    accepted: int = 0
    declined: int = 0
    waiting: int = 0  # no answer yet, its due time not passed
    past_due: int = 0  # no answer by its due time

    @property
    def total(self) -> int:
        return self.accepted + self.declined + self.waiting + self.past_due

    def __add__(self, other: ReferralAnswers) -> ReferralAnswers:
        return ReferralAnswers(self.accepted + other.accepted, self.declined + other.declined,
                               self.waiting + other.waiting, self.past_due + other.past_due)


# A transfer is answered as a referral is, by the receiving team and by a due time (accept_due_at).
TransferAnswers = ReferralAnswers


@dataclass(frozen=True)
class AgencyReferrals:
    """One agency's referrals; without a name: referrals to an agency outside the directory."""

    kind: AgencyKind
    name_th: str | None
    name_en: str | None
    answers: ReferralAnswers


@dataclass(frozen=True)
class ReferralFigures:
    per_kind: dict[AgencyKind, ReferralAnswers]  # every kind, in the enum's order, zeros when none
    # In one province's figures: each agency referred to, in the kinds' order then by Thai name;
    # None in figures of several provinces (the kinds only).
    per_agency: list[AgencyReferrals] | None

    @property
    def total(self) -> ReferralAnswers:
        return sum(self.per_kind.values(), ReferralAnswers())


@dataclass(frozen=True)
class WaitingApprovals:
    waiting: int
    longest_wait: timedelta | None  # how long the oldest request has waited; None when none waits


@dataclass(frozen=True)
class PendingApprovals:
    per_subject: dict[ApprovalSubject, WaitingApprovals]  # every subject, in the enum's order

    @property
    def waiting(self) -> int:
        return sum(subject.waiting for subject in self.per_subject.values())

    @property
    def longest_wait(self) -> timedelta | None:
        return max((s.longest_wait for s in self.per_subject.values() if s.longest_wait is not None), default=None)


@dataclass(frozen=True)
class TransferFigures:
    """The transfers offered in the period that the figures count (transfer_figures)."""

    total: TransferAnswers  # each transfer once
    # In one province's figures: offered by its team (from it) and offered to its team (to it);
    # None in figures of several provinces (the totals only).
    offered_by: TransferAnswers | None
    offered_to: TransferAnswers | None


def names_agencies(case_filter: CaseFilter) -> bool:
    """Whether the figures cover one province, whose agencies a reader knows by name: a province
    chosen (always the case for a province's or a station's user, whose dashboard fixes theirs)."""
    return case_filter.province_code is not None


async def referral_figures(connection: asyncpg.Connection, case_filter: CaseFilter, now: datetime) -> ReferralFigures:
    """The referrals of the filter's hand-offs in one query; `now` decides which have no answer by their due time."""
    where = Conditions()
    add_handoff_conditions(where, case_filter)
    where.parameters.append(now)
    now_parameter = f"${len(where.parameters)}"
    per_agency = names_agencies(case_filter)
    where.parameters.append(per_agency)
    per_agency_parameter = f"${len(where.parameters)}"
    accepted, declined = ReferralAnswer.ACCEPTED.value, ReferralAnswer.DECLINED.value  # from the enum, not a caller
    # Without the agencies joined, a.id is NULL on every row: the groups are the kinds alone.
    rows = await connection.fetch(
        f"""
        SELECT r.agency_kind, a.id AS agency_id, a.name_th, a.name_en,
               count(*) FILTER (WHERE r.answer = '{accepted}') AS accepted,
               count(*) FILTER (WHERE r.answer = '{declined}') AS declined,
               count(*) FILTER (WHERE r.answer IS NULL AND r.due_at >= {now_parameter}) AS waiting,
               count(*) FILTER (WHERE r.answer IS NULL AND r.due_at < {now_parameter}) AS past_due
        FROM handoffs h
        JOIN referrals r ON r.handoff_id = h.handoff_id
        LEFT JOIN agencies a ON {per_agency_parameter}::boolean AND a.id = r.agency_id
        WHERE {where.sql()}
        GROUP BY r.agency_kind, a.id
        """,
        *where.parameters,
    )
    per_kind = dict.fromkeys(AgencyKind, ReferralAnswers())
    agencies = []
    for row in rows:
        kind = AgencyKind(row["agency_kind"])
        answers = ReferralAnswers(row["accepted"], row["declined"], row["waiting"], row["past_due"])
        per_kind[kind] += answers
        agencies.append(AgencyReferrals(kind, row["name_th"], row["name_en"], answers))
    kinds_order = list(AgencyKind)
    # The directory's agencies by name within their kind, those outside it last.
    agencies.sort(key=lambda a: (kinds_order.index(a.kind), a.name_th is None, a.name_th or ""))
    return ReferralFigures(per_kind=per_kind, per_agency=agencies if per_agency else None)


async def pending_approvals(connection: asyncpg.Connection, case_filter: CaseFilter,
                            now: datetime) -> PendingApprovals:
    """What waits for a supervisor now on the cares in the filter's scope and province, whenever
    they were forwarded; `now` gives how long the oldest request has waited."""
    where = Conditions()
    add_handoff_conditions(where, case_filter, in_period=False)
    rows = await connection.fetch(
        f"""
        SELECT a.subject, count(*) AS waiting, min(a.requested_at) AS oldest_requested_at
        FROM care_approvals a
        JOIN handoffs h ON h.handoff_id = a.handoff_id
        WHERE a.answer IS NULL AND h.status = '{HandoffStatus.IN_CARE.value}' AND {where.sql()}
        GROUP BY a.subject
        """,
        *where.parameters,
    )
    per_subject = dict.fromkeys(ApprovalSubject, WaitingApprovals(0, None))
    for row in rows:
        # A request stamped after `now` (a clock ahead) has waited no time, not a negative one.
        waited = max(now - row["oldest_requested_at"], timedelta(0))
        per_subject[ApprovalSubject(row["subject"])] = WaitingApprovals(row["waiting"], waited)
    return PendingApprovals(per_subject=per_subject)


def transfers_province(case_filter: CaseFilter) -> str | None:
    """The province whose transfers the figures count, by direction: the one chosen, or the
    viewer's own (a province's or its team's account); None: every province."""
    return case_filter.province_code or case_filter.scope.province_code


async def transfer_figures(connection: asyncpg.Connection, case_filter: CaseFilter,
                           now: datetime) -> TransferFigures | None:
    """The transfers offered on the filter's Thailand days (by requested_at), per answer, in one
    query; `now` decides which have no answer by their due time.

    Whose: nationally every transfer, once; a province's figures (chosen, or the viewer's own) the
    transfers from or to it, each counted by direction too. A transfer names the two provinces it
    was between, whatever handoffs.province_code says since (an accepted one moved the care). None
    for a viewer who counts no transfer: a station's (the police forward a case, they hold no care)
    or a scope that sees nothing. A province chosen outside the viewer's own holds nothing (as for
    the cases' figures): zeros."""
    scope = case_filter.scope
    if scope.nothing or scope.station_id is not None:
        return None
    where = Conditions()
    province = transfers_province(case_filter)
    if scope.province_code is not None and case_filter.province_code not in (None, scope.province_code):
        where.conditions.append("false")
    directions = {"total": "true"}
    if province is not None:
        where.parameters.append(province)
        province_parameter = f"${len(where.parameters)}"
        where.conditions.append(f"(t.from_province_code = {province_parameter}"
                                f" OR t.to_province_code = {province_parameter})")
        directions |= {"offered_by": f"t.from_province_code = {province_parameter}",
                       "offered_to": f"t.to_province_code = {province_parameter}"}
    if case_filter.reported_from is not None:
        where.add("t.requested_at >= {}", thai_midnight(case_filter.reported_from))
    if case_filter.reported_to is not None:
        where.add("t.requested_at < {}", thai_midnight(case_filter.reported_to + timedelta(days=1)))
    where.parameters.append(now)
    now_parameter = f"${len(where.parameters)}"
    answers = {  # the answers as migration 0020 checks them (and activities.handoffs writes them)
        "accepted": "t.answer = 'ACCEPTED'",
        "declined": "t.answer = 'DECLINED'",
        "waiting": f"t.answer IS NULL AND t.accept_due_at >= {now_parameter}",
        "past_due": f"t.answer IS NULL AND t.accept_due_at < {now_parameter}",
    }
    columns = ",\n".join(f"count(*) FILTER (WHERE {direction} AND {answer}) AS {name}_{field}"
                         for name, direction in directions.items() for field, answer in answers.items())
    row = await connection.fetchrow(
        f"SELECT {columns} FROM handoff_transfers t WHERE {where.sql()}", *where.parameters)

    def of(name: str) -> TransferAnswers:
        return TransferAnswers(*(row[f"{name}_{field}"] for field in answers))

    return TransferFigures(total=of("total"), offered_by=of("offered_by") if province is not None else None,
                           offered_to=of("offered_to") if province is not None else None)
