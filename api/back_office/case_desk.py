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

from api.back_office.deliberate_actions import (
    CASE_CONFIRMED,
    CASE_CONSEQUENCES,
    CASE_ENDING,
    CASE_NEEDS_REASON,
    READ_BY_OTHERS,
)
from api.back_office.sessions import SESSION_COOKIE, CurrentSession, FormSession
from api.back_office.sign_in import TEAM_HOME
from api.back_office.timeline_words import case_timeline_in_words
from api.back_office.web import language_of, page
from api.case_actions import Refusal, send_action
from database import audit, case_attachments, cases, handoffs, stations
from database.live_desk import read_reporter_messages
from database.officers import officer_by_id
from database.unmask_grants import grant_unmask, unmasked_until
from domain.accounts import HANDLES_CASES, Account
from domain.case_rules import IN_PROGRESS, allowed_actions
from domain.masking import mask_phone
from domain.models import ActionKind, CaseStatus, OfficerAction
from domain.phone import read_phone_number
from orchestration.ids import case_workflow_id
from rendering.officer_messages import ACTION_LABELS, STATUS_LABELS
from rendering.team_labels import CARE_OUTCOME_LABELS, HANDOFF_STATUS_LABELS, RISK_LEVEL_LABELS

router = APIRouter(prefix="/office/cases", include_in_schema=False)

LIST_LIMIT = 100
# Shown in the page; anything else is downloaded, never rendered by the browser.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
NOT_FOUND = "ไม่พบเรื่องแจ้งเหตุนี้ในเขตของท่าน — no such case within your scope"
# A reader's looks at a case's photos within this long are one ATTACHMENT_VIEWED entry in the audit log.
ATTACHMENT_VIEWS_APART = timedelta(minutes=10)
NEEDS_REASON = ("ต้องมีบันทึกประกอบ — a note or reason is required", "InvalidAction")
NEEDS_STATION = ("ต้องเลือกสถานีปลายทางในจังหวัดเดียวกัน — choose a station of the same province", "InvalidAction")


async def _cases(connection: asyncpg.Connection, account: Account, status: str | None,
                 q: str | None) -> list[asyncpg.Record]:
    return await cases.desk_cases(connection, account.scope, account.account_id, status=status, number_prefix=q,
                                  limit=LIST_LIMIT)


ListStatus = Annotated[str | None, Query(max_length=20)]
CaseNumberSearch = Annotated[str | None, Query(max_length=32)]


@router.get("")
async def case_list(request: Request, session: CurrentSession, status: ListStatus = "OPEN",
                    q: CaseNumberSearch = None,
                    moved: Annotated[str | None, Query(pattern=r"^ESS-\d{4}-\d{1,9}$")] = None,
                    to: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    """The list; after moving a case out of the reader's scope, it says where the case went."""
    if not session.account.scope.opens_case_pages:
        return RedirectResponse(TEAM_HOME, status_code=303)
    async with request.app.state.pool.acquire() as connection:
        rows = await _cases(connection, session.account, status, q)
        moved_to = await stations.names(connection, to) if moved and to is not None else None
    return page(request, "cases.html", cases=rows, status=status, q=q or "", statuses=STATUS_LABELS,
                moved=moved if moved_to else None, moved_to=moved_to,
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
                    done: ActionKind | None = None, to: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
                    ) -> Response:
    return await _render_case(request, session.account, case_no, done=done, to=to)


def _by_name(rows: list[asyncpg.Record], request: Request) -> list[asyncpg.Record]:
    """Stations in the order of the reader's language (Thai lists sort in Thai, English in English)."""
    if language_of(request) == "en":
        return sorted(rows, key=lambda row: (row["name_en"] or row["name_th"]).casefold())
    return rows


async def _render_case(request: Request, account: Account, case_no: str, done: ActionKind | None = None,
                       refused: Refusal | None = None, to: int | None = None) -> Response:
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
        # Only what the case's status allows now, and only while its workflow still takes actions.
        status = CaseStatus(case["status"])
        offered = allowed_actions(status) if account.officer_id is not None and status in IN_PROGRESS else []
        # Where it could be moved to: the province's other stations (the workflow's rule).
        other_stations = await stations.other_stations_of_province(
            connection, case["province_code"], case["station_id"]) if ActionKind.REASSIGN in offered else []
        moved_to = await stations.names(connection, to) if to is not None and done == ActionKind.REASSIGN else None
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
    read_phone = read_phone_number(phone) if phone and reveal else None
    return page(
        request, "case.html", case=case, events=events, attachments=attachments,
        phone=(read_phone.national if read_phone else mask_phone(phone)) if phone else None,
        phone_e164=read_phone.e164 if read_phone and read_phone.valid else None,
        phone_revealed=reveal, unmasked_for=unmasked_for, temporal_link=temporal_link, can_act=bool(offered),
        offered=offered, labels=ACTION_LABELS, ending=CASE_ENDING, read_by_others=READ_BY_OTHERS,
        idempotency_key=uuid.uuid4().hex, tile_url=settings.map_tile_url,
        stations=_by_name(other_stations, request), moved_to=moved_to, handoff=handoff,
        handoff_page_open=handoff is not None and handoff_page_opens_for(account, handoff),
        handoff_status_labels=HANDOFF_STATUS_LABELS, care_outcome_labels=CARE_OUTCOME_LABELS,
        risk_level_labels=RISK_LEVEL_LABELS,
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
              station_id: Annotated[str, Form(max_length=12)] = "",
              confirmed: Annotated[str, Form(max_length=8)] = "") -> Response:
    """One action from its own form. A missing reason or station is refused on the case page; a
    consequential action first answers with its confirmation, and is sent once confirmed."""
    account = session.account
    note = note.strip()
    async with request.app.state.pool.acquire() as connection:
        case = await _case_in_scope(connection, account, case_no)
        officer = await officer_by_id(connection, account.officer_id) if account.officer_id else None
        destination = await _destination(connection, case, station_id) if kind == ActionKind.REASSIGN else None
    case_no = case["case_no"]
    answer: Any
    if officer is None:
        answer = Refusal(403, "บัญชีนี้ดูได้อย่างเดียว — this account may only read cases", "ReadOnly")
    elif kind in CASE_NEEDS_REASON and not note:
        answer = Refusal(422, *NEEDS_REASON)
    elif kind == ActionKind.REASSIGN and destination is None:
        answer = Refusal(422, *NEEDS_STATION)
    elif kind in CASE_CONFIRMED and confirmed != "yes":
        return _confirmation(request, case_no, kind, note, idempotency_key, destination)
    else:
        action = OfficerAction(kind=kind, officer=officer, note=note or None,
                               station_id=destination["id"] if destination else None)
        answer = await send_action(request.app.state.temporal, case_no, action, f"office-{idempotency_key}")
    async with request.app.state.pool.acquire() as connection:
        await audit.record(connection, "CASE_ACTION", account=account, case_no=case_no, kind=kind.value,
                           refused=answer.type if isinstance(answer, Refusal) else None)
    if isinstance(answer, Refusal):
        return await _render_case(request, account, case_no, refused=answer)
    done = f"done={quote(kind.value)}"
    if kind == ActionKind.REASSIGN:
        done += f"&to={answer.station_id}"
        # Moved out of this reader's scope (a station's officer): the list says where it went.
        if not account.scope.allows(case["province_code"], answer.station_id, answer.status.value):
            return RedirectResponse(f"/office/cases?moved={quote(case_no)}&to={answer.station_id}", status_code=303)
    return RedirectResponse(f"/office/cases/{quote(case_no)}?{done}", status_code=303)


async def _destination(connection: asyncpg.Connection, case: asyncpg.Record, station_id: str) -> asyncpg.Record | None:
    """The station chosen to move the case to, if it is one it may move to."""
    if not station_id.strip().isdigit():
        return None
    choices = await stations.other_stations_of_province(connection, case["province_code"], case["station_id"])
    return next((row for row in choices if row["id"] == int(station_id)), None)


def _confirmation(request: Request, case_no: str, kind: ActionKind, note: str, idempotency_key: str,
                  destination: asyncpg.Record | None) -> Response:
    """The step that names what will happen; nothing is sent until it is confirmed."""
    fields = {"kind": kind.value, "note": note, "idempotency_key": idempotency_key,
              **({"station_id": str(destination["id"])} if destination else {})}
    return page(request, "confirm_action.html", title=case_no, label=ACTION_LABELS[kind],
                consequence=CASE_CONSEQUENCES[kind], danger=kind in CASE_ENDING,
                warning=READ_BY_OTHERS if kind == ActionKind.MESSAGE_REPORTER else None,
                station=(destination["name_th"], destination["name_en"]) if destination else None,
                note=note, note_is_message=kind == ActionKind.MESSAGE_REPORTER,
                action_url=f"/office/cases/{quote(case_no)}/actions", back_url=f"/office/cases/{quote(case_no)}",
                fields=fields)


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
