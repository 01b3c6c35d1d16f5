"""The case timeline's typed events: each kind keeps the details the back office has always read, and
an entry in the old shape (a kind and a dict) is read into its event, or refused when the case row could
not follow it."""

from __future__ import annotations

from datetime import UTC, datetime

import pydantic
import pytest
from temporalio.common import _type_hints_from_func

from activities.cases import CaseStore
from configuration.settings import Settings
from domain.case_timeline import (
    Alerted,
    AttachmentFailed,
    CareClosed,
    CaseViewed,
    Escalated,
    HandoffAccepted,
    HandoffStarted,
    MessageUndelivered,
    OfficerNoted,
    Reassigned,
    Reported,
    ReporterWrote,
    ReviewFlagged,
    Routed,
    StatusChanged,
    TimelineEntry,
    TimelineEvent,
    event_from_details,
)
from domain.handoff import CareOutcome
from domain.models import ActionKind, Audience, CaseEvent, CaseStatus, Location, OfficerRole
from orchestration.client import data_converter

AT = datetime(2026, 3, 14, 21, 5, tzinfo=UTC)
PLACE = Location(latitude=13.72, longitude=100.58)

# Each kind as the workflows write it now, and the details the timeline kept before the typed events.
AS_BEFORE: list[tuple[TimelineEvent, str, dict]] = [
    (Reported(incident_type=None, complete=False, province_code="10", district_code=None, phone_declined=True,
              steps=[{"step": "started", "at": "2026-03-14T21:04:00+00:00"}]),
     "REPORTED", {"incident_type": None, "complete": False, "province_code": "10", "district_code": None,
                  "phone_declined": True, "steps": [{"step": "started", "at": "2026-03-14T21:04:00+00:00"}]}),
    (Routed(station_id=5, centre_id=None, method="nearest"),
     "ROUTED", {"station_id": 5, "centre_id": None, "method": "nearest"}),
    (Escalated(level=2, audiences=[Audience.COMMANDERS]), "ESCALATED", {"level": 2, "audiences": ["COMMANDERS"]}),
    (Alerted(level=0, audiences=[Audience.STATION, Audience.CENTRE_191], officer_ids=[], reached=0,
             undelivered_ids=[4]),
     "ALERTED", {"level": 0, "audiences": ["STATION", "CENTRE_191"], "officer_ids": [], "reached": 0,
                 "undelivered_ids": [4]}),
    (ReviewFlagged(earlier_pranks=2), "REVIEW_FLAGGED", {"earlier_pranks": 2}),
    (StatusChanged(status=CaseStatus.CLOSED, action=ActionKind.CLOSE, officer_id=7, officer_role=OfficerRole.PATROL,
                   note="จบ"),
     "STATUS_CHANGED", {"action": "CLOSE", "officer_id": 7, "officer_role": "PATROL", "note": "จบ",
                        "status": "CLOSED"}),
    (StatusChanged(status=CaseStatus.RETURNED, handoff_id="ESS-2026-000001-1", note=None),
     "STATUS_CHANGED", {"status": "RETURNED", "handoff_id": "ESS-2026-000001-1", "note": None}),
    (Reassigned(station_id=9, officer_id=7, officer_role=OfficerRole.INSPECTOR, note="ย้าย"),
     "REASSIGNED", {"action": "REASSIGN", "officer_id": 7, "officer_role": "INSPECTOR", "note": "ย้าย",
                    "station_id": 9}),
    (OfficerNoted(kind=OfficerNoted.kind_of(ActionKind.ADD_NOTE), action=ActionKind.ADD_NOTE, officer_id=7,
                  officer_role=OfficerRole.INSPECTOR, note="โทรแล้ว"),
     "OFFICER_ADD_NOTE", {"action": "ADD_NOTE", "officer_id": 7, "officer_role": "INSPECTOR", "note": "โทรแล้ว"}),
    (CaseViewed(officer_id=7, via="line"), "CASE_VIEWED", {"officer_id": 7, "via": "line"}),
    (HandoffStarted(handoff_id="H-1"), "HANDOFF_STARTED", {"handoff_id": "H-1"}),
    (HandoffAccepted(handoff_id="H-1"), "HANDOFF_ACCEPTED", {"handoff_id": "H-1"}),
    (CareClosed(handoff_id="H-1", outcome=CareOutcome.SHELTERED, note=""),
     "CARE_CLOSED", {"handoff_id": "H-1", "outcome": "SHELTERED", "note": ""}),
    (ReporterWrote(message_type="location", location=PLACE),
     "REPORTER_MESSAGE", {"message_type": "location", "location": PLACE.model_dump()}),
    (ReporterWrote(message_type="text", text="ช่วยด้วย", follow_up=True),
     "REPORTER_MESSAGE", {"follow_up": True, "message_type": "text", "text": "ช่วยด้วย"}),
    (AttachmentFailed(message_type="image", reason="LineUnavailable"),
     "ATTACHMENT_FAILED", {"message_type": "image", "reason": "LineUnavailable"}),
    (MessageUndelivered(to="reporter", prompt="from_officer"),
     "MESSAGE_UNDELIVERED", {"to": "reporter", "prompt": "from_officer"}),
    (MessageUndelivered(to="officer", officer_id=7, prompt="case_returned"),
     "MESSAGE_UNDELIVERED", {"to": "officer", "officer_id": 7, "prompt": "case_returned"}),
]


@pytest.mark.parametrize(("event", "kind", "details"), AS_BEFORE, ids=[f"{k}-{n}" for n, (_, k, _) in
                                                                        enumerate(AS_BEFORE)])
def test_each_kind_keeps_the_details_the_timeline_always_kept(event: TimelineEvent, kind: str, details: dict) -> None:
    assert (event.kind, event.details()) == (kind, details)


def test_only_the_actions_that_leave_the_status_are_noted_as_such() -> None:
    assert OfficerNoted.kind_of(ActionKind.MESSAGE_REPORTER) == "OFFICER_MESSAGE_REPORTER"
    with pytest.raises(KeyError):
        OfficerNoted.kind_of(ActionKind.CLOSE)


def old(kind: str, **details: object) -> CaseEvent:
    return CaseEvent(key="k", case_no="ESS-2026-000001", kind=kind, at=AT, actor="system", details=details)


@pytest.mark.parametrize(("event", "kind", "details"), [row for row in AS_BEFORE if row[1] in (
    "ROUTED", "ESCALATED", "ALERTED", "REVIEW_FLAGGED", "STATUS_CHANGED", "REASSIGNED")])
def test_an_old_entry_that_moves_the_case_row_reads_as_its_event(event: TimelineEvent, kind: str,
                                                                 details: dict) -> None:
    assert event_from_details(old(kind, **details)) == event


def test_an_old_entry_is_read_as_tolerantly_as_the_store_read_it() -> None:
    assert event_from_details(old("ROUTED", station_id=5)) == Routed(station_id=5, centre_id=None, method="district")
    assert event_from_details(old("ALERTED", level=1, officers=[1])) == Alerted(level=1)
    assert event_from_details(old("STATUS_CHANGED", status="ACKNOWLEDGED", officer_id="17")) == StatusChanged(
        status=CaseStatus.ACKNOWLEDGED, officer_id=17)
    assert event_from_details(old("OFFICER_NOTE", status="CLOSED")) is None  # timeline only
    assert event_from_details(old("REPORTER_MESSAGE", text="ช่วยด้วย")) is None


@pytest.mark.parametrize("details", [{"status": "SOLVED"}, {"status": "CLOSED", "officer_id": "someone"}, {}])
def test_an_old_status_change_the_row_cannot_follow_is_refused(details: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        event_from_details(old("STATUS_CHANGED", **details))


async def test_the_activity_takes_both_shapes_over_the_wire() -> None:
    """A workflow task scheduled before the typed entries hands over the old shape; the worker's
    converter reads each shape as itself."""
    converter = data_converter(Settings())
    argument_types, _ = _type_hints_from_func(CaseStore.append_case_event)
    typed = TimelineEntry(key="k", case_no="ESS-2026-000001", at=AT, actor="system",
                          event=Routed(station_id=5, centre_id=6, method="district"))
    for written in (typed, old("ROUTED", station_id=5, centre_id=6, method="district"),
                    old("OFFICER_NOTE", note="x")):
        [read] = await converter.decode(await converter.encode([written]), argument_types)
        assert type(read) is type(written) and read == written
