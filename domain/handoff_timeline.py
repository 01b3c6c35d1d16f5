"""A hand-off's own timeline (the team's, not the police's): one model per kind of event, carrying the
exact state it leaves the hand-off in.

The hand-off workflow writes entries: an event, when, by whom, under a key. The hand-off store keeps each
entry once, by its key, and brings the hand-off row and its care plan in line from the event's own fields
(an acceptance its case worker, a closing its outcome, a follow-up its due time). The timeline row keeps
the kind and, as `details`, the event's other fields, in the shape the back office has always read: every
field, None or not, under the name it has always had there (`named_in_details`).

Entries written before these models existed came as `HandoffEvent` (a kind and a dict of details). The
store still takes that shape from any caller written against it, so `event_from_details` reads one into
its model, tolerating what the old writers left out. (The workflow records entries through a local
activity, whose input the running worker's own code builds, even on replay: a workflow that started on
the old code hands over the new shape once its worker runs this code.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, field_serializer

from domain.agencies import AgencyKind
from domain.handoff import (
    ApprovalSubject,
    CareOutcome,
    Consent,
    FollowUpKind,
    HandoffEvent,
    HandoffStatus,
    ReferralAnswer,
    TeamAudience,
)
from domain.models import Location, Prompt
from domain.person_helped import PersonHelped
from domain.risk import RiskAssessment, RiskLevel


class BaseHandoffEvent(BaseModel):
    """What happened to a hand-off; each kind its own model, named by its `kind` literal."""

    model_config = ConfigDict(extra="forbid")
    # A field whose name on the timeline is another one (a follow-up's kind is "kind" there).
    named_in_details: ClassVar[dict[str, str]] = {}

    kind: str

    def details(self) -> dict[str, Any]:
        """The event's fields but its kind, as the timeline row keeps them."""
        fields = self.model_dump(mode="json", exclude={"kind"})
        return {self.named_in_details.get(name, name): value for name, value in fields.items()}

    @classmethod
    def kind_name(cls) -> str:
        """The kind this model is written under."""
        kind: str = cls.model_fields["kind"].default
        return kind


class ByMember(BaseHandoffEvent):
    """A team member's action: who acted, as the directory knows them."""

    member_id: int


class Opened(BaseHandoffEvent):
    """The police forwarded the case: what the team sees of it before anyone opens the page."""

    kind: Literal["OPENED"] = "OPENED"
    incident_type: str | None
    attempt: int
    province_code: str
    district_code: str | None


class TeamAlerted(BaseHandoffEvent):
    """A rung of the acceptance ladder: whom it reached on LINE."""

    kind: Literal["ALERTED"] = "ALERTED"
    level: int
    reminder: Literal[False] = False
    audiences: list[TeamAudience]
    member_ids: list[int]


class TeamReminded(BaseHandoffEvent):
    """Nobody accepted yet: the team is reminded, at the same level."""

    kind: Literal["REMINDED"] = "REMINDED"
    level: int
    reminder: Literal[True] = True
    audiences: list[TeamAudience]
    member_ids: list[int]


class Escalated(BaseHandoffEvent):
    """Nobody accepted in time: the ladder climbed (1 the office head, 2 the national desk)."""

    kind: Literal["ESCALATED"] = "ESCALATED"
    level: int


class ConsentAnswered(BaseHandoffEvent):
    """The reporter's answer: may the team contact them?"""

    kind: Literal["CONSENT"] = "CONSENT"
    consent: Consent


class Accepted(ByMember):
    """A member accepted: the hand-off is in care, with its case worker."""

    kind: Literal["ACCEPTED"] = "ACCEPTED"
    status: ClassVar[HandoffStatus] = HandoffStatus.IN_CARE
    case_worker_id: int


class Rejected(ByMember):
    """A member handed the case back to the police, with a reason."""

    kind: Literal["REJECTED"] = "REJECTED"
    status: ClassVar[HandoffStatus] = HandoffStatus.REJECTED
    reason: str | None = None


class Assigned(ByMember):
    """Another case worker carries the care."""

    kind: Literal["ASSIGNED"] = "ASSIGNED"
    case_worker_id: int


class FollowUpPlanned(ByMember):
    """A new step of the care plan, numbered within the hand-off."""

    kind: Literal["PLANNED"] = "PLANNED"
    named_in_details: ClassVar[dict[str, str]] = {"follow_up_kind": "kind"}
    number: int
    follow_up_kind: FollowUpKind
    due_at: AwareDatetime
    note: str = ""

    @field_serializer("due_at", when_used="json")
    def _due_at_as_written(self, due_at: datetime) -> str:
        # As Python writes it (+00:00, not Z): the timeline has always kept it so.
        return due_at.isoformat()


class FollowUpRecorded(ByMember):
    """A follow-up done, with its outcome."""

    kind: Literal["RECORDED"] = "RECORDED"
    number: int
    outcome: str | None = None


class HandoffClosed(ByMember):
    """The care ended: its outcome category and a note. Follow-ups still planned are cancelled."""

    kind: Literal["CLOSED"] = "CLOSED"
    status: ClassVar[HandoffStatus] = HandoffStatus.CLOSED
    outcome: CareOutcome
    note: str | None = None


class PersonDescribed(ByMember):
    """The case worker recorded who is being helped, after they (or their guardian) agreed; the
    latest entry is the record."""

    kind: Literal["PERSON_DESCRIBED"] = "PERSON_DESCRIBED"
    person: PersonHelped


class RiskAssessed(ByMember):
    """The case worker assessed the risk: the questions as asked, their answers, the level set and why,
    and the level the answers alone called for. FIRST at acceptance, REVIEW after."""

    kind: Literal["RISK_ASSESSED"] = "RISK_ASSESSED"
    occasion: Literal["FIRST", "REVIEW"]
    assessment: RiskAssessment
    suggested: RiskLevel


class FollowUpMoved(BaseHandoffEvent):
    """A planned follow-up brought forward: at a high risk every follow-up is due sooner."""

    kind: Literal["FOLLOW_UP_MOVED"] = "FOLLOW_UP_MOVED"
    number: int
    due_at: AwareDatetime
    was_due_at: AwareDatetime
    because: Literal["HIGH_RISK"] = "HIGH_RISK"


class ApprovalRequested(ByMember):
    """Something waits for a supervisor (a closing, a high-risk plan): who asked, and whom the request
    reached on LINE (the office head; the national desk when nobody at the office can be reached)."""

    kind: Literal["APPROVAL_REQUESTED"] = "APPROVAL_REQUESTED"
    subject: ApprovalSubject
    outcome: CareOutcome | None = None  # a closing's
    note: str | None = None  # a closing's
    member_ids: list[int]


class ApprovalGiven(ByMember):
    """A supervisor approved; a closing then closes the care."""

    kind: Literal["APPROVED"] = "APPROVED"
    subject: ApprovalSubject
    requested_by: int


class SentBack(ByMember):
    """A supervisor sent it back to the case worker with the reason; the care goes on. Whom it reached."""

    kind: Literal["SENT_BACK"] = "SENT_BACK"
    subject: ApprovalSubject
    requested_by: int
    reason: str | None = None
    member_ids: list[int]


class ApprovalWithdrawn(ByMember):
    """What waited for a supervisor needs them no more: a review found the risk no longer high."""

    kind: Literal["APPROVAL_WITHDRAWN"] = "APPROVAL_WITHDRAWN"
    subject: ApprovalSubject
    requested_by: int


class Referred(ByMember):
    """A referral to an agency, its answer due by `due_at`: step `number` of the care plan."""

    kind: Literal["REFERRED"] = "REFERRED"
    number: int
    agency_id: int
    agency_kind: AgencyKind
    agency_name_th: str
    agency_name_en: str
    due_at: AwareDatetime
    note: str = ""


class ReferralAnswered(ByMember):
    """The agency's answer, as the case worker recorded it; the referral's step is done."""

    kind: Literal["REFERRAL_ANSWERED"] = "REFERRAL_ANSWERED"
    number: int
    answer: ReferralAnswer
    reason: str | None = None


class ReporterMessaged(ByMember):
    """The case worker wrote to the reporter through the bot (who agreed to be contacted); whether LINE
    took it."""

    kind: Literal["REPORTER_MESSAGED"] = "REPORTER_MESSAGED"
    text: str
    delivered: bool


class TransferRequested(ByMember):
    """The care offered to another province's team (the person moved), with the reason."""

    kind: Literal["TRANSFER_REQUESTED"] = "TRANSFER_REQUESTED"
    from_province_code: str
    to_province_code: str
    note: str
    accept_due_at: AwareDatetime


class TransferAlerted(BaseHandoffEvent):
    """A rung of the receiving team's acceptance ladder: whom it reached on LINE."""

    kind: Literal["TRANSFER_ALERTED"] = "TRANSFER_ALERTED"
    to_province_code: str
    level: int
    reminder: bool
    audiences: list[TeamAudience]
    member_ids: list[int]


class TransferAccepted(ByMember):
    """The receiving team took the care, with its case worker: the hand-off is now that province's,
    its history with it."""

    kind: Literal["TRANSFER_ACCEPTED"] = "TRANSFER_ACCEPTED"
    from_province_code: str
    to_province_code: str
    case_worker_id: int


class TransferDeclined(ByMember):
    """The receiving team declined, with the reason: the care stays where it was."""

    kind: Literal["TRANSFER_DECLINED"] = "TRANSFER_DECLINED"
    to_province_code: str
    reason: str | None = None


class TeamNoted(ByMember):
    """A member's note; the hand-off stays as it is."""

    kind: Literal["NOTE"] = "NOTE"
    note: str | None = None


class CaseNotTold(BaseHandoffEvent):
    """The team's answer could not reach the forwarding case, which had ended."""

    kind: Literal["CASE_NOT_TOLD"] = "CASE_NOT_TOLD"
    accepted: bool


class ReporterTold(BaseHandoffEvent):
    """The reporter, who agreed to be contacted, heard from the bot."""

    kind: Literal["REPORTER_TOLD"] = "REPORTER_TOLD"
    prompt: Prompt


class FollowUpReminded(BaseHandoffEvent):
    """A follow-up due soon or overdue: whom the reminder reached (the case worker, else the team)."""

    kind: Literal["FOLLOW_UP_REMINDED"] = "FOLLOW_UP_REMINDED"
    number: int
    what: str  # "due_soon" or "overdue"
    member_ids: list[int]


class ReporterWrote(BaseHandoffEvent):
    """The reporter wrote to the team (after the police part ended): what came, and whom it reached
    on LINE (none before the team accepted or without the reporter's consent to be contacted)."""

    kind: Literal["REPORTER_MESSAGE"] = "REPORTER_MESSAGE"
    message_type: str
    text: str | None = None
    message_id: str | None = None
    location: Location | None = None
    member_ids: list[int]


class StepFailed(BaseHandoffEvent):
    """A step the hand-off could not take, even after retrying (a write refused for good, a lookup that
    kept failing): which step and the error's type, never its message. The hand-off went on."""

    kind: Literal["STEP_FAILED"] = "STEP_FAILED"
    step: str
    error: str


HandoffTimelineEvent = Annotated[
    Opened | TeamAlerted | TeamReminded | Escalated | ConsentAnswered | Accepted | Rejected | Assigned
    | FollowUpPlanned | FollowUpRecorded | HandoffClosed | TeamNoted | CaseNotTold | ReporterTold | FollowUpReminded
    | ReporterWrote | StepFailed | PersonDescribed | RiskAssessed | FollowUpMoved | ApprovalRequested | ApprovalGiven
    | SentBack | Referred | ReferralAnswered | ReporterMessaged | TransferRequested | TransferAlerted | TransferAccepted
    | TransferDeclined | ApprovalWithdrawn,
    Field(discriminator="kind"),
]


class HandoffTimelineEntry(BaseModel):
    """One entry of a hand-off's timeline: an event, when and by whom. `key` makes writing it idempotent."""

    model_config = ConfigDict(extra="forbid")

    key: str
    handoff_id: str
    case_no: str
    at: datetime
    actor: str  # "system", "reporter", "officer:<id>" or "member:<id>"
    event: HandoffTimelineEvent


# The kinds whose events the store reads: they move the hand-off row or its care plan, or name a member
# who must be in the directory. Events of other kinds are timeline only.
READ_KINDS: dict[str, type[BaseHandoffEvent]] = {
    model.kind_name(): model
    for model in (Escalated, ConsentAnswered, Accepted, Rejected, Assigned, FollowUpPlanned, FollowUpRecorded,
                  HandoffClosed, TeamNoted)
}
_EVENTS: TypeAdapter[HandoffTimelineEvent] = TypeAdapter(HandoffTimelineEvent)


def event_from_details(old: HandoffEvent) -> HandoffTimelineEvent | None:
    """An entry in the old shape (a kind and a dict) read into its event, for what the store does with it:
    None for a kind that is timeline only. A detail that is None counts as left out (an acceptance naming
    no case worker names whoever accepted); keys the model does not know are left to the timeline.
    Raises pydantic.ValidationError when a field the store needs is missing or malformed."""
    model = READ_KINDS.get(old.kind)
    if model is None:
        return None
    field_of = {name_in_details: name for name, name_in_details in model.named_in_details.items()}
    fields = {field_of.get(name, name): value for name, value in old.details.items() if value is not None}
    fields = {name: value for name, value in fields.items() if name in model.model_fields and name != "kind"}
    if model is TeamNoted and "member_id" not in fields:
        return None  # a note naming no member: nobody to look up, as before
    if model is Accepted and "member_id" in fields:
        fields.setdefault("case_worker_id", fields["member_id"])
    return _EVENTS.validate_python({**fields, "kind": old.kind})
