"""The shared vocabulary: one model per concept, used by workflows, activities and the API.

Everything here crosses Temporal's boundary, so it is plain pydantic data: no I/O, no clocks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Language(StrEnum):
    THAI = "th"
    ENGLISH = "en"


class CaseStatus(StrEnum):
    NEW = "NEW"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    CLOSED = "CLOSED"
    NOT_FOUND = "NOT_FOUND"
    PRANK = "PRANK"
    FORWARDED = "FORWARDED"  # forwarded to the multidisciplinary team, waiting for its answer
    HANDED_OVER = "HANDED_OVER"  # the team accepted the hand-off: the police part is over, the team cares
    RETURNED = "RETURNED"  # the multidisciplinary team gave the case back, with a reason


class ActionKind(StrEnum):
    ACKNOWLEDGE = "ACKNOWLEDGE"
    CLOSE = "CLOSE"
    NOT_FOUND = "NOT_FOUND"
    PRANK = "PRANK"
    FORWARD = "FORWARD"
    ADD_NOTE = "ADD_NOTE"
    REASSIGN = "REASSIGN"
    MESSAGE_REPORTER = "MESSAGE_REPORTER"  # the note is sent to the reporter through the bot


# The longest note an action takes (an officer's answer typed in LINE is cut to it).
MAX_NOTE_LENGTH = 2000


class OfficerAction(BaseModel):
    """An officer's action on a case (a Temporal update; its id makes a retry apply once)."""

    kind: ActionKind
    officer: Officer
    note: str | None = Field(None, max_length=MAX_NOTE_LENGTH)
    station_id: int | None = None  # REASSIGN: the new station


class OfficerLineRequest(BaseModel):
    """What an officer asked of a case in LINE, relayed by their conversation: a button they tapped
    (Acknowledge, Open), or an answer to the reporter they typed (MESSAGE_REPORTER with its note)."""

    event_id: str
    request: str  # "ACKNOWLEDGE", "OPEN" or "MESSAGE_REPORTER"
    note: str | None = Field(None, max_length=MAX_NOTE_LENGTH)
    officer: Officer
    line_user_id: str
    language: Language = Language.THAI


class LineActionTaken(BaseModel):
    """An officer's action on a case taken from LINE (a tap on Acknowledge, a typed answer), for the
    audit log: written once per LINE event."""

    event_id: str
    case_no: str
    officer_id: int
    kind: str


class RefusedView(BaseModel):
    """An officer asked to see a case outside their area: refused, and written to the audit log."""

    event_id: str  # the tap's: a retry writes the refusal once
    case_no: str
    officer_id: int
    via: str = "line"


class CaseJurisdiction(BaseModel):
    """Where a case belongs, for judging who may see it once its workflow has ended."""

    province_code: str | None
    station_id: int | None


class ActionOutcome(BaseModel):
    case_no: str
    status: CaseStatus
    station_id: int | None = None


class Audience(StrEnum):
    """Who an escalation rung alerts, relative to the case's station and province."""

    STATION = "STATION"  # the station's registered officers
    SUPERINTENDENT = "SUPERINTENDENT"  # the station's superintendent (ผู้กำกับ)
    CENTRE_191 = "CENTRE_191"  # the province's 191 command centre
    COMMANDERS = "COMMANDERS"  # the province's commander and deputy commanders (ผู้การ / รองผู้การ)
    NATIONAL_DESK = "NATIONAL_DESK"  # the national back office


class EscalationRung(BaseModel):
    """Alert these audiences once this long has passed since the case opened with no acknowledgement."""

    after: timedelta
    audiences: list[Audience]


class IncidentType(BaseModel):
    """A kind of social emergency; reference data an administrator edits."""

    code: str
    label_th: str
    label_en: str
    # Rung 0 (after = 0) is the first alert. Empty means the default ladder in domain.escalation.
    escalation: list[EscalationRung] = Field(default_factory=list)

    def label(self, language: Language) -> str:
        return self.label_en if language == Language.ENGLISH else self.label_th


class Location(BaseModel):
    """A pinned point as LINE sends it."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    title: str | None = None
    address: str | None = None


class Place(BaseModel):
    """Where a location falls in Thailand's administrative geography (DOPA codes)."""

    inside_thailand: bool
    province_code: str | None = None
    province_name_th: str | None = None
    province_name_en: str | None = None
    district_code: str | None = None
    district_name_th: str | None = None
    district_name_en: str | None = None

    def describe(self, language: Language) -> str:
        """'district, province' in the reader's language; empty when unknown."""
        if language == Language.ENGLISH:
            parts = [self.district_name_en, self.province_name_en]
        else:
            parts = [self.district_name_th, self.province_name_th]
        return ", ".join(p for p in parts if p)


class OfficerRole(StrEnum):
    RADIO_ROOM = "RADIO_ROOM"  # ตำรวจห้องวิทยุ
    CENTRE_191 = "CENTRE_191"  # ตำรวจศูนย์ 191
    COMMANDER = "COMMANDER"  # ผู้การ
    DEPUTY_COMMANDER = "DEPUTY_COMMANDER"  # รองผู้การ
    SUPERINTENDENT = "SUPERINTENDENT"  # ผู้กำกับ
    INSPECTOR = "INSPECTOR"  # สารวัตร
    DEPUTY_INSPECTOR = "DEPUTY_INSPECTOR"  # รองสารวัตร
    PATROL = "PATROL"  # "พ.บ." in the brief
    NATIONAL_DESK = "NATIONAL_DESK"  # ESS-Police back office (SUPERADMIN)


class StationKind(StrEnum):
    STATION = "STATION"
    CENTRE_191 = "CENTRE_191"


class Station(BaseModel):
    station_id: int
    code: str
    kind: StationKind
    name_th: str
    name_en: str
    province_code: str
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None


class Officer(BaseModel):
    """Who acts on a case, as a trusted caller (the API, the directory) resolved them."""

    officer_id: int
    name: str
    role: OfficerRole
    province_code: str | None = None  # None only for the national desk
    station_id: int | None = None


class OfficerContact(BaseModel):
    """An officer the bot can reach on LINE."""

    officer_id: int
    line_user_id: str
    language: Language = Language.THAI


class Route(BaseModel):
    """The station responsible for a case, and how it was chosen."""

    station: Station
    centre: Station | None = None  # the province's 191 centre, which always sees the case
    method: str  # "district", "nearest" or "reassigned"


class RoutingRequest(BaseModel):
    case_no: str
    place: Place
    location: Location


class AudienceRequest(BaseModel):
    route: Route
    audiences: list[Audience]


class PhoneNumber(BaseModel):
    """The result of reading a phone number a reporter typed."""

    valid: bool
    e164: str | None = None  # +66812345678
    # For officers to read aloud and dial: 081-234-5678, or +44 7700 900123 for a number from abroad.
    national: str | None = None


class EventKind(StrEnum):
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    MESSAGE = "message"
    POSTBACK = "postback"


class LineEvent(BaseModel):
    """One LINE webhook event from a user, as the webhook hands it to the conversation."""

    event_id: str  # LINE's webhookEventId, the key for de-duplication
    kind: EventKind
    occurred_at: datetime
    user_id: str
    reply_token: str | None = None
    message_type: str | None = None  # text, image, video, audio, file, location, sticker
    message_id: str | None = None
    text: str | None = None
    postback_data: str | None = None
    location: Location | None = None
    redelivery: bool = False


# A report whose place is confirmed waits no longer than this for a phone number (issue 13).
DEFAULT_PHONE_WAIT = timedelta(minutes=2)
# For this long after a case ended, what its reporter sends goes to it as a follow-up, and a new
# report may repeat it in one tap (issue 13).
DEFAULT_FOLLOW_UP_AFTER_CLOSE = timedelta(hours=24)


class IntakeTimeouts(BaseModel):
    reminder_after: timedelta
    give_up_after: timedelta
    idle_after: timedelta
    # From the confirmed place to the case opening without a number (a reminder halfway).
    # The default serves conversations started before this setting existed.
    phone_wait: timedelta = Field(DEFAULT_PHONE_WAIT, gt=timedelta(0))
    follow_up_after_close: timedelta = Field(DEFAULT_FOLLOW_UP_AFTER_CLOSE, gt=timedelta(0))


class ConversationStart(BaseModel):
    """Input of the intake workflow: one conversation with one LINE user."""

    user_id: str
    reporter_key: str  # keyed hash of user_id; safe to show in workflow ids
    timeouts: IntakeTimeouts


class Reporter(BaseModel):
    user_id: str
    reporter_key: str
    language: Language = Language.THAI


class ReportStep(BaseModel):
    """When the reporter answered one step of the report (incident_type, location,
    confirm_location, phone, phone_declined)."""

    step: str
    at: datetime


class ReporterNote(BaseModel):
    """Something the reporter wrote during the report that was not an answer: kept for the officers."""

    text: str
    at: datetime
    step: str  # the step it was written at


class Report(BaseModel):
    """What a reporter told us. Incomplete when they went quiet after pinning the location.
    `reported_at` is when they confirmed the place (or pinned it, when they never confirmed)."""

    incident_type: IncidentType | None = None
    location: Location
    place: Place
    phone: PhoneNumber | None = None
    complete: bool
    reported_at: datetime
    # Added with issue 13; the defaults read reports recorded before.
    phone_declined: bool = False  # the reporter chose to give no number
    steps: list[ReportStep] = Field(default_factory=list)
    notes: list[ReporterNote] = Field(default_factory=list)
    repeat_of: str | None = None  # the case whose type, place and phone the reporter repeated in one tap


class CaseOpening(BaseModel):
    """Input of the case workflow."""

    case_no: str
    conversation_id: str
    reporter: Reporter
    report: Report
    # Events a run may reach before the case continues as new; None: the workflow's own budget.
    # Specs and benchmarks lower it to see the hand-over without writing thousands of events.
    history_budget: int | None = None


class CaseNumberRequest(BaseModel):
    conversation_id: str  # the same conversation always gets the same number
    year: int


class ReporterMessage(BaseModel):
    """Something the reporter sent after their case opened; attached to the case."""

    event_id: str
    message_type: str
    received_at: datetime
    text: str | None = None
    message_id: str | None = None
    location: Location | None = None


class RecentCaseRequest(BaseModel):
    reporter_key: str
    ended_since: datetime  # cases that ended before this are not recent (workflow time)


class RecentCase(BaseModel):
    """A reporter's newest case, still open or ended lately: a message after it ended follows it
    up, and a new report may repeat it. `report` is that case's, as recorded."""

    case_no: str
    status: CaseStatus
    ended_at: datetime | None = None
    report: Report


class CaseEvent(BaseModel):
    """One entry of a case's timeline in the old shape, a kind and a dict of details. Workflows now
    write domain.case_timeline.TimelineEntry; the case store still takes this shape from callers
    written against it. `key` makes writing it idempotent."""

    key: str
    case_no: str
    kind: str  # REPORTED, REPORTER_MESSAGE, ATTACHMENT, STATUS_CHANGED, ...
    at: datetime
    actor: str  # "reporter", "system", or an officer's account id
    details: dict[str, Any] = Field(default_factory=dict)


class AttachmentRequest(BaseModel):
    """Fetch a photo/video/audio/file the reporter sent and keep it with the case."""

    key: str
    case_no: str
    message_id: str
    received_at: datetime


class Prompt(StrEnum):
    """What the bot says. Texts live in rendering.citizen_messages, in Thai and English."""

    GREETING = "greeting"
    HELP = "help"
    ASK_INCIDENT_TYPE = "ask_incident_type"
    ASK_LOCATION = "ask_location"
    CONFIRM_LOCATION = "confirm_location"
    LOCATION_OUTSIDE_THAILAND = "location_outside_thailand"
    ASK_PHONE = "ask_phone"
    PHONE_INVALID = "phone_invalid"
    CASE_OPENED = "case_opened"
    CASE_OPENED_INCOMPLETE = "case_opened_incomplete"
    REMINDER = "reminder"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    OFF_SCRIPT = "off_script"
    ATTACHED_TO_CASE = "attached_to_case"
    LANGUAGE_CHANGED = "language_changed"
    REPORTER_ACKNOWLEDGED = "reporter_acknowledged"
    REPORTER_CLOSED = "reporter_closed"
    REPORTER_NOT_FOUND = "reporter_not_found"
    FOLLOW_UP_SENT = "follow_up_sent"  # a message after the case ended reached its officers
    FOLLOW_UP_KEPT = "follow_up_kept"  # ... was kept with the case, but no officer could be reached
    FROM_OFFICER = "from_officer"
    CONSENT_QUESTION = "consent_question"  # may the social-welfare team contact you? yes / no
    CONSENT_THANKS = "consent_thanks"
    REPORTER_IN_CARE = "reporter_in_care"  # only with consent: someone will contact you
    MESSAGE_FROM_CARE = "message_from_care"  # only with consent: the case worker's words, relayed
    CASE_NOT_RECORDED = "case_not_recorded"  # the report could not be recorded: call 191 now (it is kept)
    PASSED_TO_TEAM = "passed_to_team"  # after the team accepted, with consent: your message went to them
    IN_TEAM_CARE = "in_team_care"  # after the team accepted, without consent: who looks after you now
    # To officers (rendering.officer_messages)
    CASE_ALERT = "case_alert"
    CASE_DETAIL = "case_detail"
    OFFICER_ACTION_DONE = "officer_action_done"
    OFFICER_ACTION_REJECTED = "officer_action_rejected"
    OFFICER_REGISTERED = "officer_registered"
    OFFICER_REGISTRATION_FAILED = "officer_registration_failed"
    NOT_AN_OFFICER = "not_an_officer"
    CASE_RETURNED = "case_returned"  # to the station and 191 centre: the team gave the case back
    CASE_FOLLOW_UP = "case_follow_up"  # to the case's officers: the reporter wrote after the case ended
    # What the reporter sent on an open case, relayed to the officers who hold it (rendering.relay_messages)
    REPORTER_SAYS = "reporter_says"  # the words (or what kind of message came), with a Reply button
    REPORTER_PHOTO = "reporter_photo"  # the photo itself, as an image message
    REPORTER_PLACE = "reporter_place"  # a location the reporter shared, as a map
    # To multidisciplinary team members (rendering.team_messages)
    HANDOFF_ALERT = "handoff_alert"  # a new hand-off, a reminder, or an escalation
    HANDOFF_ASSIGNED = "handoff_assigned"  # to the case worker
    FOLLOW_UP_REMINDER = "follow_up_reminder"  # due soon, or overdue
    # Answers to the alert's accept button
    HANDOFF_ACCEPTED_BY_TAP = "handoff_accepted_by_tap"  # you accepted, and are the case worker
    HANDOFF_TAKEN = "handoff_taken"  # the team has already answered (accepted, handed back, closed)
    HANDOFF_TAP_REFUSED = "handoff_tap_refused"  # with the refusal's reason
    HANDOFF_NEEDS_BACK_OFFICE = "handoff_needs_back_office"  # the national desk names a case worker there
    NOT_A_TEAM_MEMBER = "not_a_team_member"
    APPROVAL_REQUESTED = "approval_requested"  # to the office head: a closing or a high-risk plan to approve
    APPROVAL_ANSWERED = "approval_answered"  # to whoever asked: approved, or sent back with the reason
    APPROVED_BY_TAP = "approved_by_tap"  # you approved it
    APPROVAL_TAP_REFUSED = "approval_tap_refused"  # with the refusal's reason
    TRANSFER_ALERT = "transfer_alert"  # to the receiving province's team: a care offered to it (reminded, escalated)
    TRANSFER_ANSWERED = "transfer_answered"  # to whoever offered it: accepted, or declined with the reason
    # Said by the conversation: the accept button of a hand-off that has ended
    HANDOFF_ENDED = "handoff_ended"


class BotMessage(BaseModel):
    prompt: Prompt
    params: dict[str, Any] = Field(default_factory=dict)


class Delivery(BaseModel):
    """Messages for one user, sent by reply while the token is fresh, else by push."""

    key: str  # stable across retries: becomes the push X-Line-Retry-Key
    user_id: str
    language: Language
    messages: list[BotMessage] = Field(min_length=1, max_length=5)
    reply_token: str | None = None
    reply_token_issued_at: datetime | None = None
    # Reporters' phones must stay silent; an officer's alert must be heard.
    silent: bool = True


class DeliveryResult(BaseModel):
    method: str  # "reply", "push" or "already-delivered"
