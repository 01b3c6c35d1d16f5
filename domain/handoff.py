"""The hand-off: a forwarded case in the hands of its province's multidisciplinary team (ทีมสหวิชาชีพ),
from the team's acceptance to the end of the victim's care. Shared by the hand-off workflow, its
activities and the back office; plain data and pure rules, like domain.models and domain.case_rules.

Words: the *team* is the province's multidisciplinary team; a *team member* is one person in it
(coordinator, social worker, children's-home staff, the head of the provincial office, or the
national desk); the *case worker* is the member who carries the care; the *care plan* is a list of
*follow-ups*, each with a due time and a recorded outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.agencies import AgencyKind
from domain.models import Language, LineEvent, Officer, Report, Reporter, ReporterMessage
from domain.person_helped import PersonHelped
from domain.risk import RiskAssessment, RiskLevel


class HandoffStatus(StrEnum):
    AWAITING = "AWAITING"  # forwarded; waiting for the team to accept
    IN_CARE = "IN_CARE"  # accepted: a case worker and a care plan
    REJECTED = "REJECTED"  # the team gave it back to the police, with a reason
    CLOSED = "CLOSED"  # care ended with an outcome


# The team has answered for good: handed back to the police, or the care closed.
FINAL_HANDOFF_STATUSES = frozenset({HandoffStatus.REJECTED, HandoffStatus.CLOSED})
# Still under way: waiting for the team to accept, or in care. The team may still act on it.
OPEN_HANDOFF_STATUSES = frozenset({HandoffStatus.AWAITING, HandoffStatus.IN_CARE})


class TeamRole(StrEnum):
    COORDINATOR = "COORDINATOR"  # นักพัฒนาสังคมจังหวัด ผู้ประสานทีม
    SOCIAL_WORKER = "SOCIAL_WORKER"  # นักสังคมสงเคราะห์
    CHILDRENS_HOME = "CHILDRENS_HOME"  # เจ้าหน้าที่บ้านพักเด็กและครอบครัว
    OFFICE_HEAD = "OFFICE_HEAD"  # หัวหน้าสำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด
    NATIONAL_DESK = "NATIONAL_DESK"  # ศูนย์ส่วนกลาง (no province)


class TeamAudience(StrEnum):
    """Who a hand-off alert or reminder reaches, relative to the hand-off's province."""

    TEAM = "TEAM"  # the province's coordinators, social workers and children's-home staff
    OFFICE_HEAD = "OFFICE_HEAD"  # the head of the provincial office
    NATIONAL_DESK = "NATIONAL_DESK"  # the national desk


class FollowUpKind(StrEnum):
    HOME_VISIT = "HOME_VISIT"
    CALL = "CALL"
    SHELTER_PLACEMENT = "SHELTER_PLACEMENT"
    REFERRAL = "REFERRAL"  # to another agency
    RISK_REVIEW = "RISK_REVIEW"  # the next risk assessment: planned by the hand-off itself, done by assessing


class FollowUpStatus(StrEnum):
    PLANNED = "PLANNED"
    DONE = "DONE"  # with its recorded outcome
    CANCELLED = "CANCELLED"  # care closed before it was done


class CareOutcome(StrEnum):
    """How the care ended: the category closing needs (with a note)."""

    SAFE_WITH_FAMILY = "SAFE_WITH_FAMILY"
    SHELTERED = "SHELTERED"
    REFERRED = "REFERRED"
    LEGAL_PROCESS = "LEGAL_PROCESS"
    DECLINED_HELP = "DECLINED_HELP"
    UNREACHABLE = "UNREACHABLE"
    OTHER = "OTHER"


class Consent(StrEnum):
    """May the team contact the reporter? Asked through the bot when the case is handed off."""

    ASKED = "ASKED"  # no answer yet
    GIVEN = "GIVEN"
    REFUSED = "REFUSED"


class TeamMember(BaseModel):
    """A person of a multidisciplinary team, as the directory resolved them."""

    member_id: int
    name: str
    role: TeamRole
    province_code: str | None = None  # None only for the national desk


class TeamContact(BaseModel):
    """A team member the bot can reach on LINE."""

    member_id: int
    line_user_id: str
    language: Language = Language.THAI


class TeamAudienceRequest(BaseModel):
    province_code: str
    audiences: list[TeamAudience]


class HandoffOpening(BaseModel):
    """Input of the hand-off workflow, given by the case that forwarded it."""

    handoff_id: str  # <case_no>-<attempt>: a case handed back and forwarded again gets a new one
    case_no: str
    attempt: int = Field(ge=1)
    province_code: str
    station_id: int  # the forwarding station: a rejection goes back there
    reporter: Reporter
    report: Report
    forwarded_by: Officer
    forward_note: str
    forwarded_at: datetime
    # How many history events one run of the hand-off may grow to before it continues as new; None is
    # the workflow's own budget (workflows.handoff.HISTORY_BUDGET). Lowered only by tests and benchmarks.
    history_budget: int | None = Field(None, ge=1)


class HandoffOpened(BaseModel):
    """What the read model keeps of a new hand-off."""

    opening: HandoffOpening
    accept_due_at: datetime


class FollowUpPlan(BaseModel):
    kind: FollowUpKind
    due_at: datetime
    note: str = Field("", max_length=2000)


class FollowUp(BaseModel):
    """One step of the care plan, as the hand-off keeps it."""

    number: int  # 1, 2, … within the hand-off
    kind: FollowUpKind
    due_at: datetime
    note: str = ""
    planned_by: int  # team member id
    planned_at: datetime
    status: FollowUpStatus = FollowUpStatus.PLANNED
    outcome: str | None = None
    recorded_at: datetime | None = None


class TeamActionKind(StrEnum):
    ACCEPT = "ACCEPT"  # with the case worker (default: whoever accepts)
    REJECT = "REJECT"  # with a reason
    ASSIGN = "ASSIGN"  # another case worker
    PLAN = "PLAN"  # a follow-up
    RECORD = "RECORD"  # a follow-up's outcome
    CLOSE = "CLOSE"  # care ended: outcome category and note
    ADD_NOTE = "ADD_NOTE"
    DESCRIBE_PERSON = "DESCRIBE_PERSON"  # who is being helped, once they (or their guardian) agreed
    ASSESS_RISK = "ASSESS_RISK"  # the risk assessment: at acceptance, then at each review
    APPROVE = "APPROVE"  # a supervisor approves what waits for them (a closing, a high-risk plan)
    SEND_BACK = "SEND_BACK"  # a supervisor sends it back to the case worker, with the reason
    REFER = "REFER"  # to an agency of the province's directory, its answer due by a time
    ANSWER_REFERRAL = "ANSWER_REFERRAL"  # the agency's answer: accepted, or declined with the reason
    MESSAGE_REPORTER = "MESSAGE_REPORTER"  # through the bot, silently, to a reporter who agreed to be contacted
    TRANSFER = "TRANSFER"  # to another province's team (the person moved), with the reason
    ACCEPT_TRANSFER = "ACCEPT_TRANSFER"  # by the receiving province's team, naming its case worker
    DECLINE_TRANSFER = "DECLINE_TRANSFER"  # by the receiving province's team, with the reason


class TransferRequest(BaseModel):
    """A care offered to another province's team, which accepts within the same time as a new hand-off
    (its reminders and escalation counted from `requested_at`)."""

    from_province_code: str
    to_province_code: str
    requested_by: int  # team member id
    requested_at: datetime
    note: str
    rungs_done: int = 0  # rungs of the acceptance ladder already alerted


class ReferralAnswer(StrEnum):
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"  # with the agency's reason


class ReferralPlan(BaseModel):
    """A referral as the case worker makes it: the agency as the directory names it now, and when its
    answer is due (reminded like a follow-up)."""

    agency_id: int
    agency_kind: AgencyKind
    agency_name_th: str = Field(max_length=300)
    agency_name_en: str = Field(max_length=300)
    due_at: datetime
    note: str = Field("", max_length=2000)


class Referral(ReferralPlan):
    """A referral the hand-off keeps: its follow-up's number, and the agency's answer once it came."""

    number: int
    answer: ReferralAnswer | None = None
    reason: str | None = None


class ApprovalSubject(StrEnum):
    """What waits for a supervisor's (the office head's) approval."""

    CLOSURE = "CLOSURE"  # a case worker's closing of the care
    HIGH_RISK_PLAN = "HIGH_RISK_PLAN"  # the care plan of a care assessed at high risk


# Who approves: the head of the provincial office, and the national desk above them.
SUPERVISOR_ROLES = frozenset({TeamRole.OFFICE_HEAD, TeamRole.NATIONAL_DESK})


class ApprovalRequest(BaseModel):
    """Something waiting for a supervisor: who asked, when, and for a closing its outcome and note."""

    subject: ApprovalSubject
    requested_by: int  # team member id
    requested_at: datetime
    outcome: CareOutcome | None = None  # CLOSURE
    note: str | None = None  # CLOSURE


class TeamAction(BaseModel):
    """A team member's action on a hand-off (a Temporal update; its id makes a retry apply once)."""

    kind: TeamActionKind
    member: TeamMember
    note: str | None = Field(None, max_length=2000)
    case_worker_id: int | None = None  # ACCEPT (optional), ASSIGN
    follow_up: FollowUpPlan | None = None  # PLAN
    follow_up_number: int | None = None  # RECORD
    outcome: CareOutcome | None = None  # CLOSE
    person: PersonHelped | None = None  # DESCRIBE_PERSON
    person_agreed: bool = False  # DESCRIBE_PERSON: the person helped, or their guardian, agreed to the record
    risk: RiskAssessment | None = None  # ASSESS_RISK
    subject: ApprovalSubject | None = None  # APPROVE, SEND_BACK
    referral: ReferralPlan | None = None  # REFER
    referral_answer: ReferralAnswer | None = None  # ANSWER_REFERRAL (with follow_up_number; a note when declined)
    to_province_code: str | None = Field(None, pattern=r"^[0-9]{2}$")  # TRANSFER


class HandoffOutcome(BaseModel):
    """What an action left: the update's answer."""

    handoff_id: str
    status: HandoffStatus
    case_worker_id: int | None = None
    follow_up_number: int | None = None  # PLAN: the new follow-up's number
    # CLOSE by a case worker: the closing now waits for a supervisor's approval (the care is still open).
    awaiting_approval: bool = False
    # MESSAGE_REPORTER: whether LINE took the message for the reporter (False: recorded as not delivered).
    delivered: bool | None = None


class HandoffDecision(BaseModel):
    """The team's answer, signalled back to the forwarding case."""

    handoff_id: str
    accepted: bool
    reason: str | None = None  # a rejection's
    member: TeamMember
    at: datetime
    # The same for every retry of one decision (decision_id_of): the case hears each decision once.
    # Empty in decisions signalled before it existed.
    decision_id: str = ""


def decision_id_of(handoff_id: str, accepted: bool) -> str:
    """A hand-off is decided once, accepted or handed back: its id and the answer name the decision."""
    return f"{handoff_id}:{'accepted' if accepted else 'rejected'}"


class HandoffEvent(BaseModel):
    """One entry of a hand-off's own timeline (the team sees this one, not the police's) in the old
    shape, a kind and a dict of details. The workflow now writes domain.handoff_timeline's
    HandoffTimelineEntry; the hand-off store still takes this shape from callers written against it."""

    key: str
    handoff_id: str
    case_no: str
    kind: str  # OPENED, ALERTED, REMINDED, ESCALATED, ACCEPTED, REJECTED, ASSIGNED, PLANNED, RECORDED, ...
    at: datetime
    actor: str  # "system", "reporter" or "member:<id>"
    details: dict[str, Any] = Field(default_factory=dict)


class TeamRung(BaseModel):
    """While nobody accepts: at `after` since the hand-off, alert these audiences."""

    after: timedelta
    audiences: list[TeamAudience]
    level: int  # 0 first alert; reminders keep the level; 1 office head, 2 national desk
    reminder: bool = False


class HandoffState(BaseModel):
    """Everything a hand-off keeps from one run to the next when it continues as new (its history
    stays bounded over months of care): where it stands, the care plan, the counters its timeline
    and LINE retry keys are numbered by, and what came in that it has not handled yet. Deadlines are
    absolute times, so timers resume where they were."""

    run: int = Field(1, ge=1)  # 1 for the first run; each continue-as-new adds one
    status: HandoffStatus
    consent: Consent
    consent_asked: bool
    case_worker_id: int | None = None
    follow_ups: list[FollowUp] = Field(default_factory=list)
    reminded: list[tuple[int, str]] = Field(default_factory=list)  # (follow-up number, "due_soon"/"overdue")
    accept_within: timedelta
    accept_due_at: datetime
    rungs_done: int = 0  # rungs of the acceptance ladder already alerted
    escalation_level: int = 0
    told_reporter_in_care: bool = False
    events: int = 0  # timeline entries written so far: the next entry's key number
    seen_event_ids: list[str] = Field(default_factory=list)  # the latest ones, oldest first
    taps: list[LineEvent] = Field(default_factory=list)  # consent answers and team taps not yet answered
    reporter_messages: list[ReporterMessage] = Field(default_factory=list)  # not yet recorded
    history_budget: int | None = Field(None, ge=1)
    risk_level: RiskLevel | None = None  # the latest assessment's; None before the first
    approvals: list[ApprovalRequest] = Field(default_factory=list)  # waiting for a supervisor
    referrals: list[Referral] = Field(default_factory=list)
    province_code: str | None = None  # the team's now, after a transfer; None: the opening's
    transfer: TransferRequest | None = None  # waiting for the receiving team


# --- rules --------------------------------------------------------------------------------------

class IllegalTeamAction(ValueError):
    pass


_ALLOWED_IN: dict[TeamActionKind, frozenset[HandoffStatus]] = {
    TeamActionKind.ACCEPT: frozenset({HandoffStatus.AWAITING}),
    TeamActionKind.REJECT: frozenset({HandoffStatus.AWAITING}),
    TeamActionKind.ASSIGN: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.PLAN: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.RECORD: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.CLOSE: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.ADD_NOTE: OPEN_HANDOFF_STATUSES,
    TeamActionKind.DESCRIBE_PERSON: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.ASSESS_RISK: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.APPROVE: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.SEND_BACK: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.REFER: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.ANSWER_REFERRAL: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.MESSAGE_REPORTER: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.TRANSFER: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.ACCEPT_TRANSFER: frozenset({HandoffStatus.IN_CARE}),
    TeamActionKind.DECLINE_TRANSFER: frozenset({HandoffStatus.IN_CARE}),
}
# Answered by the receiving province's team, not the team in charge.
TRANSFER_ANSWERS = frozenset({TeamActionKind.ACCEPT_TRANSFER, TeamActionKind.DECLINE_TRANSFER})
_LEADS_TO = {
    TeamActionKind.ACCEPT: HandoffStatus.IN_CARE,
    TeamActionKind.REJECT: HandoffStatus.REJECTED,
    TeamActionKind.CLOSE: HandoffStatus.CLOSED,
}
TEAM_NEEDS_NOTE = frozenset(
    {TeamActionKind.REJECT, TeamActionKind.RECORD, TeamActionKind.CLOSE, TeamActionKind.ADD_NOTE,
     TeamActionKind.SEND_BACK, TeamActionKind.MESSAGE_REPORTER, TeamActionKind.TRANSFER,
     TeamActionKind.DECLINE_TRANSFER}
)


def handoff_status_after(current: HandoffStatus, kind: TeamActionKind) -> HandoffStatus:
    """The hand-off's status after the action; raises IllegalTeamAction when not allowed now."""
    if current not in _ALLOWED_IN[kind]:
        raise IllegalTeamAction(f"{kind.value} is not possible on a hand-off that is {current.value}")
    return _LEADS_TO.get(kind, current)


def in_team_of(member: TeamMember, province_code: str | None) -> bool:
    """The national desk works on every province's hand-offs; everyone else on their own province's."""
    if member.role == TeamRole.NATIONAL_DESK:
        return True
    return member.province_code is not None and member.province_code == province_code


def supervises(member: TeamMember) -> bool:
    """May approve a closing or a high-risk plan (within their team, as in_team_of says)."""
    return member.role in SUPERVISOR_ROLES


def acceptance_ladder(accept_within: timedelta) -> list[TeamRung]:
    """The team hears at once and is reminded at half and three quarters of the time it has to
    accept; when the time is up the head of the provincial office hears, and at half as long
    again the national desk."""
    return [
        TeamRung(after=timedelta(0), audiences=[TeamAudience.TEAM], level=0),
        TeamRung(after=accept_within / 2, audiences=[TeamAudience.TEAM], level=0, reminder=True),
        TeamRung(after=accept_within * 3 / 4, audiences=[TeamAudience.TEAM], level=0, reminder=True),
        TeamRung(after=accept_within, audiences=[TeamAudience.TEAM, TeamAudience.OFFICE_HEAD], level=1),
        TeamRung(after=accept_within * 3 / 2, audiences=[TeamAudience.NATIONAL_DESK], level=2),
    ]


# A follow-up's reminder comes this long before it is due (or half-way, for one due sooner).
FOLLOW_UP_LEAD = timedelta(hours=24)


def follow_up_reminders(follow_up: FollowUp) -> list[tuple[str, datetime]]:
    """(what, when) for a planned follow-up: "due_soon" before it is due, "overdue" when it is."""
    if follow_up.status != FollowUpStatus.PLANNED:
        return []
    lead = min(FOLLOW_UP_LEAD, max(follow_up.due_at - follow_up.planned_at, timedelta(0)) / 2)
    reminders = [("overdue", follow_up.due_at)]
    if lead > timedelta(0):
        reminders.insert(0, ("due_soon", follow_up.due_at - lead))
    return reminders


def handoff_id_of(case_no: str, attempt: int) -> str:
    return f"{case_no}-{attempt}"
