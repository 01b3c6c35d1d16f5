"""Managing the care on the hand-off page: the case worker's risk assessment; the office head's approval
(or sending back, with the reason) of a closing or a high-risk plan; referrals to the province's
agencies and their answers; and a message to the reporter through the bot. All are the hand-off
workflow's updates; the workflow decides who may (a supervisor approves) and when."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.back_office.handoff_desk import (
    LABELS,
    NOT_FOUND,
    READ_ONLY,
    FormProblem,
    acting_member,
    answer_action,
    handoff_and_member,
    send_action,
    thailand_time,
)
from api.back_office.sessions import CurrentSession, FormSession
from api.back_office.web import page
from api.case_actions import Refusal
from database import audit, handoffs
from database.agencies import agencies_for_province
from database.provinces import all_provinces
from database.risk_questions import risk_questions
from database.team_members import team_members_of_province
from domain.accounts import Account
from domain.handoff import ApprovalSubject, ReferralAnswer, ReferralPlan, TeamAction, TeamActionKind
from domain.risk import RiskAnswer, RiskAnswerGiven, RiskAssessment, RiskLevel

router = APIRouter(prefix="/office/handoffs", include_in_schema=False)

NEEDS_LEVEL = "ต้องเลือกระดับความเสี่ยงและระบุเหตุผล — choose the risk level and give the reason"
NEEDS_REASON = "ต้องระบุเหตุผลที่ส่งกลับ — say why it is sent back"


@router.post("/{handoff_id}/risk")
async def assess_risk(request: Request, session: FormSession, handoff_id: str) -> Response:
    """The questions asked now (answer-<code>: YES / NO / UNKNOWN; a question left out is unknown), the
    level and the reason. The assessment keeps each question's words as asked."""
    account = session.account
    handoff, member = await handoff_and_member(request, account, handoff_id)
    form = await request.form()
    level, reason = str(form.get("level", "")), str(form.get("reason", "")).strip()[:2000]
    answer: Any
    if member is None:
        answer = Refusal(403, READ_ONLY, "ReadOnly")
    elif level not in RiskLevel.__members__ or not reason:
        answer = Refusal(422, NEEDS_LEVEL, "InvalidAction")
    else:
        async with request.app.state.pool.acquire() as connection:
            questions = await risk_questions(connection, active_only=True)
        answers = [RiskAnswerGiven(code=q.code, question_th=q.text_th, question_en=q.text_en, raises_to=q.raises_to,
                                   answer=_answer_of(str(form.get(f"answer-{q.code}", ""))))
                   for q in questions]
        if not answers:
            answer = Refusal(422, "ยังไม่มีคำถามประเมินความเสี่ยง — no risk questions are set", "InvalidAction")
        else:
            risk = RiskAssessment(answers=answers, level=RiskLevel(level), reason=reason)
            action = TeamAction(kind=TeamActionKind.ASSESS_RISK, member=member, risk=risk)
            key = str(form.get("idempotency_key", ""))[:64]
            answer = await send_action(request, handoff["handoff_id"], action, key)
    return await answer_action(request, account, handoff, TeamActionKind.ASSESS_RISK, answer)


def _answer_of(text: str) -> RiskAnswer:
    return RiskAnswer(text) if text in RiskAnswer.__members__ else RiskAnswer.UNKNOWN


@router.post("/{handoff_id}/approval")
async def answer_approval(request: Request, session: FormSession, handoff_id: str,
                          subject: Annotated[ApprovalSubject, Form()],
                          decision: Annotated[TeamActionKind, Form()],
                          idempotency_key: Annotated[str, Form(max_length=64)],
                          note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """The office head approves, or sends back with the reason (the case worker hears it on LINE)."""
    account = session.account
    handoff, member = await handoff_and_member(request, account, handoff_id)
    kind = decision
    answer: Any
    if kind not in (TeamActionKind.APPROVE, TeamActionKind.SEND_BACK):
        answer = Refusal(422, "ไม่รู้จักคำตอบนี้ — approve or send back", "InvalidAction")
    elif member is None:
        answer = Refusal(403, READ_ONLY, "ReadOnly")
    elif kind == TeamActionKind.SEND_BACK and not note.strip():
        answer = Refusal(422, NEEDS_REASON, "InvalidAction")
    else:
        action = TeamAction(kind=kind, member=member, subject=subject, note=note.strip() or None)
        # One page may approve both a closing and a high-risk plan: each answer its own update.
        answer = await send_action(request, handoff["handoff_id"], action, f"{idempotency_key}-{subject.value}")
    return await answer_action(request, account, handoff, kind, answer)


NO_SUCH_AGENCY = "ไม่พบหน่วยงานนี้ในทำเนียบของจังหวัด — no such agency in the province's directory"


@router.post("/{handoff_id}/referrals")
async def refer(request: Request, session: FormSession, handoff_id: str,
                agency_id: Annotated[str, Form(max_length=12)], due_at: Annotated[str, Form(max_length=32)],
                idempotency_key: Annotated[str, Form(max_length=64)],
                note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """A referral to one of the province's agencies (or a national one), named as the directory names
    it now; the agency's answer is due by `due_at`."""
    account = session.account
    handoff, member = await handoff_and_member(request, account, handoff_id)
    answer: Any
    async with request.app.state.pool.acquire() as connection:
        agencies = {str(a.agency_id): a for a in await agencies_for_province(connection, handoff["province_code"])}
    agency = agencies.get(agency_id.strip())
    if member is None:
        answer = Refusal(403, READ_ONLY, "ReadOnly")
    elif agency is None:
        answer = Refusal(422, NO_SUCH_AGENCY, "InvalidAction")
    else:
        try:
            plan = ReferralPlan(agency_id=agency.agency_id, agency_kind=agency.kind, agency_name_th=agency.name_th,
                                agency_name_en=agency.name_en, due_at=thailand_time(due_at), note=note.strip())
        except FormProblem as problem:
            answer = Refusal(422, str(problem), "InvalidAction")
        else:
            action = TeamAction(kind=TeamActionKind.REFER, member=member, referral=plan)
            answer = await send_action(request, handoff["handoff_id"], action, idempotency_key)
    return await answer_action(request, account, handoff, TeamActionKind.REFER, answer)


@router.post("/{handoff_id}/referrals/{number}/answer")
async def answer_referral(request: Request, session: FormSession, handoff_id: str, number: int,
                          referral_answer: Annotated[ReferralAnswer, Form(alias="answer")],
                          idempotency_key: Annotated[str, Form(max_length=64)],
                          note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """The agency's answer: accepted, or declined with its reason."""
    account = session.account
    handoff, member = await handoff_and_member(request, account, handoff_id)
    answer: Any
    if member is None:
        answer = Refusal(403, READ_ONLY, "ReadOnly")
    else:
        action = TeamAction(kind=TeamActionKind.ANSWER_REFERRAL, member=member, follow_up_number=number,
                            referral_answer=referral_answer, note=note.strip() or None)
        answer = await send_action(request, handoff["handoff_id"], action, f"{idempotency_key}-{number}")
    return await answer_action(request, account, handoff, TeamActionKind.ANSWER_REFERRAL, answer)


@router.post("/{handoff_id}/reporter-message")
async def message_reporter(request: Request, session: FormSession, handoff_id: str,
                           text: Annotated[str, Form(max_length=2000)],
                           idempotency_key: Annotated[str, Form(max_length=64)]) -> Response:
    """Through the bot to a reporter who agreed to be contacted (the workflow refuses otherwise)."""
    account = session.account
    handoff, member = await handoff_and_member(request, account, handoff_id)
    answer: Any
    if member is None:
        answer = Refusal(403, READ_ONLY, "ReadOnly")
    elif not text.strip():
        answer = Refusal(422, "ต้องมีข้อความ — write the message", "InvalidAction")
    else:
        action = TeamAction(kind=TeamActionKind.MESSAGE_REPORTER, member=member, note=text.strip())
        answer = await send_action(request, handoff["handoff_id"], action, idempotency_key)
    return await answer_action(request, account, handoff, TeamActionKind.MESSAGE_REPORTER, answer)


# --- a care moved to another province's team ------------------------------------------------------

NO_SUCH_PROVINCE = "ต้องเลือกจังหวัดที่จะโอนการดูแลไป — choose the province the care moves to"


@router.post("/{handoff_id}/transfer")
async def transfer(request: Request, session: FormSession, handoff_id: str,
                   to_province_code: Annotated[str, Form(max_length=2)],
                   idempotency_key: Annotated[str, Form(max_length=64)],
                   note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Offers the care to the team of the province the person helped moved to."""
    account = session.account
    handoff, member = await handoff_and_member(request, account, handoff_id)
    async with request.app.state.pool.acquire() as connection:
        known = {row["code"] for row in await all_provinces(connection)}
    answer: Any
    if member is None:
        answer = Refusal(403, READ_ONLY, "ReadOnly")
    elif to_province_code not in known:
        answer = Refusal(422, NO_SUCH_PROVINCE, "InvalidAction")
    else:
        action = TeamAction(kind=TeamActionKind.TRANSFER, member=member, to_province_code=to_province_code,
                            note=note.strip() or None)
        answer = await send_action(request, handoff["handoff_id"], action, idempotency_key)
    return await answer_action(request, account, handoff, TeamActionKind.TRANSFER, answer)


async def _offer_in_scope(request: Request, account: Account, handoff_id: str) -> Any:
    """The offer waiting for a team within the account's scope (404 otherwise, as for a hand-off)."""
    if not account.reads_handoffs:
        raise HTTPException(404, NOT_FOUND)
    async with request.app.state.pool.acquire() as connection:
        offer = await handoffs.waiting_transfer(connection, handoff_id.upper())
    if offer is None or not account.handoff_scope.allows(offer["to_province_code"], None):
        raise HTTPException(404, NOT_FOUND)
    return offer


@router.get("/transfers/{handoff_id}")
async def transfer_offer(request: Request, session: CurrentSession, handoff_id: str) -> Response:
    return await _render_offer(request, session.account, handoff_id)


async def _render_offer(request: Request, account: Account, handoff_id: str,
                        refused: Refusal | None = None) -> Response:
    """What the receiving team reads before it accepts: the kind of incident, where from, why, by when
    and the risk level; the care itself (its timeline, the person helped, the contact) once it accepts."""
    offer = await _offer_in_scope(request, account, handoff_id)
    async with request.app.state.pool.acquire() as connection:
        team = (await team_members_of_province(connection, offer["to_province_code"])
                if account.acts_on_handoffs else [])
        await audit.record(connection, "TRANSFER_OFFER_VIEWED", account=account, case_no=offer["case_no"],
                           handoff_id=offer["handoff_id"], team_member_id=account.team_member_id)
    return page(request, "transfer_offer.html", offer=offer, team=team, labels=LABELS,
                can_act=account.acts_on_handoffs, idempotency_key=uuid.uuid4().hex, refused=refused,
                status_code=refused.status if refused else 200)


@router.post("/transfers/{handoff_id}/answer")
async def answer_transfer(request: Request, session: FormSession, handoff_id: str,
                          decision: Annotated[TeamActionKind, Form()],
                          idempotency_key: Annotated[str, Form(max_length=64)],
                          case_worker_id: Annotated[str, Form(max_length=12)] = "",
                          note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """The receiving team accepts, naming its case worker (itself unless another is chosen), or declines
    with the reason; accepted, the care opens on its own page."""
    account = session.account
    offer = await _offer_in_scope(request, account, handoff_id)
    async with request.app.state.pool.acquire() as connection:
        member = await acting_member(connection, account)
    answer: Any
    if member is None:
        answer = Refusal(403, READ_ONLY, "ReadOnly")
    elif decision not in (TeamActionKind.ACCEPT_TRANSFER, TeamActionKind.DECLINE_TRANSFER):
        answer = Refusal(422, "ไม่รู้จักคำตอบนี้ — accept or decline", "InvalidAction")
    elif decision == TeamActionKind.DECLINE_TRANSFER and not note.strip():
        answer = Refusal(422, "ต้องระบุเหตุผลที่ไม่รับโอน — say why the transfer is declined", "InvalidAction")
    else:
        action = TeamAction(kind=decision, member=member, note=note.strip() or None,
                            case_worker_id=int(case_worker_id) if case_worker_id.strip().isdigit() else None)
        answer = await send_action(request, offer["handoff_id"], action, idempotency_key)
    async with request.app.state.pool.acquire() as connection:
        await audit.record(connection, "HANDOFF_ACTION", account=account, case_no=offer["case_no"],
                           handoff_id=offer["handoff_id"], kind=decision.value, team_member_id=account.team_member_id,
                           refused=answer.type if isinstance(answer, Refusal) else None)
    if isinstance(answer, Refusal):
        return await _render_offer(request, account, offer["handoff_id"], refused=answer)
    if decision == TeamActionKind.ACCEPT_TRANSFER:
        return RedirectResponse(f"/office/handoffs/{offer['handoff_id']}?done=ACCEPT_TRANSFER", status_code=303)
    return RedirectResponse("/office/handoffs?declined=transfer", status_code=303)
