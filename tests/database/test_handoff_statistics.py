"""The dashboard's hand-off figures: of the hand-offs forwarded in the chosen period, how many the
team accepted, has in care, closed (and with which outcome), gave back, has not accepted yet (and
which of those are overdue), how long accepting took, and the risk level of those accepted — within
what the user may see.

Other tests write cases into the same database, so every test here counts only its own: through a
station of its own, or a forwarding period in a year no other test uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg
import pytest

from database.case_statistics import CaseFilter
from database.handoff_statistics import HandoffFigures, handoff_figures
from domain.clock import THAILAND
from domain.handoff import CareOutcome, HandoffStatus
from domain.risk import RiskLevel
from domain.scope import CaseScope

CHIANG_MAI = "50"
PHUKET = "83"
ACCEPT_WITHIN = timedelta(hours=24)
MARCH_2001 = {"reported_from": date(2001, 3, 1), "reported_to": date(2001, 3, 31)}
YEAR_1986 = {"reported_from": date(1986, 1, 1), "reported_to": date(1986, 12, 31)}
NO_OUTCOMES = dict.fromkeys(CareOutcome, 0)
NO_RISK_LEVELS = {RiskLevel.HIGH: 0, RiskLevel.MEDIUM: 0, RiskLevel.LOW: 0}


def thai(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=THAILAND)


@dataclass
class Station:
    """A station of the test's own, its cases, and their hand-offs."""

    connection: asyncpg.Connection
    station_id: int

    def filter(self, **choices) -> CaseFilter:
        return CaseFilter(scope=CaseScope(station_id=self.station_id), **choices)

    async def add_handoff(
        self,
        forwarded_at: datetime,
        status: HandoffStatus = HandoffStatus.AWAITING,
        *,
        accepted_after: timedelta | None = None,
        outcome: CareOutcome | None = None,
        province_code: str = CHIANG_MAI,
        case_no: str | None = None,
        attempt: int = 1,
        risk_level: RiskLevel | None = None,
    ) -> str:
        """A hand-off of a new case (or of `case_no`, forwarded again), as the read model keeps it."""
        if case_no is None:
            case_no = f"ESS-T{uuid.uuid4().hex[:12].upper()}"
            await self.connection.execute(
                """
                INSERT INTO cases (case_no, conversation_id, reporter_key, line_user_id, incident_type_code,
                                   status, complete, latitude, longitude, province_code, reported_at, station_id,
                                   acknowledged_at)
                VALUES ($1, $2, $3, $4, 'DETENTION', $5, true, 18.79, 98.98, $6, $7, $8, $7)
                """,
                case_no, f"conversation-{case_no}", f"reporter-{case_no}", f"U{uuid.uuid4().hex}",
                "RETURNED" if status == HandoffStatus.REJECTED else "FORWARDED", province_code,
                forwarded_at - timedelta(hours=1), self.station_id,
            )
        accepted_at = None if accepted_after is None else forwarded_at + accepted_after
        await self.connection.execute(
            """
            INSERT INTO handoffs (handoff_id, case_no, attempt, province_code, station_id, status, forwarded_at,
                                  accept_due_at, accepted_at, rejected_at, closed_at, care_outcome, risk_level,
                                  risk_assessed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                    CASE WHEN $13::text IS NOT NULL THEN $9::timestamptz END)
            """,
            f"{case_no}-{attempt}", case_no, attempt, province_code, self.station_id, status.value, forwarded_at,
            forwarded_at + ACCEPT_WITHIN, accepted_at,
            forwarded_at + timedelta(hours=2) if status == HandoffStatus.REJECTED else None,
            forwarded_at + timedelta(days=30) if status == HandoffStatus.CLOSED else None,
            outcome.value if outcome else None, risk_level.value if risk_level else None,
        )
        return case_no


@pytest.fixture
async def station(pool: asyncpg.Pool):
    async with pool.acquire() as connection:
        station_id = await connection.fetchval(
            "INSERT INTO stations (code, name_th, name_en, province_code)"
            " VALUES ($1, 'สถานีทดสอบส่งต่อ', 'Hand-off statistics test station', $2) RETURNING id",
            f"TEST-{uuid.uuid4().hex[:10]}", CHIANG_MAI,
        )
        yield Station(connection, station_id)


# --- Counters ----------------------------------------------------------------------------------


async def test_each_hand_off_counts_where_it_stands_now(station: Station) -> None:
    day = date(2001, 3, 10)
    minutes = timedelta(minutes=1)
    await station.add_handoff(thai(day, 8), HandoffStatus.AWAITING)  # due on the 11th at 08:00
    await station.add_handoff(thai(day, 20), HandoffStatus.AWAITING)  # due on the 11th at 20:00
    for waited in (10, 30, 90):
        await station.add_handoff(thai(day), HandoffStatus.IN_CARE, accepted_after=waited * minutes)
    await station.add_handoff(thai(day), HandoffStatus.CLOSED, accepted_after=20 * minutes,
                              outcome=CareOutcome.SHELTERED)
    await station.add_handoff(thai(day), HandoffStatus.CLOSED, accepted_after=2000 * minutes,  # after the due time
                              outcome=CareOutcome.SAFE_WITH_FAMILY)
    returned = await station.add_handoff(thai(day), HandoffStatus.REJECTED)
    # Handed back and forwarded again: a second hand-off of the same case, counted on its own.
    await station.add_handoff(thai(day, 12), HandoffStatus.AWAITING, case_no=returned, attempt=2)

    figures = await handoff_figures(station.connection, station.filter(**MARCH_2001), now=thai(day + timedelta(1), 9))

    assert figures == HandoffFigures(
        forwarded=9, accepted=5, in_care=3, closed=2, returned=1, awaiting=3,
        overdue=1,  # only the one forwarded at 08:00 is past its 24 hours at 09:00 the next day
        accepted_in_time=4,
        median_minutes_to_accept=30.0,  # of 10, 20, 30, 90 and 2000 minutes
        p90_minutes_to_accept=pytest.approx(90 + 0.6 * (2000 - 90)),  # interpolated as percentile_cont does
        care_outcomes=NO_OUTCOMES | {CareOutcome.SHELTERED: 1, CareOutcome.SAFE_WITH_FAMILY: 1},
        risk_levels=NO_RISK_LEVELS, risk_not_assessed=5,
    )
    assert figures.share_accepted_in_time == pytest.approx(4 / 5)
    assert list(figures.care_outcomes) == list(CareOutcome)


async def test_overdue_follows_the_clock(station: Station) -> None:
    forwarded = thai(date(2001, 3, 10), 8)
    await station.add_handoff(forwarded, HandoffStatus.AWAITING)
    await station.add_handoff(forwarded, HandoffStatus.IN_CARE, accepted_after=ACCEPT_WITHIN * 2)  # late, but taken

    overdue = [
        (await handoff_figures(station.connection, station.filter(**MARCH_2001), now=forwarded + after)).overdue
        for after in (ACCEPT_WITHIN - timedelta(seconds=1), ACCEPT_WITHIN, ACCEPT_WITHIN + timedelta(seconds=1))
    ]

    assert overdue == [0, 0, 1]


async def test_no_hand_off_gives_zeros_and_no_times(station: Station) -> None:
    figures = await handoff_figures(station.connection, station.filter(**MARCH_2001), now=thai(date(2001, 4, 1)))

    assert figures == HandoffFigures(
        forwarded=0, accepted=0, in_care=0, closed=0, returned=0, awaiting=0, overdue=0, accepted_in_time=0,
        median_minutes_to_accept=None, p90_minutes_to_accept=None, care_outcomes=NO_OUTCOMES,
        risk_levels=NO_RISK_LEVELS, risk_not_assessed=0,
    )
    assert figures.share_accepted_in_time is None


async def test_the_accepted_hand_offs_count_by_their_risk_level_now_highest_first(station: Station) -> None:
    day = date(2001, 3, 10)
    accepted = {"accepted_after": timedelta(minutes=30)}
    for level in (RiskLevel.HIGH, RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW):
        await station.add_handoff(thai(day), HandoffStatus.IN_CARE, risk_level=level, **accepted)
    await station.add_handoff(thai(day), HandoffStatus.IN_CARE, **accepted)  # accepted, not assessed yet
    # A closed care keeps the level it ended at: it counts, as its acceptance does.
    await station.add_handoff(thai(day), HandoffStatus.CLOSED, risk_level=RiskLevel.LOW,
                              outcome=CareOutcome.SAFE_WITH_FAMILY, **accepted)
    await station.add_handoff(thai(day), HandoffStatus.AWAITING)  # never accepted: no level to count
    await station.add_handoff(thai(day), HandoffStatus.REJECTED)
    # Forwarded the month after: outside the period, whatever its level.
    await station.add_handoff(thai(date(2001, 4, 2)), HandoffStatus.IN_CARE, risk_level=RiskLevel.HIGH, **accepted)

    figures = await handoff_figures(station.connection, station.filter(**MARCH_2001), now=thai(date(2001, 4, 5)))

    assert figures.risk_levels == {RiskLevel.HIGH: 2, RiskLevel.MEDIUM: 1, RiskLevel.LOW: 2}
    assert list(figures.risk_levels) == [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW]
    assert figures.risk_not_assessed == 1
    assert sum(figures.risk_levels.values()) + figures.risk_not_assessed == figures.accepted == 6


# --- The period ----------------------------------------------------------------------------------


async def test_the_period_is_the_thailand_days_the_hand_offs_were_forwarded_on(station: Station) -> None:
    await station.add_handoff(thai(date(2001, 2, 28), 23, 59))  # the day before the range
    await station.add_handoff(thai(date(2001, 3, 1), 0, 0))  # 17:00 UTC on 28 February: inside
    await station.add_handoff(thai(date(2001, 3, 31), 23, 59))
    await station.add_handoff(thai(date(2001, 4, 1), 0, 0))  # the day after
    # Reported in February, forwarded in March: the forwarding decides.
    late = await station.add_handoff(thai(date(2001, 3, 2), 0, 30))
    await station.connection.execute("UPDATE cases SET reported_at = $2 WHERE case_no = $1", late,
                                     thai(date(2001, 2, 20)))
    now = thai(date(2001, 5, 1))

    in_march = await handoff_figures(station.connection, station.filter(**MARCH_2001), now=now)
    from_april = await handoff_figures(station.connection, station.filter(reported_from=date(2001, 4, 1)), now=now)
    every_day = await handoff_figures(station.connection, station.filter(), now=now)

    assert (in_march.forwarded, from_april.forwarded, every_day.forwarded) == (3, 1, 5)


# --- What the user may see ---------------------------------------------------------------------


async def test_a_province_sees_its_own_team_s_hand_offs_and_a_team_those_it_gave_back_too(station: Station) -> None:
    day = date(1986, 6, 10)
    await station.add_handoff(thai(day), HandoffStatus.IN_CARE, accepted_after=timedelta(minutes=5))
    await station.add_handoff(thai(day), HandoffStatus.REJECTED)  # the case is RETURNED now
    await station.add_handoff(thai(day), HandoffStatus.AWAITING, province_code=PHUKET)
    now = thai(day + timedelta(days=1))

    async def forwarded(scope: CaseScope, **choices) -> tuple[int, int]:
        figures = await handoff_figures(station.connection, CaseFilter(scope=scope, **choices, **YEAR_1986), now)
        return figures.forwarded, figures.returned

    assert await forwarded(CaseScope.national()) == (3, 1)
    assert await forwarded(CaseScope.national(), province_code=PHUKET) == (1, 0)
    assert await forwarded(CaseScope(province_code=CHIANG_MAI)) == (2, 1)
    assert await forwarded(CaseScope(province_code=CHIANG_MAI, forwarded_only=True)) == (2, 1)
    assert await forwarded(CaseScope(province_code=PHUKET, forwarded_only=True)) == (1, 0)
    # A province user choosing another province (the dashboard refuses it; the query holds nothing).
    assert await forwarded(CaseScope(province_code=CHIANG_MAI), province_code=PHUKET) == (0, 0)
    assert await forwarded(CaseScope(province_code=CHIANG_MAI, nothing=True)) == (0, 0)
    assert await forwarded(CaseScope(station_id=station.station_id)) == (3, 1)


async def test_a_station_counts_the_hand_offs_it_forwarded_even_of_a_case_moved_since(station: Station) -> None:
    day = date(2001, 3, 10)
    moved = await station.add_handoff(thai(day), HandoffStatus.REJECTED)
    other_station = await station.connection.fetchval(
        "INSERT INTO stations (code, name_th, name_en, province_code)"
        " VALUES ($1, 'สถานีรับเรื่องต่อ', 'Station taking the case over', $2) RETURNING id",
        f"TEST-{uuid.uuid4().hex[:10]}", CHIANG_MAI,
    )
    await station.connection.execute("UPDATE cases SET station_id = $2 WHERE case_no = $1", moved, other_station)
    now = thai(day + timedelta(days=1))

    forwarding = await handoff_figures(station.connection, station.filter(**MARCH_2001), now)
    taking_over = await handoff_figures(
        station.connection, CaseFilter(scope=CaseScope(station_id=other_station), **MARCH_2001), now)

    assert (forwarding.forwarded, forwarding.returned, taking_over.forwarded) == (1, 1, 0)
