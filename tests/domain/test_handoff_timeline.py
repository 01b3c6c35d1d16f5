"""The hand-off timeline's typed events: each kind keeps, byte for byte, the details the back office has
always read, also after the trip from the workflow to the activity; an entry in the old shape (a kind
and a dict) is read into its event, or refused when the store could not follow it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pydantic
import pytest
from temporalio.common import _type_hints_from_func

from activities.handoffs import HandoffStore
from configuration.settings import Settings
from domain.handoff import CareOutcome, Consent, FollowUpKind, HandoffEvent, TeamAudience
from domain.handoff_timeline import (
    READ_KINDS,
    Accepted,
    Assigned,
    BaseHandoffEvent,
    CaseNotTold,
    ConsentAnswered,
    Escalated,
    FollowUpPlanned,
    FollowUpRecorded,
    FollowUpReminded,
    HandoffClosed,
    HandoffTimelineEntry,
    Opened,
    Rejected,
    ReporterTold,
    TeamAlerted,
    TeamNoted,
    TeamReminded,
    event_from_details,
)
from domain.models import Prompt
from orchestration.client import data_converter

AT = datetime(2026, 3, 15, 9, 30, tzinfo=UTC)
BANGKOK = timezone(timedelta(hours=7))
DUE = datetime(2026, 3, 18, 9, 30, tzinfo=UTC)
DUE_IN_BANGKOK = datetime(2026, 3, 20, 9, 0, 0, 250_000, tzinfo=BANGKOK)

# Each kind as the workflow (and the store, for OPENED) writes it now, and the details exactly as the
# old code built them (same expressions, same order of keys).
AS_BEFORE: list[tuple[BaseHandoffEvent, str, dict[str, Any]]] = [
    (Opened(incident_type="SEXUAL_ABUSE_RISK", attempt=1, province_code="10", district_code="1033"),
     "OPENED", {"incident_type": "SEXUAL_ABUSE_RISK", "attempt": 1, "province_code": "10", "district_code": "1033"}),
    (Opened(incident_type=None, attempt=2, province_code="10", district_code=None),
     "OPENED", {"incident_type": None, "attempt": 2, "province_code": "10", "district_code": None}),
    (TeamAlerted(level=0, audiences=[TeamAudience.TEAM], member_ids=[3, 4]),
     "ALERTED", {"level": 0, "reminder": False, "audiences": ["TEAM"], "member_ids": [3, 4]}),
    (TeamAlerted(level=1, audiences=[TeamAudience.TEAM, TeamAudience.OFFICE_HEAD], member_ids=[]),
     "ALERTED", {"level": 1, "reminder": False, "audiences": ["TEAM", "OFFICE_HEAD"], "member_ids": []}),
    (TeamReminded(level=0, audiences=[TeamAudience.TEAM], member_ids=[3]),
     "REMINDED", {"level": 0, "reminder": True, "audiences": ["TEAM"], "member_ids": [3]}),
    (Escalated(level=2), "ESCALATED", {"level": 2}),
    (ConsentAnswered(consent=Consent.GIVEN), "CONSENT", {"consent": Consent.GIVEN.value}),
    (Accepted(member_id=3, case_worker_id=4), "ACCEPTED", {"member_id": 3, "case_worker_id": 4}),
    (Rejected(member_id=3, reason="ไม่ใช่กรณีของทีม"), "REJECTED", {"member_id": 3, "reason": "ไม่ใช่กรณีของทีม"}),
    (Assigned(member_id=3, case_worker_id=5), "ASSIGNED", {"member_id": 3, "case_worker_id": 5}),
    (FollowUpPlanned(member_id=4, number=1, follow_up_kind=FollowUpKind.HOME_VISIT, due_at=DUE,
                     note="เยี่ยมบ้านพร้อม อสม."),
     "PLANNED", {"member_id": 4, "number": 1, "kind": FollowUpKind.HOME_VISIT.value, "due_at": DUE.isoformat(),
                 "note": "เยี่ยมบ้านพร้อม อสม."}),
    (FollowUpPlanned(member_id=4, number=2, follow_up_kind=FollowUpKind.CALL, due_at=DUE_IN_BANGKOK, note=""),
     "PLANNED", {"member_id": 4, "number": 2, "kind": FollowUpKind.CALL.value, "due_at": DUE_IN_BANGKOK.isoformat(),
                 "note": ""}),
    (FollowUpRecorded(member_id=4, number=1, outcome="พบผู้เสียหาย ปลอดภัย"),
     "RECORDED", {"member_id": 4, "number": 1, "outcome": "พบผู้เสียหาย ปลอดภัย"}),
    (HandoffClosed(member_id=4, outcome=CareOutcome.SAFE_WITH_FAMILY, note="กลับไปอยู่กับยาย"),
     "CLOSED", {"member_id": 4, "outcome": CareOutcome.SAFE_WITH_FAMILY.value, "note": "กลับไปอยู่กับยาย"}),
    (TeamNoted(member_id=3, note="โทรแล้ว"), "NOTE", {"member_id": 3, "note": "โทรแล้ว"}),
    (CaseNotTold(accepted=False), "CASE_NOT_TOLD", {"accepted": False}),
    (ReporterTold(prompt=Prompt.REPORTER_IN_CARE), "REPORTER_TOLD", {"prompt": Prompt.REPORTER_IN_CARE.value}),
    (FollowUpReminded(number=1, what="overdue", member_ids=[4]),
     "FOLLOW_UP_REMINDED", {"number": 1, "what": "overdue", "member_ids": [4]}),
]
IDS = [f"{kind}-{n}" for n, (_, kind, _) in enumerate(AS_BEFORE)]


def as_stored(details: dict[str, Any]) -> str:
    """The text database.timeline hands PostgreSQL."""
    return json.dumps(details, ensure_ascii=False, default=str)


@pytest.mark.parametrize(("event", "kind", "details"), AS_BEFORE, ids=IDS)
def test_each_kind_keeps_the_details_the_timeline_always_kept(event: BaseHandoffEvent, kind: str,
                                                              details: dict[str, Any]) -> None:
    assert (event.kind, as_stored(event.details())) == (kind, as_stored(details))


def test_every_kind_is_checked() -> None:
    assert {kind for _, kind, _ in AS_BEFORE} == {
        "OPENED", "ALERTED", "REMINDED", "ESCALATED", "CONSENT", "ACCEPTED", "REJECTED", "ASSIGNED", "PLANNED",
        "RECORDED", "CLOSED", "NOTE", "CASE_NOT_TOLD", "REPORTER_TOLD", "FOLLOW_UP_REMINDED"}


@pytest.mark.parametrize(("event", "kind", "details"), AS_BEFORE, ids=IDS)
async def test_the_activity_writes_the_same_details_as_the_workflow_built(event: BaseHandoffEvent, kind: str,
                                                                          details: dict[str, Any]) -> None:
    """The entry crosses Temporal's converter on its way to the store; its details do not change."""
    converter = data_converter(Settings())
    argument_types, _ = _type_hints_from_func(HandoffStore.append_handoff_event)
    written = HandoffTimelineEntry(key="k", handoff_id="ESS-2026-000001-1", case_no="ESS-2026-000001", at=AT,
                                   actor="system", event=event)
    [read] = await converter.decode(await converter.encode([written]), argument_types)
    assert isinstance(read, HandoffTimelineEntry) and read == written
    assert as_stored(read.event.details()) == as_stored(details)


def old(kind: str, /, **details: object) -> HandoffEvent:
    """An entry in the old shape (details may have a "kind" of their own: a follow-up's)."""
    return HandoffEvent(key="k", handoff_id="ESS-2026-000001-1", case_no="ESS-2026-000001", kind=kind, at=AT,
                        actor="system", details=details)


@pytest.mark.parametrize(("event", "kind", "details"), [row for row in AS_BEFORE if row[1] in READ_KINDS],
                         ids=[name for name, row in zip(IDS, AS_BEFORE, strict=True) if row[1] in READ_KINDS])
def test_an_old_entry_the_store_reads_reads_as_its_event(event: BaseHandoffEvent, kind: str,
                                                         details: dict[str, Any]) -> None:
    assert event_from_details(old(kind, **details)) == event


def test_an_old_entry_is_read_as_tolerantly_as_the_store_read_it() -> None:
    assert event_from_details(old("ACCEPTED", member_id=3)) == Accepted(member_id=3, case_worker_id=3)
    assert event_from_details(old("ACCEPTED", member_id="3", case_worker_id=None)) == Accepted(member_id=3,
                                                                                                case_worker_id=3)
    assert event_from_details(old("REJECTED", member_id=3)) == Rejected(member_id=3, reason=None)
    assert event_from_details(old("PLANNED", member_id=4, number=1, kind="CALL", due_at="2026-03-20T09:00:00+07:00",
                                  note=None, extra="kept on the timeline only")) == FollowUpPlanned(
        member_id=4, number=1, follow_up_kind=FollowUpKind.CALL,
        due_at=datetime(2026, 3, 20, 9, tzinfo=BANGKOK), note="")
    assert event_from_details(old("CLOSED", member_id=4, outcome="OTHER")) == HandoffClosed(
        member_id=4, outcome=CareOutcome.OTHER, note=None)
    assert event_from_details(old("NOTE", note="ไม่มีผู้เขียน")) is None  # names nobody: nothing to look up
    assert event_from_details(old("REMINDED", level=0)) is None  # timeline only
    assert event_from_details(old("SOMETHING_NEW", member_id=3)) is None


@pytest.mark.parametrize(("kind", "details"), [
    ("CONSENT", {"consent": "MAYBE"}),
    ("CLOSED", {"member_id": 4, "outcome": "HAPPY", "note": "ข้อความ"}),
    ("PLANNED", {"member_id": 4, "number": 1, "kind": "PICNIC", "due_at": "2026-03-20T09:00:00+07:00"}),
    ("PLANNED", {"member_id": 4, "number": 1, "kind": "CALL", "due_at": "next week"}),
    ("PLANNED", {"member_id": 4, "number": 1, "kind": "CALL", "due_at": "2026-03-20T09:00:00"}),
    ("ESCALATED", {"level": "high"}),
    ("ESCALATED", {}),
    ("ACCEPTED", {"case_worker_id": 4}),
    ("RECORDED", {"member_id": 4, "outcome": "พบแล้ว"}),
    ("NOTE", {"member_id": "someone", "note": "บันทึก"}),
])
def test_an_old_entry_the_store_cannot_follow_is_refused(kind: str, details: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        event_from_details(old(kind, **details))


async def test_the_activity_takes_the_old_shape_over_the_wire_as_itself() -> None:
    converter = data_converter(Settings())
    argument_types, _ = _type_hints_from_func(HandoffStore.append_handoff_event)
    for written in (old("ACCEPTED", member_id=3, case_worker_id=4), old("ALERTED", level=0, reminder=False)):
        [read] = await converter.decode(await converter.encode([written]), argument_types)
        assert type(read) is HandoffEvent and read == written
