"""The dashboard's care figures: the referrals of the hand-offs forwarded in the chosen period, per
kind of agency (and per agency of the directory in one province's figures) and per answer; the
approvals waiting for a supervisor now, whatever the period; and the transfers to another province's
team offered in the period, per answer (per direction in one province's figures) — counts only,
within what the user may see.

Other tests write hand-offs into the same database, so every test here counts only its own: through
a station of its own (a station scope), or, for the transfers (which a station never counts), on
days of a year no other test offers a transfer in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg
import pytest

from database.care_statistics import (
    AgencyReferrals,
    ReferralAnswers,
    TransferAnswers,
    TransferFigures,
    WaitingApprovals,
    pending_approvals,
    referral_figures,
    transfer_figures,
)
from database.case_statistics import CaseFilter
from domain.agencies import AgencyKind
from domain.clock import THAILAND
from domain.handoff import ApprovalSubject, HandoffStatus
from domain.scope import CaseScope

CHIANG_MAI = "50"
PHUKET = "83"
BANGKOK = "10"
MARCH_2001 = {"reported_from": date(2001, 3, 1), "reported_to": date(2001, 3, 31)}
ANSWER_DUE_WITHIN = timedelta(days=3)
TRANSFER_DUE_WITHIN = timedelta(days=1)


def thai(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=THAILAND)


@dataclass
class Station:
    """A station of the test's own, its hand-offs and what their care holds, as the read model keeps it."""

    connection: asyncpg.Connection
    station_id: int

    def filter(self, **choices) -> CaseFilter:
        return CaseFilter(scope=CaseScope(station_id=self.station_id), **choices)

    async def add_handoff(self, forwarded_at: datetime, status: HandoffStatus = HandoffStatus.IN_CARE,
                          province_code: str = CHIANG_MAI) -> str:
        case_no = f"ESS-T{uuid.uuid4().hex[:12].upper()}"
        await self.connection.execute(
            """
            INSERT INTO cases (case_no, conversation_id, reporter_key, line_user_id, incident_type_code, status,
                               complete, latitude, longitude, province_code, reported_at, station_id)
            VALUES ($1, $2, $3, $4, 'DETENTION', 'HANDED_OVER', true, 18.79, 98.98, $5, $6, $7)
            """,
            case_no, f"conversation-{case_no}", f"reporter-{case_no}", f"U{uuid.uuid4().hex}", province_code,
            forwarded_at - timedelta(hours=1), self.station_id,
        )
        handoff_id = f"{case_no}-1"
        await self.connection.execute(
            "INSERT INTO handoffs (handoff_id, case_no, attempt, province_code, station_id, status, forwarded_at,"
            " accept_due_at, accepted_at, closed_at, care_outcome) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10)",
            handoff_id, case_no, province_code, self.station_id, status.value, forwarded_at,
            forwarded_at + timedelta(days=1),
            None if status in (HandoffStatus.AWAITING, HandoffStatus.REJECTED) else forwarded_at + timedelta(hours=1),
            *((forwarded_at + timedelta(days=5), "SHELTERED") if status == HandoffStatus.CLOSED else (None, None)),
        )
        return handoff_id

    async def add_agency(self, kind: AgencyKind, name_th: str, name_en: str) -> int:
        return await self.connection.fetchval(
            "INSERT INTO agencies (code, province_code, kind, name_th, name_en, is_demo)"
            " VALUES ($1, $2, $3, $4, $5, true) RETURNING id",
            f"TEST-{uuid.uuid4().hex[:10]}", CHIANG_MAI, kind.value, name_th, name_en,
        )

    async def refer(self, handoff_id: str, number: int, kind: AgencyKind, referred_at: datetime,
                    answer: str | None = None, agency_id: int | None = None,
                    agency_name_th: str = "หน่วยงานทดสอบ") -> None:
        """A referral as the hand-off's activities record it; due ANSWER_DUE_WITHIN after it was made."""
        await self.connection.execute(
            "INSERT INTO referrals (handoff_id, number, agency_id, agency_kind, agency_name_th, referred_at, due_at,"
            " answer, reason, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            handoff_id, number, agency_id, kind.value, agency_name_th, referred_at, referred_at + ANSWER_DUE_WITHIN,
            answer, "เหตุผลส่วนตัวของผู้ได้รับความช่วยเหลือ" if answer == "DECLINED" else None,
            None if answer is None else referred_at + timedelta(days=1),
        )

    async def ask_approval(self, handoff_id: str, subject: ApprovalSubject, requested_at: datetime,
                           answer: str | None = None) -> None:
        await self.connection.execute(
            "INSERT INTO care_approvals (event_key, handoff_id, subject, requested_at, answer, answered_at, reason)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            f"{handoff_id}:{uuid.uuid4().hex[:8]}", handoff_id, subject.value, requested_at, answer,
            None if answer is None else requested_at + timedelta(hours=2),
            "ต้องแก้แผน" if answer == "SENT_BACK" else None,
        )

    async def transfer(self, handoff_id: str, from_province: str, to_province: str, requested_at: datetime,
                       answer: str | None = None, answered_after: timedelta = timedelta(hours=2)) -> None:
        """An offer of the care to another province's team as the hand-off's activities record it, due
        TRANSFER_DUE_WITHIN after it was made; accepted, the hand-off becomes the receiving province's."""
        await self.connection.execute(
            "INSERT INTO handoff_transfers (event_key, handoff_id, from_province_code, to_province_code, requested_at,"
            " accept_due_at, note, answer, answered_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            f"{handoff_id}:transfer:{uuid.uuid4().hex[:8]}", handoff_id, from_province, to_province, requested_at,
            requested_at + TRANSFER_DUE_WITHIN, "ผู้ได้รับความช่วยเหลือย้ายไปอยู่กับญาติ", answer,
            None if answer is None else requested_at + answered_after,
            "ทีมไม่มีที่พักให้" if answer == "DECLINED" else None,
        )
        if answer == "ACCEPTED":
            await self.connection.execute("UPDATE handoffs SET province_code = $2 WHERE handoff_id = $1",
                                          handoff_id, to_province)


@pytest.fixture
async def station(pool: asyncpg.Pool) -> AsyncIterator[Station]:
    async with pool.acquire() as connection:
        station_id = await connection.fetchval(
            "INSERT INTO stations (code, name_th, name_en, province_code)"
            " VALUES ($1, 'สถานีทดสอบการดูแล', 'Care statistics test station', $2) RETURNING id",
            f"TEST-{uuid.uuid4().hex[:10]}", CHIANG_MAI,
        )
        yield Station(connection, station_id)


# --- Referrals ---------------------------------------------------------------------------------


async def test_referrals_count_per_kind_of_agency_and_per_answer(station: Station) -> None:
    march = date(2001, 3, 10)
    first, second = await station.add_handoff(thai(march)), await station.add_handoff(thai(march))
    closed = await station.add_handoff(thai(march), HandoffStatus.CLOSED)
    await station.refer(first, 1, AgencyKind.OSCC, thai(march), answer="ACCEPTED")
    await station.refer(first, 2, AgencyKind.SHELTER, thai(march), answer="DECLINED")
    await station.refer(first, 3, AgencyKind.SHELTER, thai(date(2001, 3, 28)))  # due on the 31st: still waiting
    await station.refer(second, 1, AgencyKind.SHELTER, thai(date(2001, 3, 20)))  # due on the 23rd: past it
    # Answered after its due time: the answer counts, not the lateness.
    await station.refer(second, 2, AgencyKind.LEGAL_AID, thai(date(2001, 3, 20)), answer="ACCEPTED")
    # A care closed since keeps its referrals; one referred in April still belongs to the March hand-off.
    await station.refer(closed, 1, AgencyKind.HEALTH, thai(date(2001, 4, 2)), answer="ACCEPTED")
    # A hand-off forwarded in April is another period's, whatever its referrals.
    april = await station.add_handoff(thai(date(2001, 4, 1)))
    await station.refer(april, 1, AgencyKind.OSCC, thai(date(2001, 4, 1)))

    figures = await referral_figures(station.connection, station.filter(**MARCH_2001), now=thai(date(2001, 3, 30)))

    assert figures.per_kind == dict.fromkeys(AgencyKind, ReferralAnswers()) | {
        AgencyKind.OSCC: ReferralAnswers(accepted=1),
        AgencyKind.SHELTER: ReferralAnswers(declined=1, waiting=1, past_due=1),
        AgencyKind.LEGAL_AID: ReferralAnswers(accepted=1),
        AgencyKind.HEALTH: ReferralAnswers(accepted=1),
    }
    assert list(figures.per_kind) == list(AgencyKind)
    assert figures.total == ReferralAnswers(accepted=3, declined=1, waiting=1, past_due=1)
    assert figures.total.total == 6
    assert figures.per_agency is None  # every province: the kinds only


async def test_no_answer_by_the_due_time_follows_the_clock(station: Station) -> None:
    referred_at = thai(date(2001, 3, 10))
    await station.refer(await station.add_handoff(referred_at), 1, AgencyKind.OSCC, referred_at)

    answers = [
        (await referral_figures(station.connection, station.filter(**MARCH_2001), now=referred_at + after)).total
        for after in (ANSWER_DUE_WITHIN - timedelta(seconds=1), ANSWER_DUE_WITHIN, ANSWER_DUE_WITHIN + timedelta(1))
    ]

    assert answers == [ReferralAnswers(waiting=1), ReferralAnswers(waiting=1), ReferralAnswers(past_due=1)]


async def test_one_province_s_figures_name_each_agency_of_the_directory_and_no_other(station: Station) -> None:
    day = date(2001, 3, 10)
    home = await station.add_agency(AgencyKind.CHILDRENS_HOME, "บ้านพักเด็กทดสอบ", "Test children's home")
    crisis_b = await station.add_agency(AgencyKind.OSCC, "ศูนย์พึ่งได้ ข", "Crisis centre B")
    crisis_a = await station.add_agency(AgencyKind.OSCC, "ศูนย์พึ่งได้ ก", "Crisis centre A")
    handoff_id = await station.add_handoff(thai(day))
    await station.refer(handoff_id, 1, AgencyKind.OSCC, thai(day), "ACCEPTED", agency_id=crisis_b)
    await station.refer(handoff_id, 2, AgencyKind.OSCC, thai(day), "DECLINED", agency_id=crisis_a)
    await station.refer(handoff_id, 3, AgencyKind.OSCC, thai(day), agency_id=crisis_a)
    await station.refer(handoff_id, 4, AgencyKind.CHILDRENS_HOME, thai(day), "ACCEPTED", agency_id=home)
    # Outside the directory, under the name the case worker typed: counted, never named.
    await station.refer(handoff_id, 5, AgencyKind.OTHER, thai(day), "ACCEPTED", agency_name_th="บ้านป้าของผู้เสียหาย")
    now = thai(day, 12)

    figures = await referral_figures(station.connection, station.filter(province_code=CHIANG_MAI, **MARCH_2001), now)

    assert figures.per_agency == [
        AgencyReferrals(AgencyKind.OSCC, "ศูนย์พึ่งได้ ก", "Crisis centre A", ReferralAnswers(declined=1, waiting=1)),
        AgencyReferrals(AgencyKind.OSCC, "ศูนย์พึ่งได้ ข", "Crisis centre B", ReferralAnswers(accepted=1)),
        AgencyReferrals(AgencyKind.CHILDRENS_HOME, "บ้านพักเด็กทดสอบ", "Test children's home",
                        ReferralAnswers(accepted=1)),
        AgencyReferrals(AgencyKind.OTHER, None, None, ReferralAnswers(accepted=1)),
    ]
    assert figures.per_kind[AgencyKind.OSCC] == ReferralAnswers(accepted=1, declined=1, waiting=1)
    # The same referrals without a province chosen: the kinds, no agency named.
    every_province = await referral_figures(station.connection, station.filter(**MARCH_2001), now)
    assert every_province.per_kind == figures.per_kind and every_province.per_agency is None


async def test_referrals_follow_the_viewer_s_hand_offs(station: Station) -> None:
    day = date(1987, 6, 10)
    year = {"reported_from": date(1987, 1, 1), "reported_to": date(1987, 12, 31)}
    await station.refer(await station.add_handoff(thai(day)), 1, AgencyKind.OSCC, thai(day))
    await station.refer(await station.add_handoff(thai(day), province_code=PHUKET), 1, AgencyKind.OSCC, thai(day))
    now = thai(day, 12)

    async def referred(scope: CaseScope, **choices) -> int:
        return (await referral_figures(station.connection, CaseFilter(scope=scope, **choices, **year), now)).total.total

    assert await referred(CaseScope(station_id=station.station_id)) == 2
    assert await referred(CaseScope(station_id=station.station_id), province_code=PHUKET) == 1
    assert await referred(CaseScope(province_code=PHUKET, forwarded_only=True)) >= 1
    assert await referred(CaseScope(province_code=CHIANG_MAI), province_code=PHUKET) == 0
    assert await referred(CaseScope(province_code=CHIANG_MAI, nothing=True)) == 0


# --- Approvals waiting ---------------------------------------------------------------------------


async def test_approvals_waiting_now_count_per_subject_whenever_the_care_was_forwarded(station: Station) -> None:
    now = thai(date(2001, 3, 20), 10)
    long_ago = await station.add_handoff(thai(date(2000, 6, 1)))  # before the period: waits today all the same
    recent = await station.add_handoff(thai(date(2001, 3, 10)))
    await station.ask_approval(long_ago, ApprovalSubject.CLOSURE, now - timedelta(days=3, hours=5))
    await station.ask_approval(recent, ApprovalSubject.CLOSURE, now - timedelta(hours=2))
    await station.ask_approval(recent, ApprovalSubject.HIGH_RISK_PLAN, now - timedelta(minutes=45))
    # Answered ones wait no more, whatever the answer.
    await station.ask_approval(recent, ApprovalSubject.HIGH_RISK_PLAN, now - timedelta(days=9), "APPROVED")
    await station.ask_approval(recent, ApprovalSubject.CLOSURE, now - timedelta(days=9), "SENT_BACK")
    # A request left on a care no longer in progress waits for nobody (as the care desk counts).
    ended = await station.add_handoff(thai(date(2001, 3, 1)), HandoffStatus.CLOSED)
    await station.ask_approval(ended, ApprovalSubject.CLOSURE, now - timedelta(days=20))

    approvals = await pending_approvals(station.connection, station.filter(**MARCH_2001), now)

    assert approvals.per_subject == {
        ApprovalSubject.CLOSURE: WaitingApprovals(2, timedelta(days=3, hours=5)),
        ApprovalSubject.HIGH_RISK_PLAN: WaitingApprovals(1, timedelta(minutes=45)),
    }
    assert (approvals.waiting, approvals.longest_wait) == (3, timedelta(days=3, hours=5))


async def test_no_approval_waiting_gives_zeros_and_no_wait(station: Station) -> None:
    await station.add_handoff(thai(date(2001, 3, 10)))

    approvals = await pending_approvals(station.connection, station.filter(**MARCH_2001), thai(date(2001, 3, 20)))

    assert approvals.per_subject == dict.fromkeys(ApprovalSubject, WaitingApprovals(0, None))
    assert (approvals.waiting, approvals.longest_wait) == (0, None)


async def test_approvals_waiting_follow_the_viewer_s_hand_offs(station: Station) -> None:
    now = thai(date(2001, 3, 20))
    await station.ask_approval(await station.add_handoff(thai(date(2001, 3, 1))), ApprovalSubject.CLOSURE, now)
    await station.ask_approval(await station.add_handoff(thai(date(2001, 3, 1)), province_code=PHUKET),
                               ApprovalSubject.CLOSURE, now)

    async def waiting(scope: CaseScope, **choices) -> int:
        return (await pending_approvals(station.connection, CaseFilter(scope=scope, **choices), now)).waiting

    assert await waiting(CaseScope(station_id=station.station_id)) == 2
    assert await waiting(CaseScope(station_id=station.station_id), province_code=PHUKET) == 1
    assert await waiting(CaseScope(province_code=CHIANG_MAI), province_code=PHUKET) == 0
    assert await waiting(CaseScope(province_code=CHIANG_MAI, nothing=True)) == 0


# --- Transfers to another province's team ----------------------------------------------------------


async def test_transfers_count_per_answer_nationally_and_per_direction_in_a_province(station: Station) -> None:
    """Offered in May 1962 (Thailand days), whenever the cares were forwarded."""
    may = {"reported_from": date(1962, 5, 1), "reported_to": date(1962, 5, 31)}
    now = thai(date(1962, 6, 1), 8)

    async def care(province: str = CHIANG_MAI) -> str:
        return await station.add_handoff(thai(date(1962, 1, 5)), province_code=province)

    await station.transfer(await care(), CHIANG_MAI, PHUKET, thai(date(1962, 5, 2)), "ACCEPTED")
    await station.transfer(await care(), CHIANG_MAI, PHUKET, thai(date(1962, 5, 3)), "DECLINED")
    # Phuket's team offers to Chiang Mai's: one due at 09:00 on the 1st of June, one due on the 21st of May.
    await station.transfer(await care(PHUKET), PHUKET, CHIANG_MAI, thai(date(1962, 5, 31), 9))
    await station.transfer(await care(PHUKET), PHUKET, CHIANG_MAI, thai(date(1962, 5, 20)))
    # Accepted after its due time: the answer counts, not the lateness. At 23:30 on the last day of
    # the period in Thailand (16:30 UTC, the same day): in it.
    late_evening = thai(date(1962, 5, 31), 23) + timedelta(minutes=30)
    await station.transfer(await care(BANGKOK), BANGKOK, CHIANG_MAI, late_evening, "ACCEPTED",
                           answered_after=timedelta(days=2))
    # Between two other provinces: in the country's figures only.
    await station.transfer(await care(PHUKET), PHUKET, BANGKOK, thai(date(1962, 5, 15)), "DECLINED")
    # Outside the period, by the offer's Thailand day: at 00:10 on the 1st of June, and in April.
    await station.transfer(await care(), CHIANG_MAI, PHUKET, thai(date(1962, 6, 1), 0) + timedelta(minutes=10))
    await station.transfer(await care(), CHIANG_MAI, BANGKOK, thai(date(1962, 4, 30), 23), "ACCEPTED")

    country = await transfer_figures(station.connection, CaseFilter(scope=CaseScope.national(), **may), now)
    chosen = await transfer_figures(station.connection,
                                    CaseFilter(scope=CaseScope.national(), province_code=CHIANG_MAI, **may), now)

    assert country == TransferFigures(total=TransferAnswers(accepted=2, declined=2, waiting=1, past_due=1),
                                      offered_by=None, offered_to=None)
    by_chiang_mai = TransferAnswers(accepted=1, declined=1)
    to_chiang_mai = TransferAnswers(accepted=1, waiting=1, past_due=1)
    assert chosen == TransferFigures(total=TransferAnswers(accepted=2, declined=1, waiting=1, past_due=1),
                                     offered_by=by_chiang_mai, offered_to=to_chiang_mai)
    # The province's own account, and its team's (forwarded cases only), count the same; Phuket's
    # sees the same transfers from the other side.
    for scope in (CaseScope(province_code=CHIANG_MAI), CaseScope(province_code=CHIANG_MAI, forwarded_only=True)):
        assert await transfer_figures(station.connection, CaseFilter(scope=scope, **may), now) == chosen
        assert await transfer_figures(station.connection,
                                      CaseFilter(scope=scope, province_code=CHIANG_MAI, **may), now) == chosen
    phuket = await transfer_figures(station.connection, CaseFilter(scope=CaseScope(province_code=PHUKET), **may), now)
    assert phuket is not None
    assert (phuket.offered_by, phuket.offered_to) == (
        TransferAnswers(declined=1, waiting=1, past_due=1), TransferAnswers(accepted=1, declined=1))


async def test_a_transfer_not_answered_is_past_due_only_after_its_due_time(station: Station) -> None:
    requested_at = thai(date(1963, 3, 10))
    await station.transfer(await station.add_handoff(requested_at), CHIANG_MAI, PHUKET, requested_at)
    march = CaseFilter(scope=CaseScope.national(), reported_from=date(1963, 3, 1), reported_to=date(1963, 3, 31))

    answers = []
    for after in (TRANSFER_DUE_WITHIN - timedelta(seconds=1), TRANSFER_DUE_WITHIN, TRANSFER_DUE_WITHIN + timedelta(1)):
        figures = await transfer_figures(station.connection, march, now=requested_at + after)
        assert figures is not None
        answers.append(figures.total)

    assert answers == [TransferAnswers(waiting=1), TransferAnswers(waiting=1), TransferAnswers(past_due=1)]


async def test_transfers_follow_the_viewer_s_scope(station: Station) -> None:
    requested_at = thai(date(1963, 8, 10))
    await station.transfer(await station.add_handoff(requested_at), CHIANG_MAI, PHUKET, requested_at, "ACCEPTED")
    august = {"reported_from": date(1963, 8, 1), "reported_to": date(1963, 8, 31)}
    now = requested_at + timedelta(days=2)

    async def transfers(scope: CaseScope, **choices) -> TransferFigures | None:
        return await transfer_figures(station.connection, CaseFilter(scope=scope, **choices, **august), now)

    # A station counts none, even of the cares it forwarded (the police hold no care); nor does a
    # scope that sees nothing.
    assert await transfers(CaseScope(station_id=station.station_id)) is None
    assert await transfers(CaseScope(station_id=station.station_id), province_code=CHIANG_MAI) is None
    assert await transfers(CaseScope(province_code=CHIANG_MAI, nothing=True)) is None
    # A province chosen outside the viewer's own holds nothing, not the transfers between the two.
    assert await transfers(CaseScope(province_code=CHIANG_MAI), province_code=PHUKET) == TransferFigures(
        total=TransferAnswers(), offered_by=TransferAnswers(), offered_to=TransferAnswers())
    assert await transfers(CaseScope(province_code=BANGKOK)) == TransferFigures(
        total=TransferAnswers(), offered_by=TransferAnswers(), offered_to=TransferAnswers())
    # The care is Phuket's now; Chiang Mai still counts the offer its team made.
    assert (await transfers(CaseScope(province_code=CHIANG_MAI))) == TransferFigures(
        total=TransferAnswers(accepted=1), offered_by=TransferAnswers(accepted=1), offered_to=TransferAnswers())
