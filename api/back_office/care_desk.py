"""The care's supervision on the hand-off page: the case worker's risk assessment, and the office head's
approval (or sending back, with the reason) of a closing or a high-risk plan. Both are the hand-off
workflow's updates; the workflow decides who may (a supervisor approves) and when."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.back_office.handoff_desk import READ_ONLY, answer_action, handoff_and_member, send_action
from api.back_office.sessions import FormSession
from api.case_actions import Refusal
from database.risk_questions import risk_questions
from domain.handoff import ApprovalSubject, TeamAction, TeamActionKind
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
