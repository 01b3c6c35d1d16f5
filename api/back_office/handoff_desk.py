"""The hand-off desk: the multidisciplinary team's inbox, and one hand-off's page with its own
timeline, the care plan and the team's actions.

Data minimisation: the team sees what it needs for the care — the incident type, the place, the
police officer's forward note, the reporter's phone only once the reporter agreed to be contacted —
never the police timeline nor the reporter's messages and photos. A hand-off outside the account's
scope answers 404, exactly like one that does not exist. Every view and every action goes to the
audit log. Actions are the hand-off workflow's updates."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import asyncpg
from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api.back_office.deliberate_actions import TEAM_CONFIRMED, TEAM_CONSEQUENCES, TEAM_NEEDS_REASON
from api.back_office.filter_days import FilterProblem, day_of
from api.back_office.sessions import CurrentSession, FormSession
from api.back_office.web import page
from api.case_actions import Refusal
from api.handoff_actions import send_team_action
from database import audit, handoffs
from database.agencies import agencies_for_province
from database.caseloads import DUE_SOON, caseloads, open_cares
from database.provinces import all_provinces
from database.risk_questions import risk_questions
from database.team_members import team_member_by_id, team_members_of_province
from domain.accounts import Account
from domain.agencies import AGENCY_KIND_LABELS
from domain.clock import THAILAND
from domain.handoff import (
    FINAL_HANDOFF_STATUSES,
    TEAM_NEEDS_NOTE,
    ApprovalSubject,
    CareOutcome,
    Consent,
    FollowUpKind,
    FollowUpPlan,
    HandoffOutcome,
    HandoffStatus,
    IllegalTeamAction,
    TeamAction,
    TeamActionKind,
    TeamMember,
    handoff_status_after,
    supervises,
)
from domain.person_helped import AgeBand, HarmerRelation, Known, PersonHelped, Sex
from domain.phone import read_phone_number
from domain.risk import RiskLevel
from domain.role_names import TEAM_ROLE_LABELS
from rendering.audience_labels import TEAM_AUDIENCE_LABELS
from rendering.team_labels import (
    AGE_BAND_LABELS,
    APPROVAL_SUBJECT_LABELS,
    CARE_OUTCOME_LABELS,
    CONSENT_LABELS,
    FOLLOW_UP_KIND_LABELS,
    FOLLOW_UP_STATUS_LABELS,
    HANDOFF_STATUS_LABELS,
    HARMER_RELATION_LABELS,
    KNOWN_LABELS,
    REFERRAL_ANSWER_LABELS,
    RISK_ANSWER_LABELS,
    RISK_LEVEL_LABELS,
    SEX_LABELS,
    TEAM_ACTION_LABELS,
)

router = APIRouter(prefix="/office/handoffs", include_in_schema=False)
# The record of the person helped, in the page's order: (field, its words, the label table of its
# answers; None for a free text).
PERSON_FIELDS: tuple[tuple[str, tuple[str, str], str | None], ...] = (
    ("is_reporter", ("เป็นผู้แจ้งเอง", "Is the reporter"), "known"),
    ("age_band", ("ช่วงอายุ", "Age"), "age_band"),
    ("sex", ("เพศ", "Sex"), "sex"),
    ("disability", ("ความพิการ", "Disability"), "known"),
    ("nationality", ("สัญชาติ", "Nationality"), None),
    ("language", ("ภาษา", "Language"), None),
    ("harmer_relation", ("ผู้กระทำเป็น", "The person who harms is"), "harmer_relation"),
    ("household", ("ครัวเรือน", "Household"), None),
)

PAGE_SIZE = 100
NOT_FOUND = "ไม่พบเรื่องส่งต่อนี้ในเขตของท่าน — no such hand-off within your scope"
READ_ONLY = "บัญชีนี้ดูได้อย่างเดียว — this account may only read hand-offs"
NEEDS_AGREEMENT = ("ต้องได้รับความยินยอมจากผู้ได้รับความช่วยเหลือหรือผู้ปกครองก่อนบันทึก"
                   " — the person helped, or their guardian, must agree to the record first")
TEAM_PAGES = ("หน้านี้สำหรับทีมสหวิชาชีพและผู้ดูแลระบบ ฝ่ายตำรวจดูผลการดูแลได้ที่หน้าเรื่อง"
              " — for the team and administrators; the police see the outcome on the case page")
# The hand-off's own timeline, in words (the workflow's entry kinds).
HANDOFF_EVENT_LABELS: dict[str, tuple[str, str]] = {
    "OPENED": ("ตำรวจส่งต่อทีมสหวิชาชีพ", "Forwarded by the police"),
    "ALERTED": ("แจ้งเตือนทีมทาง LINE", "Team alerted on LINE"),
    "REMINDED": ("เตือนทีมอีกครั้ง", "Team reminded"),
    "ESCALATED": ("แจ้งเตือนขึ้นลำดับ", "Escalated"),
    "CONSENT": ("คำตอบของผู้แจ้งเรื่องการติดต่อ", "Reporter's answer about being contacted"),
    "ACCEPTED": ("ทีมรับเรื่อง", "Accepted by the team"),
    "REJECTED": ("ทีมส่งคืนตำรวจ", "Returned to the police"),
    "ASSIGNED": ("มอบหมายผู้ดูแล", "Case worker assigned"),
    "PLANNED": ("เพิ่มแผนติดตาม", "Follow-up planned"),
    "RECORDED": ("บันทึกผลการติดตาม", "Follow-up recorded"),
    "FOLLOW_UP_REMINDED": ("เตือนการติดตาม", "Follow-up reminder"),
    "CLOSED": ("ปิดการดูแล", "Care closed"),
    "NOTE": ("บันทึกของทีม", "Team's note"),
    "REPORTER_TOLD": ("แจ้งผู้แจ้งว่าจะมีผู้ติดต่อ", "Reporter told someone will contact them"),
    "CASE_NOT_TOLD": ("แจ้งเรื่องตำรวจไม่ได้ (เรื่องสิ้นสุดแล้ว)", "The police case could not be told (it had ended)"),
    "PERSON_DESCRIBED": ("บันทึกข้อมูลผู้ได้รับความช่วยเหลือ", "Person helped recorded"),
    "RISK_ASSESSED": ("ประเมินความเสี่ยง", "Risk assessed"),
    "FOLLOW_UP_MOVED": ("เลื่อนนัดติดตามให้เร็วขึ้น (ความเสี่ยงสูง)", "Follow-up brought forward (high risk)"),
    "APPROVAL_REQUESTED": ("ขออนุมัติจากหัวหน้า", "Approval asked of the supervisor"),
    "APPROVED": ("หัวหน้าอนุมัติ", "Approved by the supervisor"),
    "SENT_BACK": ("หัวหน้าส่งกลับให้แก้ไข", "Sent back by the supervisor"),
    "APPROVAL_WITHDRAWN": ("ถอนคำขออนุมัติ (ความเสี่ยงไม่สูงแล้ว)", "Approval withdrawn (the risk is no longer high)"),
    "REFERRED": ("ส่งต่อหน่วยงาน", "Referred to an agency"),
    "REFERRAL_ANSWERED": ("คำตอบของหน่วยงาน", "The agency's answer"),
    "REPORTER_MESSAGED": ("ส่งข้อความถึงผู้แจ้งทาง LINE", "Message to the reporter on LINE"),
    "TRANSFER_REQUESTED": ("ขอโอนการดูแลไปจังหวัดอื่น", "Care offered to another province's team"),
    "TRANSFER_ALERTED": ("แจ้งทีมจังหวัดปลายทางทาง LINE", "The receiving team alerted on LINE"),
    "TRANSFER_ACCEPTED": ("ทีมจังหวัดปลายทางรับโอน", "The receiving team took the care"),
    "TRANSFER_DECLINED": ("ทีมจังหวัดปลายทางไม่รับโอน", "The receiving team declined"),
}
ACTOR_LABELS: dict[str, tuple[str, str]] = {
    "system": ("ระบบ", "System"),
    "reporter": ("ผู้แจ้ง", "Reporter"),
    "officer": ("ตำรวจ", "Police"),
    "team": ("ทีมสหวิชาชีพ", "Team"),
}
LABELS = {
    "handoff_status": HANDOFF_STATUS_LABELS,
    "care_outcome": CARE_OUTCOME_LABELS,
    "consent": CONSENT_LABELS,
    "follow_up_kind": FOLLOW_UP_KIND_LABELS,
    "follow_up_status": FOLLOW_UP_STATUS_LABELS,
    "team_action": TEAM_ACTION_LABELS,
    "team_role": TEAM_ROLE_LABELS,
    "handoff_event": HANDOFF_EVENT_LABELS,
    "actor": ACTOR_LABELS,
    "team_audience": TEAM_AUDIENCE_LABELS,
    "known": KNOWN_LABELS,
    "age_band": AGE_BAND_LABELS,
    "sex": SEX_LABELS,
    "harmer_relation": HARMER_RELATION_LABELS,
    "risk_level": RISK_LEVEL_LABELS,
    "risk_answer": RISK_ANSWER_LABELS,
    "approval_subject": APPROVAL_SUBJECT_LABELS,
    "referral_answer": REFERRAL_ANSWER_LABELS,
    "agency_kind": AGENCY_KIND_LABELS,
}
# The kinds a member plans as such: a risk review comes from the risk assessment, a referral from its
# own form (naming the agency).
PLANNED_BY_MEMBERS = [kind for kind in FollowUpKind if kind not in (FollowUpKind.RISK_REVIEW, FollowUpKind.REFERRAL)]


def time_to_accept(row: asyncpg.Record) -> tuple[str, str] | None:
    """What is left of the team's time to accept, while it waits: (Thai, English)."""
    if row["status"] != HandoffStatus.AWAITING.value:
        return None
    left: timedelta = row["accept_left"]
    if left <= timedelta(0):
        return ("เกินกำหนด", "overdue")
    hours, minutes = int(left.total_seconds() // 3600), int(left.total_seconds() % 3600 // 60)
    return (f"เหลือ {hours} ชม. {minutes} นาที", f"{hours} h {minutes} min left")


# --- the inbox ---------------------------------------------------------------------------------

InboxStatus = Annotated[str, Query(max_length=20)]


def _team_pages_only(account: Account) -> None:
    if not account.reads_handoffs:
        raise HTTPException(403, TEAM_PAGES)


async def _inbox(connection: asyncpg.Connection, account: Account, status: str, mine: bool,
                 page_number: int) -> tuple[list[asyncpg.Record], bool]:
    """One page of hand-offs, newest first, and whether an older page follows."""
    rows = await handoffs.inbox(connection, account.handoff_scope, status=status, mine=mine,
                                case_worker_id=account.team_member_id,
                                limit=PAGE_SIZE + 1, offset=(page_number - 1) * PAGE_SIZE)
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@router.get("")
async def inbox(request: Request, session: CurrentSession, status: InboxStatus = "OPEN", mine: bool = False,
                page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
                declined: str | None = None) -> Response:
    account = session.account
    _team_pages_only(account)
    async with request.app.state.pool.acquire() as connection:
        rows, more = await _inbox(connection, account, status, mine, page_number)
        offers = await handoffs.transfers_offered(connection, account.handoff_scope)

    def page_link(number: int) -> str:
        return "/office/handoffs?" + urlencode({"status": status, **({"mine": "true"} if mine else {}), "page": number})

    return page(request, "handoff_inbox.html", handoffs=rows, offers=offers, declined=declined == "transfer",
                status=status, mine=mine, statuses=HANDOFF_STATUS_LABELS,
                labels=LABELS, time_to_accept=time_to_accept, page_number=page_number,
                newer_link=page_link(page_number - 1) if page_number > 1 else None,
                older_link=page_link(page_number + 1) if more else None)


# --- one hand-off --------------------------------------------------------------------------------

# --- caseloads ---------------------------------------------------------------------------------

FOREIGN_PROVINCE = "ท่านดูได้เฉพาะทีมของจังหวัดของท่าน — you may only see your own province's team"


@router.get("/caseload")
async def caseload(request: Request, session: CurrentSession,
                   province: Annotated[str | None, Query(max_length=2)] = None,
                   worker: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """The team's caseloads: per member, and the cares in progress (one member's with `worker`).
    National accounts choose the province."""
    account = session.account
    _team_pages_only(account)
    scope = account.handoff_scope
    province_code = scope.province_code or province or None
    if province_code is not None and not scope.allows(province_code, None):
        raise HTTPException(403, FOREIGN_PROVINCE)
    now = datetime.now(UTC)
    loads: list[asyncpg.Record] = []
    cares: list[asyncpg.Record] = []
    async with request.app.state.pool.acquire() as connection:
        choices = await all_provinces(connection) if scope.province_code is None else []
        if province_code is not None:
            loads = await caseloads(connection, province_code, now)
            cares = await open_cares(connection, province_code, now, worker)
            await audit.record(connection, "CASELOAD_VIEWED", account=account, province=province_code,
                               worker=worker, team_member_id=account.team_member_id)
    return page(request, "handoff_caseload.html", loads=loads, cares=cares, province_code=province_code,
                provinces=choices, worker=worker, labels=LABELS, can_assign=account.acts_on_handoffs,
                idempotency_key=uuid.uuid4().hex, due_soon_hours=int(DUE_SOON.total_seconds() // 3600))


async def _handoff_in_scope(connection: asyncpg.Connection, account: Account, handoff_id: str) -> asyncpg.Record:
    _team_pages_only(account)
    row = await handoffs.handoff_for_page(connection, handoff_id.upper())
    if row is None or not account.handoff_scope.allows(row["province_code"], row["station_id"]):
        raise HTTPException(404, NOT_FOUND)
    return row


def allowed_actions(status: str) -> list[TeamActionKind]:
    """The team's actions the hand-off's status allows now (domain.handoff's rules)."""
    allowed = []
    for kind in TeamActionKind:
        try:
            handoff_status_after(HandoffStatus(status), kind)
        except IllegalTeamAction:
            continue
        allowed.append(kind)
    return allowed


def _timeline_entry(event: asyncpg.Record, names: dict[int, str]) -> dict[str, Any]:
    """A timeline entry ready to show: who (a member by name), and the details worth reading."""
    actor, _, actor_id = event["actor"].partition(":")
    details = dict(event["details"] or {})
    if isinstance(details.get("due_at"), str):
        try:
            details["due_at"] = datetime.fromisoformat(details["due_at"])
        except ValueError:
            details.pop("due_at")
    case_worker = details.get("case_worker_id")
    return {
        "kind": event["kind"], "at": event["at"], "details": details,
        "member": names.get(int(actor_id)) if actor == "member" and actor_id.isdigit() else None,
        "actor": actor,
        "case_worker": names.get(case_worker) if isinstance(case_worker, int) else None,
        # Whom an alert or a reminder reached, by name (a member since removed shows as such).
        "reached": [names.get(i, "—") for i in details.get("member_ids") or [] if isinstance(i, int)],
    }


async def _timeline(connection: asyncpg.Connection, handoff_id: str) -> list[dict[str, Any]]:
    events, names = await handoffs.timeline_with_names(connection, handoff_id)
    return [_timeline_entry(event, names) for event in events]


@router.get("/{handoff_id}")
async def handoff_page(request: Request, session: CurrentSession, handoff_id: str,
                       done: TeamActionKind | None = None, waiting: ApprovalSubject | None = None,
                       undelivered: bool = False) -> Response:
    return await render_handoff(request, session.account, handoff_id, done=done, waiting=waiting,
                                undelivered=undelivered)


async def render_handoff(request: Request, account: Account, handoff_id: str, done: TeamActionKind | None = None,
                         refused: Refusal | None = None, waiting: ApprovalSubject | None = None,
                         undelivered: bool = False) -> Response:
    async with request.app.state.pool.acquire() as connection:
        try:
            handoff = await _handoff_in_scope(connection, account, handoff_id)
        except HTTPException:
            await audit.record(connection, "HANDOFF_VIEW_REFUSED", account=account, handoff_id=handoff_id[:60],
                               team_member_id=account.team_member_id)
            raise
        timeline = await _timeline(connection, handoff["handoff_id"])
        follow_ups = await handoffs.follow_ups(connection, handoff["handoff_id"])
        await audit.record(connection, "HANDOFF_VIEWED", account=account, case_no=handoff["case_no"],
                           handoff_id=handoff["handoff_id"], team_member_id=account.team_member_id)
        # The record of the person helped is its latest entry; whoever is shown it is in the audit log.
        latest = next((entry for entry in reversed(timeline) if entry["kind"] == "PERSON_DESCRIBED"), None)
        # Retention leaves the entry without the record (database.retention).
        person = latest if latest is not None and isinstance(latest["details"].get("person"), dict) else None
        if person is not None:
            await audit.record(connection, "PERSON_HELPED_VIEWED", account=account, case_no=handoff["case_no"],
                               handoff_id=handoff["handoff_id"], team_member_id=account.team_member_id)
        can_act = account.acts_on_handoffs and HandoffStatus(handoff["status"]) not in FINAL_HANDOFF_STATUSES
        team = await team_members_of_province(connection, handoff["province_code"]) if can_act else []
        member = await acting_member(connection, account) if can_act else None
        questions = await risk_questions(connection, active_only=True) if can_act else []
        approvals = await handoffs.waiting_approvals(connection, handoff["handoff_id"])
        referrals = await handoffs.referrals_of(connection, handoff["handoff_id"])
        transfer = await handoffs.waiting_transfer(connection, handoff["handoff_id"])
        provinces = await all_provinces(connection) if can_act else []
        agencies = await agencies_for_province(connection, handoff["province_code"]) if can_act else []
    risk = next((entry for entry in reversed(timeline) if entry["kind"] == "RISK_ASSESSED"
                 and isinstance(entry["details"].get("assessment"), dict)), None)
    settings = request.app.state.settings
    phone = read_phone_number(handoff["reporter_phone"]) if handoff["reporter_phone"] else None
    return page(
        request, "handoff_page.html", handoff=handoff, timeline=timeline, follow_ups=follow_ups, labels=LABELS,
        phone=phone.national if phone else None, phone_e164=phone.e164 if phone and phone.valid else None,
        consent_given=handoff["consent"] == Consent.GIVEN,
        can_act=can_act, actions=allowed_actions(handoff["status"]) if can_act else [], team=team,
        needs_note=TEAM_NEEDS_NOTE, follow_up_kinds=PLANNED_BY_MEMBERS, care_outcomes=list(CareOutcome),
        risk=risk, risk_questions=questions, risk_levels=list(RiskLevel), approvals=approvals,
        referrals=referrals, agencies=agencies, undelivered=undelivered, transfer=transfer, provinces=provinces,
        supervisor=member is not None and supervises(member),
        waiting=APPROVAL_SUBJECT_LABELS.get(waiting) if waiting else None,
        # Recorded one by one; a risk review is recorded by assessing the risk again.
        planned=[f for f in follow_ups if f["status"] == "PLANNED" and f["kind"] != FollowUpKind.RISK_REVIEW],
        time_to_accept=time_to_accept,
        person=person, person_removed=latest is not None and person is None, person_fields=PERSON_FIELDS,
        idempotency_key=uuid.uuid4().hex, tile_url=settings.map_tile_url,
        tile_attribution=settings.map_tile_attribution, done=TEAM_ACTION_LABELS.get(done) if done else None,
        refused=refused, status_code=refused.status if refused else 200,
    )


# --- the team's actions --------------------------------------------------------------------------

class FormProblem(ValueError):
    """A form that cannot become an action (Thai — English)."""


def _optional_number(text: str, what: tuple[str, str]) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise FormProblem(f"{what[0]}ไม่ถูกต้อง — invalid {what[1]}") from None


NEEDS_DUE_TIME = ("ต้องระบุวันและเวลานัดติดตาม เช่น 05/12/2569 14:30"
                  " — a follow-up needs a date and time, e.g. 05/12/2569 14:30")
# dd/mm/yyyy (either era), then the time hh:mm (or hh.mm, as Thais often write it).
DAY_AND_TIME = re.compile(r"([^\s,]+)[\s,]+(\d{1,2})[:.](\d{2})")


def thailand_time(text: str) -> datetime:
    """A date and time typed in Thailand's time, made aware: dd/mm/yyyy hh:mm with the year in
    either era (as the back office's date fields), or ISO (2026-12-05T14:30)."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        found = DAY_AND_TIME.fullmatch(text)
        try:
            if found is None:
                raise ValueError
            moment = datetime.combine(day_of(found.group(1)), time(int(found.group(2)), int(found.group(3))))
        except (ValueError, FilterProblem):
            raise FormProblem(NEEDS_DUE_TIME) from None
    return moment.replace(tzinfo=THAILAND) if moment.tzinfo is None else moment


def team_action_from_form(kind: TeamActionKind, member: Any, *, note: str, case_worker_id: str,
                          follow_up_kind: str, due_at: str, follow_up_number: str, outcome: str) -> TeamAction:
    """The action the form asks for, with only the fields its kind uses. The workflow checks the
    rest (a reason to return, an outcome to close, a follow-up that is still planned...)."""
    fields: dict[str, Any] = {"kind": kind, "member": member, "note": note.strip() or None}
    if kind in (TeamActionKind.ACCEPT, TeamActionKind.ASSIGN):
        fields["case_worker_id"] = _optional_number(case_worker_id, ("ผู้ดูแล", "case worker"))
    elif kind == TeamActionKind.PLAN:
        if follow_up_kind not in FollowUpKind.__members__:
            raise FormProblem("ต้องเลือกประเภทการติดตาม — choose a kind of follow-up")
        fields["follow_up"] = FollowUpPlan(kind=FollowUpKind(follow_up_kind), due_at=thailand_time(due_at),
                                           note=note.strip())
        fields["note"] = None
    elif kind == TeamActionKind.RECORD:
        fields["follow_up_number"] = _optional_number(follow_up_number, ("ลำดับการติดตาม", "follow-up number"))
    elif kind == TeamActionKind.CLOSE:
        fields["outcome"] = CareOutcome(outcome) if outcome in CareOutcome.__members__ else None
    return TeamAction(**fields)


@router.post("/{handoff_id}/actions")
async def act(request: Request, session: FormSession, handoff_id: str,
              kind: Annotated[TeamActionKind, Form()], idempotency_key: Annotated[str, Form(max_length=64)],
              note: Annotated[str, Form(max_length=2000)] = "",
              case_worker_id: Annotated[str, Form(max_length=12)] = "",
              follow_up_kind: Annotated[str, Form(max_length=32)] = "",
              due_at: Annotated[str, Form(max_length=32)] = "",
              follow_up_number: Annotated[str, Form(max_length=12)] = "",
              outcome: Annotated[str, Form(max_length=32)] = "",
              confirmed: Annotated[str, Form(max_length=8)] = "") -> Response:
    """One action from its own form; returning the case and closing the care are confirmed first."""
    account = session.account
    handoff, member = await handoff_and_member(request, account, handoff_id)
    handoff_id = handoff["handoff_id"]
    answer: Any
    if member is None:
        answer = Refusal(403, READ_ONLY, "ReadOnly")
    else:
        try:
            action = team_action_from_form(kind, member, note=note, case_worker_id=case_worker_id,
                                           follow_up_kind=follow_up_kind, due_at=due_at,
                                           follow_up_number=follow_up_number, outcome=outcome)
        except FormProblem as problem:
            answer = Refusal(422, str(problem), "InvalidAction")
        except ValidationError:
            answer = Refusal(422, "ข้อมูลในแบบฟอร์มไม่ถูกต้อง — the form is not valid", "InvalidAction")
        else:
            answer = _desk_refusal(action)
            if answer is None and kind in TEAM_CONFIRMED and confirmed != "yes":
                return _confirmation(request, handoff, action, idempotency_key)
            if answer is None:
                answer = await send_action(request, handoff_id, action, idempotency_key)
    return await answer_action(request, account, handoff, kind, answer)


async def handoff_and_member(request: Request, account: Account,
                              handoff_id: str) -> tuple[asyncpg.Record, TeamMember | None]:
    """The hand-off (404 outside the account's scope), and the team member the account acts as, if it acts."""
    async with request.app.state.pool.acquire() as connection:
        handoff = await _handoff_in_scope(connection, account, handoff_id)
        member = await acting_member(connection, account)
    return handoff, member


async def acting_member(connection: asyncpg.Connection, account: Account) -> TeamMember | None:
    """The team member the account acts as on hand-offs; None for an account that only reads them."""
    if not account.acts_on_handoffs or account.team_member_id is None:
        return None
    return await team_member_by_id(connection, account.team_member_id)


async def send_action(request: Request, handoff_id: str, action: TeamAction, idempotency_key: str) -> Any:
    # Each form of a page has its own key (the kind): one form sent twice applies once.
    return await send_team_action(request.app.state.temporal, handoff_id, action,
                                  f"office-{idempotency_key}-{action.kind.value}")


async def answer_action(request: Request, account: Account, handoff: asyncpg.Record, kind: TeamActionKind,
                  answer: Any) -> Response:
    """Audits the action, then shows the page again with the refusal, or goes back to it saying done."""
    handoff_id = handoff["handoff_id"]
    async with request.app.state.pool.acquire() as connection:
        await audit.record(connection, "HANDOFF_ACTION", account=account, case_no=handoff["case_no"],
                           handoff_id=handoff_id, kind=kind.value, team_member_id=account.team_member_id,
                           refused=answer.type if isinstance(answer, Refusal) else None)
    if isinstance(answer, Refusal):
        return await render_handoff(request, account, handoff_id, refused=answer)
    if isinstance(answer, HandoffOutcome) and answer.awaiting_approval:  # the closing waits for a supervisor
        return RedirectResponse(f"/office/handoffs/{quote(handoff_id)}?waiting={ApprovalSubject.CLOSURE.value}",
                                status_code=303)
    if isinstance(answer, HandoffOutcome) and answer.delivered is False:  # LINE never took the message
        return RedirectResponse(f"/office/handoffs/{quote(handoff_id)}?undelivered=true", status_code=303)
    return RedirectResponse(f"/office/handoffs/{quote(handoff_id)}?done={quote(kind.value)}", status_code=303)


@router.post("/{handoff_id}/person")
async def describe_person(request: Request, session: FormSession, handoff_id: str,
                          idempotency_key: Annotated[str, Form(max_length=64)],
                          is_reporter: Annotated[Known, Form()] = Known.UNKNOWN,
                          age_band: Annotated[AgeBand, Form()] = AgeBand.UNKNOWN,
                          sex: Annotated[Sex, Form()] = Sex.UNKNOWN,
                          disability: Annotated[Known, Form()] = Known.UNKNOWN,
                          harmer_relation: Annotated[HarmerRelation, Form()] = HarmerRelation.UNKNOWN,
                          nationality: Annotated[str, Form(max_length=60)] = "",
                          language: Annotated[str, Form(max_length=60)] = "",
                          household: Annotated[str, Form(max_length=300)] = "",
                          agreed: Annotated[str, Form(max_length=8)] = "") -> Response:
    """The person helped, as the case worker records them once they (or their guardian) agreed."""
    account = session.account
    handoff, member = await handoff_and_member(request, account, handoff_id)
    answer: Any
    if member is None:
        answer = Refusal(403, READ_ONLY, "ReadOnly")
    elif agreed != "yes":
        answer = Refusal(422, NEEDS_AGREEMENT, "InvalidAction")
    else:
        person = PersonHelped(is_reporter=is_reporter, age_band=age_band, sex=sex, disability=disability,
                              harmer_relation=harmer_relation, nationality=nationality.strip() or None,
                              language=language.strip() or None, household=household.strip() or None)
        action = TeamAction(kind=TeamActionKind.DESCRIBE_PERSON, member=member, person=person, person_agreed=True)
        answer = await send_action(request, handoff["handoff_id"], action, idempotency_key)
    return await answer_action(request, account, handoff, TeamActionKind.DESCRIBE_PERSON, answer)


def _desk_refusal(action: TeamAction) -> Refusal | None:
    """What the desk refuses before asking for a confirmation: a missing reason or care outcome."""
    if action.kind in TEAM_NEEDS_REASON and not (action.note or "").strip():
        return Refusal(422, "ต้องมีบันทึกประกอบ — a note or reason is required", "InvalidAction")
    if action.kind == TeamActionKind.CLOSE and action.outcome is None:
        return Refusal(422, "ต้องเลือกผลการดูแล — choose the care outcome", "InvalidAction")
    return None


def _confirmation(request: Request, handoff: asyncpg.Record, action: TeamAction, idempotency_key: str) -> Response:
    """The step that names what will happen; nothing is sent until it is confirmed."""
    handoff_id = quote(handoff["handoff_id"])
    fields = {"kind": action.kind.value, "note": action.note or "", "idempotency_key": idempotency_key,
              **({"outcome": action.outcome.value} if action.outcome else {})}
    return page(request, "confirm_action.html", title=handoff["case_no"], label=TEAM_ACTION_LABELS[action.kind],
                consequence=TEAM_CONSEQUENCES[action.kind], danger=True, warning=None, station=None,
                outcome=CARE_OUTCOME_LABELS[action.outcome] if action.outcome else None,
                note=action.note or "", note_is_message=False,
                action_url=f"/office/handoffs/{handoff_id}/actions", back_url=f"/office/handoffs/{handoff_id}",
                fields=fields)
