"""Retention (PDPA): a case over for longer than the retention period loses its personal data and
keeps what the statistics count; open cases, cases over more recently, and forwarded cases whose
care goes on keep everything; running again changes nothing, and each case is audited once.

Other tests write cases into the same database: every case here is from the 1960s and the cut-off
is 1 January 1965, a time no other test's case is over by, and each test first anonymises whatever
earlier tests here left due."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import asyncpg
import pytest

from database.retention import anonymise_closed_cases
from database.timeline import insert_entry
from domain.clock import THAILAND
from domain.handoff import HandoffStatus
from domain.handoff_timeline import PersonDescribed
from domain.models import CaseStatus
from domain.person_helped import AgeBand, Known, PersonHelped
from tests.retention import MUEANG_CHIANG_MAI, TEAM_NOTE, Reporter, everything_about

CUT_OFF = datetime(1965, 1, 1, tzinfo=THAILAND)
LONG_BEFORE = CUT_OFF - timedelta(days=200)
JUST_BEFORE = CUT_OFF - timedelta(minutes=1)
AFTER = CUT_OFF + timedelta(days=30)
FORWARDED_AT = LONG_BEFORE - timedelta(days=10)


async def anonymise_all_due(connection: asyncpg.Connection, batch: int = 50) -> list[str]:
    """Batches until none is left, as the nightly activity runs them."""
    done: list[str] = []
    while True:
        batch_done = await anonymise_closed_cases(connection, CUT_OFF, batch)
        done += batch_done
        if len(batch_done) < batch:
            return done


@pytest.fixture
async def connection(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as connection:
        await anonymise_all_due(connection)  # what earlier tests left due is not this test's
        yield connection


@pytest.fixture
def reporter(connection: asyncpg.Connection) -> Reporter:
    return Reporter(connection)


async def dashboard_counts(connection: asyncpg.Connection, days: list[date]) -> list[tuple]:
    """The dashboard's counters (migration 0005) for these days, every area."""
    rows = []
    for table, order in (("case_day_counts", "area, incident_type_code, status"),
                         ("case_day_province_counts", "province_code"),
                         ("case_day_ack_minutes", "area, minute"),
                         ("case_day_ack_seconds", "area, seconds")):
        rows += [(table, *row.values()) for row in
                 await connection.fetch(f"SELECT * FROM {table} WHERE day = ANY($1) ORDER BY day, {order}", days)]
    return rows


# --- What goes, what stays -----------------------------------------------------------------------


async def test_a_case_over_before_the_cut_off_loses_its_personal_data(connection, reporter: Reporter) -> None:
    case_no = await reporter.case(CaseStatus.CLOSED, closed_at=LONG_BEFORE)
    before = await everything_about(connection, case_no)
    assert all(secret in before for secret in reporter.personal_data if secret != TEAM_NOTE)  # no hand-off

    assert await anonymise_closed_cases(connection, CUT_OFF, 10) == [case_no]

    after = await everything_about(connection, case_no)
    assert [secret for secret in reporter.personal_data if secret in after] == []
    case = await connection.fetchrow("SELECT * FROM cases WHERE case_no = $1", case_no)
    assert case["phone_e164"] is None
    assert case["line_user_id"] == case["reporter_key"] == "anonymised"
    assert case["location_title"] is None and case["location_address"] is None
    assert case["outcome_note"] is None
    assert await connection.fetchval("SELECT count(*) FROM case_attachments WHERE case_no = $1", case_no) == 0
    # The place, to about a kilometre: the incident map still shows the district's hot spots.
    assert (case["latitude"], case["longitude"]) == (18.79, 98.99)
    assert case["anonymised_at"] is not None


async def test_an_anonymised_case_keeps_what_the_statistics_count_and_its_story(connection, reporter: Reporter) -> None:
    case_no = await reporter.case(CaseStatus.NOT_FOUND, closed_at=LONG_BEFORE)
    counted = ("status", "incident_type_code", "province_code", "district_code", "reported_at", "acknowledged_at",
               "closed_at", "escalation_level", "station_id", "complete")
    case_before = await connection.fetchrow("SELECT * FROM cases WHERE case_no = $1", case_no)
    timeline_before = await connection.fetch(
        "SELECT kind, at, actor FROM case_events WHERE case_no = $1 ORDER BY id", case_no)

    await anonymise_all_due(connection)

    case_after = await connection.fetchrow("SELECT * FROM cases WHERE case_no = $1", case_no)
    assert {name: case_after[name] for name in counted} == {name: case_before[name] for name in counted}
    assert case_after["status"] == "NOT_FOUND" and case_after["district_code"] == MUEANG_CHIANG_MAI
    timeline = await connection.fetch("SELECT kind, at, actor, details FROM case_events WHERE case_no = $1 ORDER BY id",
                                      case_no)
    assert [(e["kind"], e["at"], e["actor"]) for e in timeline] == [tuple(e.values()) for e in timeline_before]
    # Only codes and numbers stay in the details: the status it moved to, the escalation level.
    assert [e["details"] for e in timeline] == [
        {"anonymised": True},
        {"anonymised": True},
        {"anonymised": True},
        {"anonymised": True, "level": 1},
        {"anonymised": True, "status": "NOT_FOUND"},
    ]


async def test_the_dashboard_counts_do_not_move(connection, reporter: Reporter) -> None:
    cases = [await reporter.case(status, closed_at=LONG_BEFORE + timedelta(hours=n))
             for n, status in enumerate((CaseStatus.CLOSED, CaseStatus.PRANK, CaseStatus.NOT_FOUND))]
    days = sorted({(LONG_BEFORE + timedelta(hours=n - 5)).astimezone(THAILAND).date() for n in range(3)})
    before = await dashboard_counts(connection, days)
    assert sum(row[-1] for row in before if row[0] == "case_day_counts" and row[1] == "TH") >= 3

    assert set(cases) <= set(await anonymise_all_due(connection))

    assert await dashboard_counts(connection, days) == before


# --- What is not due ------------------------------------------------------------------------------


async def test_open_cases_and_cases_over_after_the_cut_off_keep_everything(connection, reporter: Reporter) -> None:
    kept = [
        await reporter.case(CaseStatus.NEW, closed_at=None, reported_at=LONG_BEFORE),
        await reporter.case(CaseStatus.ACKNOWLEDGED, closed_at=None, reported_at=LONG_BEFORE),
        await reporter.case(CaseStatus.CLOSED, closed_at=AFTER, reported_at=LONG_BEFORE),
        await reporter.case(CaseStatus.PRANK, closed_at=CUT_OFF),
    ]
    # Handed back by the team long ago: the case is open at its station again.
    returned = await reporter.case(CaseStatus.RETURNED, closed_at=None, reported_at=LONG_BEFORE)
    await reporter.handoff(returned, HandoffStatus.REJECTED, FORWARDED_AT, ended_at=LONG_BEFORE)
    kept.append(returned)
    over = await reporter.case(CaseStatus.CLOSED, closed_at=JUST_BEFORE)
    before = {case_no: await everything_about(connection, case_no) for case_no in kept}

    assert await anonymise_all_due(connection) == [over]

    assert {case_no: await everything_about(connection, case_no) for case_no in kept} == before


async def test_a_forwarded_case_keeps_its_data_while_its_team_is_still_on_it(connection, reporter: Reporter) -> None:
    awaiting = await reporter.case(CaseStatus.FORWARDED, closed_at=LONG_BEFORE)
    await reporter.handoff(awaiting, HandoffStatus.AWAITING, FORWARDED_AT)
    in_care = await reporter.case(CaseStatus.FORWARDED, closed_at=LONG_BEFORE)
    await reporter.handoff(in_care, HandoffStatus.IN_CARE, FORWARDED_AT)
    care_closed_lately = await reporter.case(CaseStatus.FORWARDED, closed_at=LONG_BEFORE)
    await reporter.handoff(care_closed_lately, HandoffStatus.CLOSED, FORWARDED_AT, ended_at=AFTER)
    kept = [awaiting, in_care, care_closed_lately]
    before = {case_no: await everything_about(connection, case_no) for case_no in kept}

    assert await anonymise_all_due(connection) == []

    assert {case_no: await everything_about(connection, case_no) for case_no in kept} == before


async def test_a_forwarded_case_whose_care_ended_before_the_cut_off_is_anonymised_with_its_handoff(
        connection, reporter: Reporter) -> None:
    case_no = await reporter.case(CaseStatus.FORWARDED, closed_at=LONG_BEFORE)
    first = await reporter.handoff(case_no, HandoffStatus.REJECTED, FORWARDED_AT, ended_at=LONG_BEFORE,
                                   attempt=1)
    second = await reporter.handoff(case_no, HandoffStatus.CLOSED, FORWARDED_AT, ended_at=JUST_BEFORE,
                                    attempt=2)
    assert TEAM_NOTE in await everything_about(connection, case_no)

    assert await anonymise_all_due(connection) == [case_no]

    assert [secret for secret in reporter.personal_data if secret in await everything_about(connection, case_no)] == []
    handoffs = await connection.fetch("SELECT * FROM handoffs WHERE case_no = $1 ORDER BY attempt", case_no)
    assert [(h["status"], h["consent"], h["care_outcome"], h["rejected_at"], h["closed_at"]) for h in handoffs] == [
        ("REJECTED", "GIVEN", None, LONG_BEFORE, None),
        ("CLOSED", "GIVEN", "SHELTERED", None, JUST_BEFORE),
    ]
    assert [(h["forward_note"], h["reject_reason"], h["care_note"]) for h in handoffs] == [(None, None, None)] * 2
    timeline = await connection.fetch(
        "SELECT handoff_id, kind, actor, details FROM handoff_events WHERE handoff_id = ANY($1) ORDER BY id",
        [first, second])
    due_at = (FORWARDED_AT + timedelta(days=3)).isoformat()
    assert [tuple(e.values()) for e in timeline] == [
        (handoff_id, kind, "member:3", details) for handoff_id in (first, second) for kind, details in (
            ("PLANNED", {"anonymised": True, "number": 1, "due_at": due_at}),
            ("NOTE", {"anonymised": True}),
        )
    ]
    follow_ups = await connection.fetch(
        "SELECT status, note, outcome FROM follow_ups WHERE handoff_id = ANY($1)", [first, second])
    assert [tuple(f.values()) for f in follow_ups] == [("DONE", "", None)] * 2


async def test_the_record_of_the_person_helped_goes_with_the_case(connection, reporter: Reporter) -> None:
    case_no = await reporter.case(CaseStatus.FORWARDED, closed_at=LONG_BEFORE)
    handoff_id = await reporter.handoff(case_no, HandoffStatus.CLOSED, FORWARDED_AT, ended_at=LONG_BEFORE)
    person = PersonHelped(is_reporter=Known.NO, age_band=AgeBand.FROM_6_TO_11, nationality="เมียนมา",
                          household="อยู่กับแม่และพ่อเลี้ยง")
    await insert_entry(connection, "handoff_events", handoff_id, f"{handoff_id}:person", "PERSON_DESCRIBED",
                       FORWARDED_AT + timedelta(days=1), "member:3",
                       PersonDescribed(member_id=3, person=person).details())

    assert await anonymise_all_due(connection) == [case_no]

    details = await connection.fetchval(
        "SELECT details FROM handoff_events WHERE handoff_id = $1 AND kind = 'PERSON_DESCRIBED'", handoff_id)
    assert details == {"anonymised": True}
    assert "เมียนมา" not in await everything_about(connection, case_no)


async def test_the_reasons_an_agency_a_supervisor_or_another_team_gave_go_with_the_case(
        connection, reporter: Reporter) -> None:
    case_no = await reporter.case(CaseStatus.FORWARDED, closed_at=LONG_BEFORE)
    handoff_id = await reporter.handoff(case_no, HandoffStatus.CLOSED, FORWARDED_AT, ended_at=LONG_BEFORE)
    await connection.execute(
        "INSERT INTO referrals (handoff_id, number, agency_kind, agency_name_th, referred_at, due_at, answer, reason)"
        " VALUES ($1, 2, 'SHELTER', 'บ้านพักเด็กและครอบครัว', $2, $2, 'DECLINED', 'น้องหนูนาอายุเกินเกณฑ์')",
        handoff_id, FORWARDED_AT)
    await connection.execute(
        "INSERT INTO care_approvals (event_key, handoff_id, subject, requested_at, answer, reason)"
        " VALUES ($1, $2, 'CLOSURE', $3, 'SENT_BACK', 'ยังไม่ได้เยี่ยมบ้านน้องหนูนา')",
        f"{handoff_id}:approval", handoff_id, FORWARDED_AT)
    await connection.execute(
        "INSERT INTO handoff_transfers (event_key, handoff_id, from_province_code, to_province_code, requested_at,"
        " accept_due_at, note, answer, reason) SELECT $1, $2, h.province_code, h.province_code, $3, $3,"
        " 'น้องหนูนาย้ายไปอยู่กับป้า', 'DECLINED', 'ป้าของหนูนาอยู่นอกเขต' FROM handoffs h WHERE h.handoff_id = $2",
        f"{handoff_id}:transfer", handoff_id, FORWARDED_AT)
    assert "หนูนา" in await everything_about(connection, case_no)

    assert await anonymise_all_due(connection) == [case_no]

    assert "หนูนา" not in await everything_about(connection, case_no)
    assert await connection.fetchval("SELECT answer FROM referrals WHERE handoff_id = $1", handoff_id) == "DECLINED"


# --- Again and again ------------------------------------------------------------------------------


async def test_running_again_changes_nothing_and_each_case_is_audited_once(connection, reporter: Reporter) -> None:
    cases = [await reporter.case(CaseStatus.CLOSED, LONG_BEFORE + timedelta(minutes=n)) for n in range(3)]
    assert await anonymise_all_due(connection, batch=2) == cases  # the oldest first
    anonymised = {case_no: await everything_about(connection, case_no) for case_no in cases}

    assert await anonymise_all_due(connection) == []

    assert {case_no: await everything_about(connection, case_no) for case_no in cases} == anonymised
    audit = await connection.fetch(
        "SELECT case_no, action, officer_id, account_id, details FROM audit_log WHERE case_no = ANY($1) ORDER BY id",
        cases)
    assert [(row["case_no"], row["action"], row["officer_id"], row["account_id"]) for row in audit] == [
        (case_no, "CASE_ANONYMISED", None, None) for case_no in cases
    ]
    assert [(row["details"]["actor"], datetime.fromisoformat(row["details"]["closed_before"])) for row in audit] == [
        ("system", CUT_OFF)
    ] * 3


async def test_a_batch_takes_at_most_its_limit_and_skips_a_case_another_run_holds(
        pool: asyncpg.Pool, connection, reporter: Reporter) -> None:
    held, *others = [await reporter.case(CaseStatus.CLOSED, LONG_BEFORE + timedelta(minutes=n)) for n in range(3)]

    async with pool.acquire() as other_run, other_run.transaction():
        await other_run.execute("SELECT 1 FROM cases WHERE case_no = $1 FOR UPDATE", held)
        # Waiting for the held case would hang here: fail within seconds instead.
        assert await asyncio.wait_for(anonymise_closed_cases(connection, CUT_OFF, 1), 5) == [others[0]]
        assert await asyncio.wait_for(anonymise_closed_cases(connection, CUT_OFF, 5), 5) == [others[1]]

    assert await anonymise_closed_cases(connection, CUT_OFF, 5) == [held]


async def test_a_case_handed_over_to_the_team_is_kept_while_in_care_and_anonymised_once_the_care_ended(
        connection, reporter: Reporter) -> None:
    in_care = await reporter.case(CaseStatus.HANDED_OVER, closed_at=LONG_BEFORE)
    await reporter.handoff(in_care, HandoffStatus.IN_CARE, FORWARDED_AT)
    care_ended = await reporter.case(CaseStatus.HANDED_OVER, closed_at=LONG_BEFORE)
    await reporter.handoff(care_ended, HandoffStatus.CLOSED, FORWARDED_AT, ended_at=JUST_BEFORE)
    kept = await everything_about(connection, in_care)

    assert await anonymise_all_due(connection) == [care_ended]

    assert await everything_about(connection, in_care) == kept
    assert [secret for secret in reporter.personal_data
            if secret in await everything_about(connection, care_ended)] == []
    assert await connection.fetchval("SELECT status FROM cases WHERE case_no = $1", care_ended) == "HANDED_OVER"
