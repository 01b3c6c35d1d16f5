"""A case's timeline: one model per kind of event, carrying the exact state it leaves the case in.

The case workflow (and the conversation, and the hand-off) write entries: an event, when, by whom,
under a key. The case store keeps each entry once, by its key, and brings the case row in line from
the event's own fields (a status change its status, a routing its station). The timeline row keeps the
kind and, as `details`, the event's other fields, in the shape the back office has always read: a field
that is None is left out, unless the kind has always kept it (`kept_when_empty`).

Entries written before these models existed came as `CaseEvent` (a kind and a dict of details). The
store still takes that shape from any caller written against it, so `event_from_details` reads one into
its model, tolerating what the old writers left out. (The workflows record entries through a local
activity, whose input the running worker's own code builds, even on replay: a workflow that started on
the old code hands over the new shape once its worker runs this code.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.handoff import CareOutcome
from domain.models import ActionKind, Audience, CaseEvent, CaseStatus, Location, OfficerRole


class TimelineEvent(BaseModel):
    """What happened to a case; each kind its own model, named by its `kind` literal."""

    model_config = ConfigDict(extra="forbid")
    # Details kept on the timeline even when None (the rest are left out when None).
    kept_when_empty: ClassVar[frozenset[str]] = frozenset()

    kind: str

    def details(self) -> dict[str, Any]:
        """The event's fields but its kind, as the timeline row keeps them."""
        fields = self.model_dump(mode="json", exclude={"kind"})
        return {name: value for name, value in fields.items() if value is not None or name in self.kept_when_empty}


class Reported(TimelineEvent):
    """The report the case opened with: its type, its place, and when each step was answered."""

    kind: Literal["REPORTED"] = "REPORTED"
    kept_when_empty: ClassVar[frozenset[str]] = frozenset({"incident_type", "province_code", "district_code"})
    incident_type: str | None
    complete: bool
    province_code: str | None
    district_code: str | None
    phone_declined: bool
    steps: list[dict[str, str]]  # {"step": ..., "at": ISO time}: how long the report itself took
    repeat_of: str | None = None  # "same as last time": the case whose type, place and phone this repeats


class Routed(TimelineEvent):
    """The station responsible for the case, and the province's 191 centre."""

    kind: Literal["ROUTED"] = "ROUTED"
    kept_when_empty: ClassVar[frozenset[str]] = frozenset({"centre_id"})
    station_id: int
    centre_id: int | None = None
    method: str = "district"  # "district" or "nearest"


class Escalated(TimelineEvent):
    """Nobody acknowledged in time: the ladder climbed to this rung."""

    kind: Literal["ESCALATED"] = "ESCALATED"
    level: int
    audiences: list[Audience] = Field(default_factory=list)


class Alerted(TimelineEvent):
    """A rung's alert: whom LINE took it for (none: the rung reached nobody), and whom not."""

    kind: Literal["ALERTED"] = "ALERTED"
    level: int
    audiences: list[Audience] = Field(default_factory=list)
    officer_ids: list[int] = Field(default_factory=list)
    reached: int = 0
    undelivered_ids: list[int] = Field(default_factory=list)


class ReviewFlagged(TimelineEvent):
    """The reporter's earlier cases were pranks often enough that officers are asked to double-check."""

    kind: Literal["REVIEW_FLAGGED"] = "REVIEW_FLAGGED"
    earlier_pranks: int


class StatusChanged(TimelineEvent):
    """The case's new status: by an officer's action, or handed back by the team (RETURNED)."""

    kind: Literal["STATUS_CHANGED"] = "STATUS_CHANGED"
    kept_when_empty: ClassVar[frozenset[str]] = frozenset({"note"})
    status: CaseStatus
    note: str | None = None  # the officer's note, or the team's reason for handing the case back
    action: ActionKind | None = None
    officer_id: int | None = None
    officer_role: OfficerRole | None = None
    handoff_id: str | None = None


class Reassigned(TimelineEvent):
    """An officer moved the case to another station of the province."""

    kind: Literal["REASSIGNED"] = "REASSIGNED"
    kept_when_empty: ClassVar[frozenset[str]] = frozenset({"note"})
    station_id: int
    action: ActionKind = ActionKind.REASSIGN
    officer_id: int | None = None
    officer_role: OfficerRole | None = None
    note: str | None = None


class OfficerNoted(TimelineEvent):
    """An officer's action that leaves the status as it is: a note, or words sent to the reporter."""

    kind: Literal["OFFICER_ADD_NOTE", "OFFICER_MESSAGE_REPORTER"]
    kept_when_empty: ClassVar[frozenset[str]] = frozenset({"note"})
    action: ActionKind
    officer_id: int
    officer_role: OfficerRole
    note: str | None

    @staticmethod
    def kind_of(action: ActionKind) -> Literal["OFFICER_ADD_NOTE", "OFFICER_MESSAGE_REPORTER"]:
        """The kind an action that leaves the status as it is gets (KeyError for any other action)."""
        return _NOTED_KINDS[action]


_NOTED_KINDS: dict[ActionKind, Literal["OFFICER_ADD_NOTE", "OFFICER_MESSAGE_REPORTER"]] = {
    ActionKind.ADD_NOTE: "OFFICER_ADD_NOTE",
    ActionKind.MESSAGE_REPORTER: "OFFICER_MESSAGE_REPORTER",
}


class CaseViewed(TimelineEvent):
    """An officer opened the case from their LINE alert."""

    kind: Literal["CASE_VIEWED"] = "CASE_VIEWED"
    officer_id: int
    via: str


class HandoffStarted(TimelineEvent):
    kind: Literal["HANDOFF_STARTED"] = "HANDOFF_STARTED"
    handoff_id: str


class HandoffAccepted(TimelineEvent):
    kind: Literal["HANDOFF_ACCEPTED"] = "HANDOFF_ACCEPTED"
    handoff_id: str


class CareClosed(TimelineEvent):
    """The team closed the victim's care: the police see how it ended."""

    kind: Literal["CARE_CLOSED"] = "CARE_CLOSED"
    kept_when_empty: ClassVar[frozenset[str]] = frozenset({"note"})
    handoff_id: str
    outcome: CareOutcome
    note: str | None


class ReporterWrote(TimelineEvent):
    """What the reporter sent: words, a place, or a file kept with the case (its attachment id)."""

    kind: Literal["REPORTER_MESSAGE"] = "REPORTER_MESSAGE"
    message_type: str
    text: str | None = None
    attachment_id: int | None = None
    location: Location | None = None
    follow_up: bool | None = None  # True: sent after the case ended
    during_step: str | None = None  # written beside the report's answers, at this step


class AttachmentFailed(TimelineEvent):
    """A file the reporter sent that LINE would not give: its type and why, nothing the reporter said."""

    kind: Literal["ATTACHMENT_FAILED"] = "ATTACHMENT_FAILED"
    message_type: str
    reason: str
    text: str | None = None
    location: Location | None = None
    follow_up: bool | None = None


class MessageUndelivered(TimelineEvent):
    """A message LINE never took: whom it was for (a role, an officer id) and what it said."""

    kind: Literal["MESSAGE_UNDELIVERED"] = "MESSAGE_UNDELIVERED"
    to: str  # "reporter" or "officer"
    officer_id: int | None = None
    prompt: str


class StepFailed(TimelineEvent):
    """A step the case could not complete however often it was retried (an entry the store refused,
    say): the case went on without it. What kind of step and the error's type, nothing personal."""

    kind: Literal["STEP_FAILED"] = "STEP_FAILED"
    step: str
    error: str


CaseTimelineEvent = Annotated[
    Reported | Routed | Escalated | Alerted | ReviewFlagged | StatusChanged | Reassigned | OfficerNoted | CaseViewed
    | HandoffStarted | HandoffAccepted | CareClosed | ReporterWrote | AttachmentFailed | MessageUndelivered
    | StepFailed,
    Field(discriminator="kind"),
]


class TimelineEntry(BaseModel):
    """One entry of a case's timeline: an event, when and by whom. `key` makes writing it idempotent."""

    model_config = ConfigDict(extra="forbid")

    key: str
    case_no: str
    at: datetime
    actor: str  # "reporter", "system", "team", "officer:<id>" or "member:<id>"
    event: CaseTimelineEvent


# The kinds whose events move the case row; events of other kinds are timeline only.
ROW_KINDS: dict[str, type[TimelineEvent]] = {
    model.model_fields["kind"].default: model
    for model in (Routed, Reassigned, Escalated, Alerted, ReviewFlagged, StatusChanged)
}


def event_from_details(old: CaseEvent) -> TimelineEvent | None:
    """An entry in the old shape (a kind and a dict) read into its event, for what it does to the case
    row: None for a kind that is timeline only. Keys the model does not know are left to the timeline.
    Raises pydantic.ValidationError when a field the row needs is missing or malformed."""
    model = ROW_KINDS.get(old.kind)
    if model is None:
        return None
    return model.model_validate({"kind": old.kind, **{name: value for name, value in old.details.items()
                                                      if name in model.model_fields and name != "kind"}})
