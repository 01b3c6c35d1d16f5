"""The directory of agencies a province's multidisciplinary team refers people to (hospital crisis
centres, children's and family homes, legal aid, hotlines), read-only: it comes in through the
directory import.

Scoped like the hand-off pages: the team and administrators read it, the police do not; a
province's account sees its province's agencies and the national ones, a national account chooses
the province. Not audited: it holds office numbers, no personal data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from api.back_office.sessions import CurrentSession
from api.back_office.web import page
from database.agencies import agencies_for_province
from database.provinces import all_provinces, provinces_of_code
from domain.agencies import AGENCY_KIND_LABELS
from domain.masking import national_layout

router = APIRouter(prefix="/office/agencies", include_in_schema=False)

TEAM_PAGES = ("หน้านี้สำหรับทีมสหวิชาชีพและผู้ดูแลระบบ — for the multidisciplinary team and administrators")
UNKNOWN_PROVINCE = "ไม่พบจังหวัดนี้ — no such province"


@router.get("")
async def agency_directory(request: Request, session: CurrentSession,
                           province: Annotated[str | None, Query(max_length=2)] = None) -> Response:
    """The province's agencies and the national ones, by kind. A province's account always sees its
    own province; a national account the one it chooses (the national agencies alone until then)."""
    account = session.account
    if not account.reads_handoffs:
        raise HTTPException(403, TEAM_PAGES)
    scope = account.handoff_scope
    if scope.nothing:
        raise HTTPException(403, TEAM_PAGES)
    province_code = scope.province_code or province or None
    async with request.app.state.pool.acquire() as connection:
        choices = await all_provinces(connection) if scope.province_code is None else []
        chosen = await provinces_of_code(connection, province_code) if province_code else []
        if province_code and not chosen:
            raise HTTPException(404, UNKNOWN_PROVINCE)
        agencies = await agencies_for_province(connection, province_code)
    return page(request, "agencies.html", agencies=agencies, province=chosen[0] if chosen else None,
                provinces=choices, kind_labels=AGENCY_KIND_LABELS, phone_shown=national_layout)
