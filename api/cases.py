"""The officers' JSON API for cases: the list, one case with its timeline, and actions.

Scoping follows domain.case_rules.within_jurisdiction, the rule the case workflow's validators use:
the national desk sees every case, 191 centres and commanders their province's, station officers
their station's. A case outside an officer's scope answers 404, the same as one that does not exist.
The API never changes a case itself: actions go to the case workflow as Temporal updates.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import date, datetime
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.case_actions import send_action
from api.officer_auth import CurrentOfficer
from database import audit, cases
from domain.case_rules import within_jurisdiction
from domain.clock import FIRST_SEARCHABLE_DAY, LAST_SEARCHABLE_DAY
from domain.models import ActionKind, ActionOutcome, CaseStatus, Officer, OfficerAction, OfficerRole
from domain.phone import read_phone_number
from domain.scope import CaseScope

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/cases", tags=["cases — เรื่องแจ้งเหตุ"])

CASE_VIEWED = "CASE_VIEWED"
CASE_ACTION = "CASE_ACTION"
MAX_PAGE = 200

# What PostgreSQL can hold, checked as the request is read (422) rather than failing in a query (500):
# text without NUL characters, ids within bigint.
WITHOUT_NUL = r"^[^\x00]*$"
BIGINT_MAX = 2**63 - 1

CASE_NOT_FOUND = "ไม่พบเรื่องแจ้งเหตุนี้ในเขตความรับผิดชอบของท่าน — no such case within your jurisdiction"
FOREIGN_PROVINCE = "ท่านดูได้เฉพาะจังหวัดของท่าน — you may only list cases of your own province"


# --- What the API answers ---------------------------------------------------------------------


class ErrorBody(BaseModel):
    detail: str = Field(description="เหตุผล (ไทย / English) / the reason, Thai then English")
    type: str | None = Field(None, description="the case workflow's rejection type, for actions")


class InvalidField(BaseModel):
    loc: list[str | int] = Field(description="where: body, query, header or path, then the field")
    msg: str
    type: str


class InvalidRequest(BaseModel):
    """FastAPI's own answer to a request that does not match this schema (a 422, like a refused action)."""

    detail: list[InvalidField]


class CaseSummary(BaseModel):
    """One line of the case list. No phone number, no LINE user id: the list is for triage."""

    case_no: str
    status: CaseStatus
    incident_type_code: str | None
    province_code: str | None
    district_code: str | None
    station_id: int | None
    reported_at: datetime
    acknowledged_at: datetime | None
    escalation_level: int
    complete: bool
    review_flag: bool = Field(description="repeated prank reports by this reporter: review, never block")


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class CaseLocation(BaseModel):
    latitude: float
    longitude: float
    title: str | None
    address: str | None


class CasePhone(BaseModel):
    e164: str
    national: str | None = Field(description="for reading aloud, e.g. 081-234-5678")


class TimelineEntry(BaseModel):
    kind: str
    at: datetime
    actor: str
    details: dict[str, Any]


class CaseDetail(CaseSummary):
    """One case for the officers handling it, including how to call the reporter back."""

    centre_id: int | None
    routing_method: str | None
    acknowledged_by: int | None
    closed_at: datetime | None
    outcome_note: str | None
    location: CaseLocation
    phone: CasePhone | None
    timeline: list[TimelineEntry]


class ActionRequest(BaseModel):
    kind: ActionKind
    note: str | None = Field(None, max_length=2000, pattern=WITHOUT_NUL,
                             description="required to close, mark not found or prank, forward")
    station_id: int | None = Field(None, ge=1, le=BIGINT_MAX, description="REASSIGN: the new station")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "เนื้อหาคำขอไม่ใช่ JSON — the request body is not JSON",
        401: "ไม่ได้เข้าสู่ระบบหรือโทเค็นหมดอายุ — missing, unknown, revoked or expired token",
        403: "นอกเขตความรับผิดชอบ — outside your jurisdiction",
        404: "ไม่พบเรื่อง (หรืออยู่นอกเขต) — unknown case, or outside your jurisdiction",
        409: "ทำไม่ได้ในสถานะนี้ — not possible in the case's current status",
        422: "คำขอไม่ถูกต้อง — invalid request or action",
        503: "ระบบงานไม่พร้อม ลองใหม่ด้วย Idempotency-Key เดิม — workflow service unavailable; retry with the same key",
    }
    # A 422 is either the case workflow's refusal (ErrorBody) or a request the schema does not allow.
    models: dict[int, Any] = {422: ErrorBody | InvalidRequest}
    return {status: {"model": models.get(status, ErrorBody), "description": described[status]} for status in statuses}


# --- The list ----------------------------------------------------------------------------------


def _encode_cursor(reported_at: datetime, case_no: str) -> str:
    raw = json.dumps([reported_at.isoformat(), case_no]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, case_no = json.loads(raw)
        if "\x00" in str(case_no):
            raise ValueError
        return datetime.fromisoformat(moment), str(case_no)
    except (ValueError, TypeError, binascii.Error):
        raise HTTPException(422, "cursor ไม่ถูกต้อง — invalid cursor") from None


@router.get(
    "",
    response_model=CasePage,
    summary="List cases in your jurisdiction — รายการเรื่องแจ้งเหตุในเขตของท่าน",
    description="Newest first. No phone numbers or LINE ids in the list — ไม่แสดงเบอร์โทรในรายการ",
    responses=_errors(401, 403, 422),
)
async def list_cases(
    request: Request,
    officer: CurrentOfficer,
    status: Annotated[list[CaseStatus] | None, Query(description="repeatable / ระบุได้หลายค่า")] = None,
    incident_type: Annotated[str | None, Query(max_length=64, pattern=WITHOUT_NUL)] = None,
    province: Annotated[
        str | None, Query(pattern=r"^[0-9]{2}$", description="national desk: any; others: their own")
    ] = None,
    station_id: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    reported_from: Annotated[
        date | None,
        Query(ge=FIRST_SEARCHABLE_DAY, le=LAST_SEARCHABLE_DAY,
              description="first day, Thai time / ตั้งแต่วันที่ (2000–2999)"),
    ] = None,
    reported_to: Annotated[
        date | None,
        Query(ge=FIRST_SEARCHABLE_DAY, le=LAST_SEARCHABLE_DAY,
              description="last day, Thai time / ถึงวันที่ (2000–2999)"),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=32, pattern=WITHOUT_NUL,
                          description="case number: its start (ESS-2026-00), its last digits (123), or year and "
                                      "last digits (2569-123; a Buddhist-era year is read as its CE year)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> CasePage:
    if province is not None and officer.role != OfficerRole.NATIONAL_DESK and province != officer.province_code:
        raise HTTPException(403, FOREIGN_PROVINCE)
    before = _decode_cursor(cursor) if cursor else None
    async with request.app.state.pool.acquire() as connection:
        rows = await cases.case_summaries(
            connection, CaseScope.of_officer(officer), statuses=status, incident_type=incident_type,
            province_code=province, station_id=station_id, reported_from=reported_from, reported_to=reported_to,
            number_prefix=q, before=before,
            limit=limit + 1,  # one more tells whether another page follows
        )
    items = [CaseSummary(**dict(row)) for row in rows[:limit]]
    next_cursor = _encode_cursor(items[-1].reported_at, items[-1].case_no) if len(rows) > limit else None
    return CasePage(items=items, next_cursor=next_cursor)


# --- One case ------------------------------------------------------------------------------------

CaseNo = Annotated[str, Path(max_length=40, pattern=WITHOUT_NUL, description="e.g. ESS-2026-000123")]


async def _case_in_scope(connection: asyncpg.Connection, officer: Officer, case_no: str) -> asyncpg.Record:
    """The case row when it is within the officer's jurisdiction; 404 otherwise (existence stays hidden)."""
    row = await cases.case_row(connection, case_no)
    if row is None or not within_jurisdiction(officer, row["province_code"], row["station_id"]):
        raise HTTPException(404, CASE_NOT_FOUND)
    return row


def _phone(e164: str | None) -> CasePhone | None:
    if not e164:
        return None
    return CasePhone(e164=e164, national=read_phone_number(e164).national)


@router.get(
    "/{case_no}",
    response_model=CaseDetail,
    summary="One case with its timeline — รายละเอียดเรื่องแจ้งเหตุและลำดับเหตุการณ์",
    description="Includes the reporter's phone number; every read is written to the audit log — "
    "มีเบอร์โทรผู้แจ้ง ทุกการเปิดดูถูกบันทึกไว้",
    responses=_errors(401, 404),
)
async def get_case(request: Request, officer: CurrentOfficer, case_no: CaseNo) -> CaseDetail:
    async with request.app.state.pool.acquire() as connection:
        row = await _case_in_scope(connection, officer, case_no)
        events = await cases.timeline(connection, case_no)
        await audit.record_for_officer(connection, officer.officer_id, CASE_VIEWED, case_no, {})
    summary_fields = {name: row[name] for name in CaseSummary.model_fields}
    return CaseDetail(
        **summary_fields,
        centre_id=row["centre_id"],
        routing_method=row["routing_method"],
        acknowledged_by=row["acknowledged_by"],
        closed_at=row["closed_at"],
        outcome_note=row["outcome_note"],
        location=CaseLocation(
            latitude=row["latitude"],
            longitude=row["longitude"],
            title=row["location_title"],
            address=row["location_address"],
        ),
        phone=_phone(row["phone_e164"]),
        timeline=[TimelineEntry(**dict(event)) for event in events],
    )


# --- Actions -------------------------------------------------------------------------------------


@router.post(
    "/{case_no}/actions",
    response_model=ActionOutcome,
    summary="Act on a case — ดำเนินการกับเรื่องแจ้งเหตุ "
    "(รับทราบ ปิดเหตุ ไม่พบเหตุ ทักเล่น ส่งต่อ บันทึก ย้ายสถานี ส่งข้อความถึงผู้แจ้ง)",
    description="Sent to the case workflow as an update. A retry with the same Idempotency-Key is applied "
    "once and answers the same outcome — ส่งซ้ำด้วยคีย์เดิมจะมีผลครั้งเดียว",
    responses=_errors(400, 401, 403, 404, 409, 422, 503),
)
async def act_on_case(
    request: Request,
    officer: CurrentOfficer,
    case_no: CaseNo,
    body: ActionRequest,
    idempotency_key: Annotated[
        str, Header(alias="Idempotency-Key", min_length=1, max_length=100, description="one per intended action")
    ],
) -> ActionOutcome | JSONResponse:
    pool: asyncpg.Pool = request.app.state.pool
    details: dict[str, Any] = {"kind": body.kind.value, "idempotency_key": idempotency_key}
    try:
        async with pool.acquire() as connection:
            await _case_in_scope(connection, officer, case_no)
    except HTTPException:
        async with pool.acquire() as connection:  # a probe of another jurisdiction is worth recording
            await audit.record_for_officer(connection, officer.officer_id, CASE_ACTION, case_no,
                                           details | {"http_status": 404})
        raise
    action = OfficerAction(kind=body.kind, officer=officer, note=body.note, station_id=body.station_id)
    answer = await send_action(request.app.state.temporal, case_no, action, idempotency_key)
    if isinstance(answer, ActionOutcome):
        details |= {"http_status": 200, "status": answer.status.value}
    else:
        details |= {"http_status": answer.status, "type": answer.type}
    async with pool.acquire() as connection:
        await audit.record_for_officer(connection, officer.officer_id, CASE_ACTION, case_no, details)
    if isinstance(answer, ActionOutcome):
        return answer
    return JSONResponse(ErrorBody(detail=answer.message, type=answer.type).model_dump(), status_code=answer.status)
