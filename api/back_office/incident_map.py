"""The incident map: the cases in the user's scope as clustered markers coloured by status.

The markers need no map tiles (none are reachable offline); a deployment sets ESS_MAP_TILE_URL
to draw streets beneath them."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from api.back_office.dashboard import today
from api.back_office.filter_days import PROBLEM_STATUS, FilterProblem, FromDay, read_day
from api.back_office.sessions import CurrentSession
from api.back_office.web import page
from database import audit, cases
from domain.models import CaseStatus
from rendering.officer_messages import STATUS_LABELS

router = APIRouter(prefix="/office/map", include_in_schema=False)

DEFAULT_PERIOD = timedelta(days=30)
# The map's markers open police case pages: a multidisciplinary team works from its inbox instead.
POLICE_ONLY = "แผนที่นี้สำหรับฝ่ายตำรวจและผู้ดูแลระบบ — the incident map is for the police and administrators"
MAX_MARKERS = 5000  # the newest; the page says when there are more


def _police_side_only(session) -> None:
    if not session.account.scope.opens_case_pages:
        raise HTTPException(403, POLICE_ONLY)


@router.get("")
async def incident_map(request: Request, session: CurrentSession) -> Response:
    _police_side_only(session)
    settings = request.app.state.settings
    return page(request, "map.html", tile_url=settings.map_tile_url, tile_attribution=settings.map_tile_attribution,
                statuses=list(CaseStatus), first_day=today() - DEFAULT_PERIOD,
                status_labels={status.value: STATUS_LABELS[status] for status in CaseStatus})


@router.get("/cases.json")
async def map_cases(
    request: Request, session: CurrentSession,
    status: Annotated[str | None, Query(max_length=20)] = None,
    reported_from: FromDay = None,
) -> JSONResponse:
    _police_side_only(session)
    try:
        first_day = read_day(reported_from) or today() - DEFAULT_PERIOD
    except FilterProblem as problem:
        raise HTTPException(PROBLEM_STATUS, str(problem)) from None  # the map's script shows the reason
    async with request.app.state.pool.acquire() as connection:
        rows = await cases.map_markers(connection, session.account.scope, status=status, reported_from=first_day,
                                       limit=MAX_MARKERS + 1)  # one more tells whether there are more
        await audit.record(connection, "MAP_VIEWED", account=session.account, markers=min(len(rows), MAX_MARKERS),
                           status=status, reported_from=first_day.isoformat())
    return JSONResponse({
        "more": len(rows) > MAX_MARKERS,
        "cases": [
            {"caseNo": r["case_no"], "status": r["status"], "lat": r["latitude"], "lng": r["longitude"],
             "reportedAt": r["reported_at"].isoformat(), "type": [r["type_th"], r["type_en"]]}
            for r in rows[:MAX_MARKERS]
        ],
    }, headers={"Cache-Control": "private, no-store"})
