"""The case desk: the live list of the cases a user may see, and one case's page with its
timeline, the reporter's messages and photos, and the actions.

A case outside the user's scope answers 404, exactly like a case that does not exist; a
multidisciplinary team opens no police case page at all (its view is the hand-off page) and is sent
to its inbox. Every view of a case, every unmasking of a phone number and every action goes to the
audit log. An unmasked phone number stays shown to that session, for that case, for a few minutes
(database.unmask_grants), then is masked again. Actions are the case workflow's updates, as in the
JSON API. A forwarded case shows its latest hand-off: where the team stands, why it gave the case
back, or how the care ended."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

import asyncpg
from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.back_office.sessions import SESSION_COOKIE, CurrentSession, FormSession
from api.back_office.sign_in import TEAM_HOME
from api.back_office.timeline_words import case_timeline_in_words
from api.back_office.web import page
from api.case_actions import Refusal, send_action
from database import audit, case_attachments, cases, handoffs, stations
from database.live_desk import read_reporter_messages
from database.officers import officer_by_id
from database.unmask_grants import grant_unmask, unmasked_until
from domain.accounts import HANDLES_CASES, Account
from domain.case_rules import ACTIONABLE, NEEDS_NOTE
from domain.masking import mask_phone
from domain.models import ActionKind, CaseStatus, OfficerAction
from domain.phone import read_phone_number
from orchestration.ids import case_workflow_id
from rendering.officer_messages import ACTION_LABELS, STATUS_LABELS
from rendering.team_labels import CARE_OUTCOME_LABELS, HANDOFF_STATUS_LABELS

router = APIRouter(prefix="/office/cases", include_in_schema=False)

LIST_LIMIT = 100
# Shown in the page; anything else is downloaded, never rendered by the browser.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
NOT_FOUND = "ไม่พบเรื่องแจ้งเหตุนี้ในเขตของท่าน — no such case within your scope"
# A reader's looks at a case's photos within this long are one ATTACHMENT_VIEWED entry in the audit log.
ATTACHMENT_VIEWS_APART = timedelta(minutes=10)
# The buttons of the case page; a reassignment has its own form, with the station to move it to.
OFFERED_ACTIONS = [kind for kind in ActionKind if kind != ActionKind.REASSIGN]


async def _cases(connection: asyncpg.Connection, account: Account, status: str | None,
                 q: str | None) -> list[asyncpg.Record]:
    return await cases.desk_cases(connection, account.scope, account.account_id, status=status, number_prefix=q,
                                  limit=LIST_LIMIT)


ListStatus = Annotated[str | None, Query(max_length=20)]
CaseNumberSearch = Annotated[str | None, Query(max_length=32)]


@router.get("")
async def case_list(request: Request, session: CurrentSession, status: ListStatus = "OPEN",
                    q: CaseNumberSearch = None) -> Response:
    if not session.account.scope.opens_case_pages:
        return RedirectResponse(TEAM_HOME, status_code=303)
    async with request.app.state.pool.acquire() as connection:
        rows = await _cases(connection, session.account, status, q)
    return page(request, "cases.html", cases=rows, status=status, q=q or "", statuses=STATUS_LABELS,
                refresh_ms=int(request.app.state.settings.case_list_refresh.total_seconds() * 1000))


@router.get("/rows")
async def case_rows(request: Request, session: CurrentSession, status: ListStatus = "OPEN",
                    q: CaseNumberSearch = None) -> Response:
    """The list's rows alone: the page polls them, so new cases and new statuses show without a reload."""
    if not session.account.scope.opens_case_pages:
        return RedirectResponse(TEAM_HOME, status_code=303)
    async with request.app.state.pool.acquire() as connection:
        rows = await _cases(connection, session.account, status, q)
    return page(request, "case_rows.html", cases=rows)


async def _case_in_scope(connection: asyncpg.Connection, account: Account, case_no: str) -> asyncpg.Record:
    row = await cases.desk_case(connection, case_no.upper())
    if row is None or not account.scope.opens_case_pages or not account.scope.allows(
            row["province_code"], row["station_id"], row["status"]):
        raise HTTPException(404, NOT_FOUND)
    return row


def handoff_page_opens_for(account: Account, handoff: asyncpg.Record) -> bool:
    """Whether the hand-off desk will show this reader the hand-off's page: the link is offered only
    then (the police see the team's answer on the case page; a link they are refused misleads, and
    its refusal would read as a snooping attempt in the audit log)."""
    return account.reads_handoffs and account.handoff_scope.allows(handoff["province_code"], handoff["station_id"])


def _session_token(request: Request) -> str:
    """The signed-in session's token (the page's dependency has checked it): unmasking is per session."""
    return request.cookies[SESSION_COOKIE]


@router.get("/{case_no}")
async def case_page(request: Request, session: CurrentSession, case_no: str,
                    done: ActionKind | None = None) -> Response:
    return await _render_case(request, session.account, case_no, done=done)


async def _render_case(request: Request, account: Account, case_no: str, done: ActionKind | None = None,
                       refused: Refusal | None = None) -> Response:
    async with request.app.state.pool.acquire() as connection:
        try:
            case = await _case_in_scope(connection, account, case_no)
        except HTTPException:
            await audit.record(connection, "CASE_VIEW_REFUSED", account=account, case_no=case_no[:40])
            raise
        events = await case_timeline_in_words(connection, await cases.timeline(connection, case["case_no"]))
        attachments = await case_attachments.attachments_of(connection, case["case_no"])
        # The team's side of a forwarded case, without the team's own timeline.
        handoff = await handoffs.latest_of_case(connection, case["case_no"])
        await audit.record(connection, "CASE_VIEWED", account=account, case_no=case["case_no"], via="back_office")
        # The reporter's messages at the top, newest first: this account has now seen them.
        messages = await read_reporter_messages(connection, account.account_id, case["case_no"], 0)
        can_act = account.officer_id is not None and CaseStatus(case["status"]) in ACTIONABLE
        # Where it could be moved to: the province's other stations.
        other_stations = await stations.other_stations_of_province(
            connection, case["province_code"], case["station_id"]) if can_act else []
        # Those who handle cases always see the number; anyone else after the audited unmask, for a while.
        unmasked_for = None if account.role in HANDLES_CASES else await unmasked_until(
            connection, _session_token(request), case["case_no"])
    reveal = account.role in HANDLES_CASES or unmasked_for is not None
    phone = case["phone_e164"]
    settings = request.app.state.settings
    # Only for those the codec endpoint decodes for: anyone else would read sealed payloads.
    temporal_link = None if not account.decodes_temporal_payloads else (
        f"{settings.temporal_ui_url.rstrip('/')}/namespaces/{quote(settings.temporal_namespace)}"
        f"/workflows/{quote(case_workflow_id(case['case_no']))}")
    actions = [(kind, ACTION_LABELS[kind], kind in NEEDS_NOTE) for kind in OFFERED_ACTIONS]
    return page(
        request, "case.html", case=case, events=events, attachments=attachments,
        phone=(read_phone_number(phone).national if reveal else mask_phone(phone)) if phone else None,
        phone_revealed=reveal, unmasked_for=unmasked_for, temporal_link=temporal_link, can_act=can_act, actions=actions,
        idempotency_key=uuid.uuid4().hex, tile_url=settings.map_tile_url, stations=other_stations,
        reassign_label=ACTION_LABELS[ActionKind.REASSIGN], handoff=handoff,
        handoff_page_open=handoff is not None and handoff_page_opens_for(account, handoff),
        handoff_status_labels=HANDOFF_STATUS_LABELS, care_outcome_labels=CARE_OUTCOME_LABELS,
        messages=messages, messages_after=messages[0]["id"] if messages else 0,
        refresh_ms=int(settings.case_list_refresh.total_seconds() * 1000),
        tile_attribution=settings.map_tile_attribution, done=ACTION_LABELS.get(done) if done else None, refused=refused,
        status_code=refused.status if refused else 200,
    )


@router.get("/{case_no}/messages")
async def new_messages(request: Request, session: CurrentSession, case_no: str,
                       after: Annotated[int, Query(ge=0)] = 0) -> Response:
    """The reporter's messages after a timeline entry, newest first: the open case page polls them
    and shows them at its top; the account has then seen them."""
    async with request.app.state.pool.acquire() as connection:
        case = await _case_in_scope(connection, session.account, case_no)
        messages = await read_reporter_messages(connection, session.account.account_id, case["case_no"], after)
    return page(request, "reporter_messages.html", case=case, messages=messages)


@router.post("/{case_no}/unmask")
async def unmask_phone(request: Request, session: FormSession, case_no: str) -> Response:
    async with request.app.state.pool.acquire() as connection:
        case = await _case_in_scope(connection, session.account, case_no)
        await audit.record(connection, "PHONE_UNMASKED", account=session.account, case_no=case["case_no"])
        await grant_unmask(connection, _session_token(request), case["case_no"])
    return RedirectResponse(f"/office/cases/{quote(case['case_no'])}", status_code=303)


@router.post("/{case_no}/actions")
async def act(request: Request, session: FormSession, case_no: str,
              kind: Annotated[ActionKind, Form()], idempotency_key: Annotated[str, Form(max_length=64)],
              note: Annotated[str, Form(max_length=2000)] = "",
              station_id: Annotated[int | None, Form()] = None) -> Response:
    account = session.account
    async with request.app.state.pool.acquire() as connection:
        case = await _case_in_scope(connection, account, case_no)
        officer = await officer_by_id(connection, account.officer_id) if account.officer_id else None
    case_no = case["case_no"]
    if officer is None:
        answer: Any = Refusal(403, "บัญชีนี้ดูได้อย่างเดียว — this account may only read cases", "ReadOnly")
    else:
        action = OfficerAction(kind=kind, officer=officer, note=note.strip() or None,
                               station_id=station_id if kind == ActionKind.REASSIGN else None)
        answer = await send_action(request.app.state.temporal, case_no, action, f"office-{idempotency_key}")
    async with request.app.state.pool.acquire() as connection:
        await audit.record(connection, "CASE_ACTION", account=account, case_no=case_no, kind=kind.value,
                           refused=answer.type if isinstance(answer, Refusal) else None)
    if isinstance(answer, Refusal):
        return await _render_case(request, account, case_no, refused=answer)
    return RedirectResponse(f"/office/cases/{quote(case_no)}?done={quote(kind.value)}", status_code=303)


@router.get("/{case_no}/attachments/{attachment_id}")
async def attachment(request: Request, session: CurrentSession, case_no: str, attachment_id: int) -> Response:
    async with request.app.state.pool.acquire() as connection:
        case = await _case_in_scope(connection, session.account, case_no)
        row = await case_attachments.attachment_of_case(connection, attachment_id, case["case_no"])
        if row is None:
            raise HTTPException(404, NOT_FOUND)
        # One entry per reader and case a while, however many photos the page shows (see the README).
        await audit.record_once_a_while(connection, "ATTACHMENT_VIEWED", account=session.account,
                                        case_no=case["case_no"], within=ATTACHMENT_VIEWS_APART,
                                        attachment_id=attachment_id)
    inline = row["content_type"] in INLINE_TYPES
    disposition = "inline" if inline else f"attachment; filename=case-file-{attachment_id}"
    return Response(row["content"], media_type=row["content_type"] if inline else "application/octet-stream",
                    headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
                             "Content-Disposition": disposition})
