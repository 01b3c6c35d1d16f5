"""The hand-off store: the hand-off row, its own timeline and its care plan follow the workflow's
entries, each written once however often an activity runs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError

from activities.cases import CaseStore
from activities.handoffs import HandoffStore
from domain.handoff import (
    CareOutcome,
    Consent,
    FollowUpKind,
    HandoffEvent,
    HandoffOpened,
    HandoffOpening,
    TeamAudience,
    TeamRole,
    handoff_id_of,
)
from domain.handoff_timeline import (
    Accepted,
    Assigned,
    CaseNotTold,
    ConsentAnswered,
    Escalated,
    FollowUpPlanned,
    FollowUpRecorded,
    FollowUpReminded,
    HandoffClosed,
    HandoffTimelineEntry,
    HandoffTimelineEvent,
    Rejected,
    ReporterTold,
    TeamAlerted,
    TeamNoted,
    TeamReminded,
)
from domain.models import (
    CaseNumberRequest,
    CaseOpening,
    IncidentType,
    Language,
    Location,
    Officer,
    OfficerRole,
    PhoneNumber,
    Place,
    Prompt,
    Report,
    Reporter,
)

FORWARDED_AT = datetime(2026, 3, 15, 9, 30, tzinfo=UTC)
REPORT = Report(
    incident_type=IncidentType(code="SEXUAL_ABUSE_RISK", label_th="เสี่ยงถูกล่วงละเมิดทางเพศ", label_en="At risk"),
    location=Location(latitude=13.72, longitude=100.58, title="ตลาดคลองเตย"),
    place=Place(inside_thailand=True, province_code="10", district_code="1033"),
    phone=PhoneNumber(valid=True, e164="+66812345678", national="081-234-5678"),
    complete=True,
    reported_at=FORWARDED_AT - timedelta(hours=2),
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def at(minutes: int) -> datetime:
    return FORWARDED_AT + timedelta(minutes=minutes)


@pytest.fixture
def store(pool: asyncpg.Pool) -> HandoffStore:
    return HandoffStore(pool)


@dataclass
class Forwarded:
    """A police case forwarded to Bangkok's team, and two of that team's members."""

    opened: HandoffOpened
    coordinator: int
    social_worker: int

    @property
    def handoff_id(self) -> str:
        return self.opened.opening.handoff_id

    @property
    def case_no(self) -> str:
        return self.opened.opening.case_no

    def event(self, kind: str, minutes: int, actor: str = "system", /, **details: object) -> HandoffEvent:
        """An entry `minutes` after the forwarding (details may have a "kind" of their own)."""
        return HandoffEvent(key=unique(f"{self.handoff_id}:{kind}"), handoff_id=self.handoff_id, case_no=self.case_no,
                            kind=kind, at=at(minutes), actor=actor, details=details)

    def entry(self, event: HandoffTimelineEvent, minutes: int, actor: str = "system") -> HandoffTimelineEntry:
        """A typed entry `minutes` after the forwarding, as the workflow writes them."""
        return HandoffTimelineEntry(key=unique(f"{self.handoff_id}:{event.kind}"), handoff_id=self.handoff_id,
                                    case_no=self.case_no, at=at(minutes), actor=actor, event=event)


async def add_member(pool: asyncpg.Pool, role: TeamRole, province_code: str | None = "10") -> int:
    return await pool.fetchval(
        "INSERT INTO team_members (code, name, role, province_code) VALUES ($1, 'ทดสอบ ทีม', $2, $3) RETURNING id",
        unique("TEAM"), role.value, province_code,
    )


async def forwarded_case(pool: asyncpg.Pool, *, officer_id: int | None = None, attempt: int = 1) -> Forwarded:
    cases = CaseStore(pool, download_content=None)  # type: ignore[arg-type]
    case_no = await cases.allocate_case_number(CaseNumberRequest(conversation_id=unique("conversation"), year=2026))
    reporter = Reporter(user_id=unique("U"), reporter_key=unique("reporter"), language=Language.THAI)
    await cases.record_case_opened(CaseOpening(case_no=case_no, conversation_id=unique("c"), reporter=reporter,
                                               report=REPORT))
    station_id = await pool.fetchval("SELECT id FROM stations WHERE code = 'DEMO-1033'")
    if officer_id is None:
        officer_id = await pool.fetchval("SELECT id FROM officers WHERE code = 'DEMO-OFFICER-1033-INSPECTOR'")
    opening = HandoffOpening(
        handoff_id=handoff_id_of(case_no, attempt), case_no=case_no, attempt=attempt, province_code="10",
        station_id=station_id, reporter=reporter, report=REPORT,
        forwarded_by=Officer(officer_id=officer_id, name="ร.ต.อ. ทดสอบ", role=OfficerRole.INSPECTOR,
                             province_code="10", station_id=station_id),
        forward_note="ผู้เสียหายอายุ 14 ปี ต้องการที่พักปลอดภัย", forwarded_at=FORWARDED_AT,
    )
    return Forwarded(HandoffOpened(opening=opening, accept_due_at=at(24 * 60)),
                     await add_member(pool, TeamRole.COORDINATOR), await add_member(pool, TeamRole.SOCIAL_WORKER))


async def opened_handoff(pool: asyncpg.Pool, store: HandoffStore) -> Forwarded:
    forwarded = await forwarded_case(pool)
    await store.record_handoff_opened(forwarded.opened)
    return forwarded


async def handoff_row(pool: asyncpg.Pool, handoff_id: str) -> dict:
    row = await pool.fetchrow("SELECT * FROM handoffs WHERE handoff_id = $1", handoff_id)
    return {key: value for key, value in dict(row).items() if key != "updated_at"}


async def timeline(pool: asyncpg.Pool, handoff_id: str) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT event_key, kind, at, actor, details FROM handoff_events WHERE handoff_id = $1 ORDER BY at, id",
        handoff_id)


async def follow_ups(pool: asyncpg.Pool, handoff_id: str) -> list[dict]:
    rows = await pool.fetch("SELECT * FROM follow_ups WHERE handoff_id = $1 ORDER BY number", handoff_id)
    return [dict(row) for row in rows]


async def append_twice(store: HandoffStore, event: HandoffEvent | HandoffTimelineEntry) -> None:
    """As Temporal may run it: once, then again after a lost answer."""
    await store.append_handoff_event(event)
    await store.append_handoff_event(event)


# --- opening ---------------------------------------------------------------------------------------


async def test_a_new_hand_off_is_recorded_once_with_its_opened_entry(store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await forwarded_case(pool)
    opening = forwarded.opened.opening
    await store.record_handoff_opened(forwarded.opened)
    await store.record_handoff_opened(forwarded.opened)
    row = await handoff_row(pool, forwarded.handoff_id)
    assert row == row | {
        "case_no": opening.case_no, "attempt": 1, "province_code": "10", "station_id": opening.station_id,
        "status": "AWAITING", "consent": "ASKED", "forwarded_at": FORWARDED_AT,
        "forwarded_by": opening.forwarded_by.officer_id, "forward_note": opening.forward_note,
        "accept_due_at": at(24 * 60), "escalation_level": 0, "accepted_at": None, "case_worker_id": None,
        "care_outcome": None,
    }
    [opened] = await timeline(pool, forwarded.handoff_id)
    assert (opened["event_key"], opened["kind"], opened["at"], opened["actor"]) == (
        f"{forwarded.handoff_id}:opened", "OPENED", FORWARDED_AT, f"officer:{opening.forwarded_by.officer_id}")
    assert opened["details"] == {"incident_type": "SEXUAL_ABUSE_RISK", "attempt": 1, "province_code": "10",
                                 "district_code": "1033"}


async def test_a_second_attempt_of_the_same_case_is_a_hand_off_of_its_own(
        store: HandoffStore, pool: asyncpg.Pool) -> None:
    first = await opened_handoff(pool, store)
    again = first.opened.model_copy(deep=True)
    again.opening.attempt = 2
    again.opening.handoff_id = handoff_id_of(first.case_no, 2)
    await store.record_handoff_opened(again)
    rows = await pool.fetch("SELECT handoff_id, attempt FROM handoffs WHERE case_no = $1 ORDER BY attempt",
                            first.case_no)
    assert [(r["handoff_id"], r["attempt"]) for r in rows] == [(f"{first.case_no}-1", 1), (f"{first.case_no}-2", 2)]


async def test_an_officer_no_longer_in_the_directory_is_named_on_the_timeline_only(
    store: HandoffStore, pool: asyncpg.Pool
) -> None:
    forwarded = await forwarded_case(pool, officer_id=2_000_000_000)
    await store.record_handoff_opened(forwarded.opened)
    assert (await handoff_row(pool, forwarded.handoff_id))["forwarded_by"] is None
    assert [e["actor"] for e in await timeline(pool, forwarded.handoff_id)] == ["officer:2000000000"]


async def test_a_hand_off_of_an_unknown_case_or_station_is_refused_for_good(
        store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await forwarded_case(pool)
    for broken in (
        forwarded.opened.model_copy(update={"opening": forwarded.opened.opening.model_copy(
            update={"case_no": "ESS-1999-999999", "handoff_id": "ESS-1999-999999-1"})}),
        forwarded.opened.model_copy(update={"opening": forwarded.opened.opening.model_copy(
            update={"station_id": 2_000_000_000})}),
    ):
        with pytest.raises(ApplicationError) as raised:
            await store.record_handoff_opened(broken)
        assert (raised.value.type, raised.value.non_retryable) == ("UnknownReference", True)
        assert forwarded.opened.opening.forward_note not in str(raised.value)
    assert await pool.fetchval("SELECT count(*) FROM handoffs WHERE case_no = $1", forwarded.case_no) == 0


# --- entries and what they change ------------------------------------------------------------------


async def test_alerts_reminders_and_notes_are_timeline_only(store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    before = await handoff_row(pool, forwarded.handoff_id)
    entries = [
        forwarded.event("ALERTED", 0, level=0, reminder=False, audiences=["TEAM"], member_ids=[forwarded.coordinator]),
        forwarded.event("REMINDED", 720, level=0),
        forwarded.event("NOTE", 730, f"member:{forwarded.coordinator}", member_id=forwarded.coordinator, note="โทรแล้ว"),
        forwarded.event("REPORTER_TOLD", 740, prompt="reporter_in_care"),
    ]
    for entry in entries:
        await append_twice(store, entry)
    assert await handoff_row(pool, forwarded.handoff_id) == before
    written = await timeline(pool, forwarded.handoff_id)
    assert [e["kind"] for e in written] == ["OPENED", "ALERTED", "REMINDED", "NOTE", "REPORTER_TOLD"]
    assert written[1]["details"] == {"level": 0, "reminder": False, "audiences": ["TEAM"],
                                     "member_ids": [forwarded.coordinator]}
    assert written[3]["actor"] == f"member:{forwarded.coordinator}"


async def test_escalation_only_ever_raises_the_level(store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    await append_twice(store, forwarded.event("ESCALATED", 24 * 60, level=1))
    assert (await handoff_row(pool, forwarded.handoff_id))["escalation_level"] == 1
    await append_twice(store, forwarded.event("ESCALATED", 36 * 60, level=2))
    await append_twice(store, forwarded.event("ESCALATED", 30 * 60, level=1))  # written late
    assert (await handoff_row(pool, forwarded.handoff_id))["escalation_level"] == 2


async def test_the_reporters_answer_sets_the_consent_and_a_late_older_one_does_not_undo_it(
    store: HandoffStore, pool: asyncpg.Pool
) -> None:
    forwarded = await opened_handoff(pool, store)
    await append_twice(store, forwarded.event("CONSENT", 5, "reporter", consent="GIVEN"))
    assert (await handoff_row(pool, forwarded.handoff_id))["consent"] == "GIVEN"
    await append_twice(store, forwarded.event("CONSENT", 60, "reporter", consent="REFUSED"))
    await append_twice(store, forwarded.event("CONSENT", 30, "reporter", consent="GIVEN"))  # written late
    assert (await handoff_row(pool, forwarded.handoff_id))["consent"] == "REFUSED"


async def test_acceptance_puts_the_case_in_care_with_its_case_worker(store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    await append_twice(store, forwarded.event("ACCEPTED", 45, f"member:{forwarded.coordinator}",
                                              member_id=forwarded.coordinator, case_worker_id=forwarded.social_worker))
    row = await handoff_row(pool, forwarded.handoff_id)
    assert (row["status"], row["accepted_at"], row["accepted_by"], row["case_worker_id"]) == (
        "IN_CARE", at(45), forwarded.coordinator, forwarded.social_worker)


async def test_whoever_accepts_is_the_case_worker_when_nobody_else_is_named(
        store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    await store.append_handoff_event(forwarded.event("ACCEPTED", 45, member_id=forwarded.coordinator,
                                                     case_worker_id=None))
    assert (await handoff_row(pool, forwarded.handoff_id))["case_worker_id"] == forwarded.coordinator


async def test_a_rejection_gives_the_case_back_with_its_reason(store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    await append_twice(store, forwarded.event("REJECTED", 90, member_id=forwarded.coordinator,
                                              reason="ไม่ใช่กรณีของทีม ต้องดำเนินคดีก่อน"))
    row = await handoff_row(pool, forwarded.handoff_id)
    assert (row["status"], row["rejected_at"], row["reject_reason"], row["accepted_at"]) == (
        "REJECTED", at(90), "ไม่ใช่กรณีของทีม ต้องดำเนินคดีก่อน", None)


async def test_another_case_worker_is_assigned_and_a_late_older_assignment_does_not_undo_it(
    store: HandoffStore, pool: asyncpg.Pool
) -> None:
    forwarded = await opened_handoff(pool, store)
    home = await add_member(pool, TeamRole.CHILDRENS_HOME)
    await store.append_handoff_event(forwarded.event("ACCEPTED", 45, member_id=forwarded.coordinator))
    await append_twice(store, forwarded.event("ASSIGNED", 120, member_id=forwarded.coordinator, case_worker_id=home))
    assert (await handoff_row(pool, forwarded.handoff_id))["case_worker_id"] == home
    await append_twice(store, forwarded.event("ASSIGNED", 100, member_id=forwarded.coordinator,
                                              case_worker_id=forwarded.social_worker))  # written late
    row = await handoff_row(pool, forwarded.handoff_id)
    assert (row["case_worker_id"], row["accepted_by"]) == (home, forwarded.coordinator)


async def test_the_care_plan_is_planned_recorded_and_closed(store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    worker = forwarded.social_worker
    await store.append_handoff_event(forwarded.event("ACCEPTED", 45, member_id=forwarded.coordinator,
                                                     case_worker_id=worker))
    visit_due, call_due = at(3 * 24 * 60), at(7 * 24 * 60)
    await append_twice(store, forwarded.event("PLANNED", 60, member_id=worker, number=1, kind="HOME_VISIT",
                                              due_at=visit_due.isoformat(), note="เยี่ยมบ้านพร้อม อสม."))
    await append_twice(store, forwarded.event("PLANNED", 61, member_id=worker, number=2, kind="CALL",
                                              due_at=call_due.isoformat(), note=""))
    planned = await follow_ups(pool, forwarded.handoff_id)
    assert [(f["number"], f["kind"], f["due_at"], f["note"], f["planned_by"], f["planned_at"], f["status"])
            for f in planned] == [
        (1, "HOME_VISIT", visit_due, "เยี่ยมบ้านพร้อม อสม.", worker, at(60), "PLANNED"),
        (2, "CALL", call_due, "", worker, at(61), "PLANNED"),
    ]

    await append_twice(store, forwarded.event("RECORDED", 3 * 24 * 60, member_id=worker, number=1,
                                              outcome="พบผู้เสียหาย ปลอดภัย"))
    visit = (await follow_ups(pool, forwarded.handoff_id))[0]
    assert (visit["status"], visit["outcome"], visit["recorded_at"]) == ("DONE", "พบผู้เสียหาย ปลอดภัย", at(3 * 24 * 60))

    await append_twice(store, forwarded.event("CLOSED", 4 * 24 * 60, member_id=worker, outcome="SAFE_WITH_FAMILY",
                                              note="กลับไปอยู่กับยาย"))
    row = await handoff_row(pool, forwarded.handoff_id)
    assert (row["status"], row["closed_at"], row["care_outcome"], row["care_note"]) == (
        "CLOSED", at(4 * 24 * 60), "SAFE_WITH_FAMILY", "กลับไปอยู่กับยาย")
    assert [(f["number"], f["status"]) for f in await follow_ups(pool, forwarded.handoff_id)] == [
        (1, "DONE"), (2, "CANCELLED")]
    assert [e["kind"] for e in await timeline(pool, forwarded.handoff_id)] == [
        "OPENED", "ACCEPTED", "PLANNED", "PLANNED", "RECORDED", "CLOSED"]


async def test_a_follow_up_planned_after_the_care_closed_is_cancelled_at_once(
        store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    await store.append_handoff_event(forwarded.event("ACCEPTED", 45, member_id=forwarded.coordinator))
    await store.append_handoff_event(forwarded.event("CLOSED", 200, member_id=forwarded.coordinator,
                                                     outcome="REFERRED", note="-"))
    await store.append_handoff_event(forwarded.event("PLANNED", 100, member_id=forwarded.coordinator, number=1,
                                                     kind="REFERRAL", due_at=at(300).isoformat(),
                                                     note=""))  # written late
    assert [f["status"] for f in await follow_ups(pool, forwarded.handoff_id)] == ["CANCELLED"]


# --- what is refused ---------------------------------------------------------------------------------


async def refusal(store: HandoffStore, event: HandoffEvent | HandoffTimelineEntry) -> ApplicationError:
    with pytest.raises(ApplicationError) as raised:
        await store.append_handoff_event(event)
    assert raised.value.non_retryable
    return raised.value


async def test_an_entry_for_an_unknown_hand_off_is_refused_for_good(store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await forwarded_case(pool)  # never opened
    error = await refusal(store, forwarded.event("ALERTED", 0, level=0))
    assert error.type == "UnknownHandoff"
    assert await pool.fetchval("SELECT count(*) FROM handoff_events WHERE handoff_id = $1", forwarded.handoff_id) == 0


@pytest.mark.parametrize("kind, details", [
    ("ACCEPTED", {"member_id": 2_000_000_000}),
    ("ACCEPTED", {"member_id": "own", "case_worker_id": 2_000_000_000}),
    ("ASSIGNED", {"member_id": "own", "case_worker_id": 2_000_000_000}),
    ("REJECTED", {"member_id": 2_000_000_000, "reason": "เหตุผลส่วนตัวของผู้เสียหาย"}),
    ("PLANNED", {"member_id": 2_000_000_000, "number": 1, "kind": "CALL", "due_at": "2026-03-20T09:00:00+07:00"}),
    ("NOTE", {"member_id": 2_000_000_000, "note": "บันทึก"}),
])
async def test_an_entry_naming_an_unknown_member_is_refused_and_writes_nothing(
    store: HandoffStore, pool: asyncpg.Pool, kind: str, details: dict
) -> None:
    forwarded = await opened_handoff(pool, store)
    details = {name: forwarded.coordinator if value == "own" else value for name, value in details.items()}
    before = await handoff_row(pool, forwarded.handoff_id)
    error = await refusal(store, forwarded.event(kind, 10, **details))
    assert error.type == "UnknownTeamMember"
    assert "เหตุผล" not in str(error) and "บันทึก" not in str(error)
    assert await handoff_row(pool, forwarded.handoff_id) == before
    assert [e["kind"] for e in await timeline(pool, forwarded.handoff_id)] == ["OPENED"]
    assert await follow_ups(pool, forwarded.handoff_id) == []


@pytest.mark.parametrize("kind, details", [
    ("CONSENT", {"consent": "MAYBE"}),
    ("CLOSED", {"outcome": "HAPPY", "note": "ข้อความ"}),
    ("PLANNED", {"number": 1, "kind": "PICNIC", "due_at": "2026-03-20T09:00:00+07:00"}),
    ("PLANNED", {"number": 1, "kind": "CALL", "due_at": "next week"}),
    ("PLANNED", {"number": 1, "kind": "CALL", "due_at": "2026-03-20T09:00:00"}),
    ("ESCALATED", {"level": "high"}),
    ("ESCALATED", {}),
])
async def test_an_entry_the_workflow_could_not_have_sent_is_refused(
    store: HandoffStore, pool: asyncpg.Pool, kind: str, details: dict
) -> None:
    forwarded = await opened_handoff(pool, store)
    if kind in ("PLANNED", "CLOSED"):
        await store.append_handoff_event(forwarded.event("ACCEPTED", 5, member_id=forwarded.coordinator))
        details = details | {"member_id": forwarded.coordinator}
    error = await refusal(store, forwarded.event(kind, 10, **details))
    assert error.type == "BadHandoffEvent"
    assert kind not in [e["kind"] for e in await timeline(pool, forwarded.handoff_id)]


async def test_recording_a_follow_up_that_was_never_planned_is_refused(store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    await store.append_handoff_event(forwarded.event("ACCEPTED", 5, member_id=forwarded.coordinator))
    error = await refusal(store, forwarded.event("RECORDED", 10, member_id=forwarded.coordinator, number=7,
                                                 outcome="พบตัวแล้ว"))
    assert error.type == "UnknownFollowUp" and "พบตัว" not in str(error)


# --- the service level -------------------------------------------------------------------------------


async def test_the_team_has_the_minutes_the_administrators_set_or_a_day(
        store: HandoffStore, pool: asyncpg.Pool) -> None:
    original = await pool.fetchrow("SELECT * FROM service_levels WHERE code = 'TEAM_ACCEPT'")
    try:
        await pool.execute("UPDATE service_levels SET minutes = 90 WHERE code = 'TEAM_ACCEPT'")
        assert await store.team_accept_minutes() == 90
        await pool.execute("DELETE FROM service_levels WHERE code = 'TEAM_ACCEPT'")
        assert await store.team_accept_minutes() == 1440
    finally:
        await pool.execute(
            """INSERT INTO service_levels (code, minutes, label_th, label_en) VALUES ($1, $2, $3, $4)
               ON CONFLICT (code) DO UPDATE SET minutes = EXCLUDED.minutes""",
            original["code"], original["minutes"], original["label_th"], original["label_en"])


# --- typed entries, as the workflow writes them now ------------------------------------------------


def a_care_story(forwarded: Forwarded, home: int) -> list[tuple[HandoffTimelineEvent, int, str, dict]]:
    """Every kind the workflow writes in a care that ends well: the event, when, by whom, and the details
    the old workflow wrote for it."""
    coordinator, worker = forwarded.coordinator, forwarded.social_worker
    visit_due, call_due = at(3 * 24 * 60), at(7 * 24 * 60).astimezone(timezone(timedelta(hours=7)))
    by_coordinator, by_worker = f"member:{coordinator}", f"member:{worker}"
    return [
        (TeamAlerted(level=0, audiences=[TeamAudience.TEAM], member_ids=[coordinator, worker]), 0, "system",
         {"level": 0, "reminder": False, "audiences": ["TEAM"], "member_ids": [coordinator, worker]}),
        (ConsentAnswered(consent=Consent.GIVEN), 5, "reporter", {"consent": "GIVEN"}),
        (TeamReminded(level=0, audiences=[TeamAudience.TEAM], member_ids=[]), 720, "system",
         {"level": 0, "reminder": True, "audiences": ["TEAM"], "member_ids": []}),
        (Escalated(level=1), 1440, "system", {"level": 1}),
        (Accepted(member_id=coordinator, case_worker_id=worker), 1500, by_coordinator,
         {"member_id": coordinator, "case_worker_id": worker}),
        (CaseNotTold(accepted=True), 1501, "system", {"accepted": True}),
        (ReporterTold(prompt=Prompt.REPORTER_IN_CARE), 1502, "system", {"prompt": "reporter_in_care"}),
        (Assigned(member_id=coordinator, case_worker_id=home), 1510, by_coordinator,
         {"member_id": coordinator, "case_worker_id": home}),
        (Assigned(member_id=coordinator, case_worker_id=worker), 1511, by_coordinator,
         {"member_id": coordinator, "case_worker_id": worker}),
        (FollowUpPlanned(member_id=worker, number=1, follow_up_kind=FollowUpKind.HOME_VISIT, due_at=visit_due,
                         note="เยี่ยมบ้านพร้อม อสม."), 1520, by_worker,
         {"member_id": worker, "number": 1, "kind": "HOME_VISIT", "due_at": visit_due.isoformat(),
          "note": "เยี่ยมบ้านพร้อม อสม."}),
        (FollowUpPlanned(member_id=worker, number=2, follow_up_kind=FollowUpKind.CALL, due_at=call_due, note=""),
         1521, by_worker,
         {"member_id": worker, "number": 2, "kind": "CALL", "due_at": call_due.isoformat(), "note": ""}),
        (TeamNoted(member_id=worker, note="โทรแล้ว"), 1600, by_worker, {"member_id": worker, "note": "โทรแล้ว"}),
        (FollowUpReminded(number=1, what="due_soon", member_ids=[worker]), 2 * 24 * 60, "system",
         {"number": 1, "what": "due_soon", "member_ids": [worker]}),
        (FollowUpRecorded(member_id=worker, number=1, outcome="พบผู้เสียหาย ปลอดภัย"), 3 * 24 * 60, by_worker,
         {"member_id": worker, "number": 1, "outcome": "พบผู้เสียหาย ปลอดภัย"}),
        (HandoffClosed(member_id=worker, outcome=CareOutcome.SAFE_WITH_FAMILY, note="กลับไปอยู่กับยาย"), 4 * 24 * 60,
         by_worker, {"member_id": worker, "outcome": "SAFE_WITH_FAMILY", "note": "กลับไปอยู่กับยาย"}),
    ]


async def test_typed_entries_keep_the_timeline_and_move_the_hand_off_as_the_old_shape_did(
    store: HandoffStore, pool: asyncpg.Pool
) -> None:
    typed, old = await opened_handoff(pool, store), await opened_handoff(pool, store)
    home = await add_member(pool, TeamRole.CHILDRENS_HOME)
    # The old hand-off's members are the typed one's, so both stories name the same people.
    old.coordinator, old.social_worker = typed.coordinator, typed.social_worker
    story = a_care_story(typed, home)
    for event, minutes, actor, details in story:
        await append_twice(store, typed.entry(event, minutes, actor))
        await store.append_handoff_event(old.event(event.kind, minutes, actor, **details))

    written = await timeline(pool, typed.handoff_id)
    assert [(e["kind"], e["at"], e["actor"], e["details"]) for e in written[1:]] == [
        (event.kind, at(minutes), actor, details) for event, minutes, actor, details in story]
    assert [(e["kind"], e["at"], e["actor"], e["details"]) for e in written] == [
        (e["kind"], e["at"], e["actor"], e["details"]) for e in await timeline(pool, old.handoff_id)]

    row = await handoff_row(pool, typed.handoff_id)
    assert (row["status"], row["consent"], row["escalation_level"], row["accepted_at"], row["accepted_by"],
            row["case_worker_id"], row["closed_at"], row["care_outcome"], row["care_note"]) == (
        "CLOSED", "GIVEN", 1, at(1500), typed.coordinator, typed.social_worker, at(4 * 24 * 60), "SAFE_WITH_FAMILY",
        "กลับไปอยู่กับยาย")
    assert {name: value for name, value in row.items() if name not in ("handoff_id", "case_no")} == {
        name: value for name, value in (await handoff_row(pool, old.handoff_id)).items()
        if name not in ("handoff_id", "case_no")}
    plan = [{name: value for name, value in f.items() if name not in ("id", "handoff_id")}
            for f in await follow_ups(pool, typed.handoff_id)]
    assert [(f["number"], f["status"], f["due_at"], f["planned_by"]) for f in plan] == [
        (1, "DONE", at(3 * 24 * 60), typed.social_worker), (2, "CANCELLED", at(7 * 24 * 60), typed.social_worker)]
    assert plan == [{name: value for name, value in f.items() if name not in ("id", "handoff_id")}
                    for f in await follow_ups(pool, old.handoff_id)]


async def test_a_typed_rejection_gives_the_case_back_with_its_reason(store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    rejection = forwarded.entry(Rejected(member_id=forwarded.coordinator, reason="ไม่ใช่กรณีของทีม"), 90,
                                f"member:{forwarded.coordinator}")
    await append_twice(store, rejection)
    row = await handoff_row(pool, forwarded.handoff_id)
    assert (row["status"], row["rejected_at"], row["reject_reason"]) == ("REJECTED", at(90), "ไม่ใช่กรณีของทีม")
    assert [e["details"] for e in await timeline(pool, forwarded.handoff_id)][1:] == [
        {"member_id": forwarded.coordinator, "reason": "ไม่ใช่กรณีของทีม"}]


async def test_a_typed_entry_naming_an_unknown_member_is_refused_and_writes_nothing(
    store: HandoffStore, pool: asyncpg.Pool
) -> None:
    forwarded = await opened_handoff(pool, store)
    before = await handoff_row(pool, forwarded.handoff_id)
    for event in (Accepted(member_id=forwarded.coordinator, case_worker_id=2_000_000_000),
                  TeamNoted(member_id=2_000_000_000, note="บันทึก")):
        error = await refusal(store, forwarded.entry(event, 10))
        assert error.type == "UnknownTeamMember" and "บันทึก" not in str(error)
    assert await handoff_row(pool, forwarded.handoff_id) == before
    assert [e["kind"] for e in await timeline(pool, forwarded.handoff_id)] == ["OPENED"]


async def test_recording_a_typed_follow_up_that_was_never_planned_is_refused(
        store: HandoffStore, pool: asyncpg.Pool) -> None:
    forwarded = await opened_handoff(pool, store)
    await store.append_handoff_event(forwarded.entry(Accepted(member_id=forwarded.coordinator,
                                                              case_worker_id=forwarded.coordinator), 5))
    error = await refusal(store, forwarded.entry(FollowUpRecorded(member_id=forwarded.coordinator, number=7,
                                                                  outcome="พบตัวแล้ว"), 10))
    assert error.type == "UnknownFollowUp" and "พบตัว" not in str(error)
