"""The incident map: the cases in the user's scope as clustered markers coloured by status, filtered by
status, incident type and report dates, over a base map the browser draws from data the back office
serves itself (static/base_map.js); a deployment may set ESS_MAP_TILE_URL to draw streets instead.
The filtered cases download as GeoJSON or CSV, audited like every export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

import asyncpg
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from api.back_office.dashboard import today
from api.back_office.downloads import file_download
from api.back_office.filter_days import PROBLEM_STATUS, FilterProblem, FromDay, ToDay, read_period
from api.back_office.sessions import CurrentSession
from api.back_office.web import language_of, page
from database import audit
from database.incident_types import incident_types
from database.map_cases import MapFilter, map_case_batches, map_markers
from domain.accounts import Account
from domain.models import CaseStatus
from rendering.map_export import write_map_csv, write_map_geojson
from rendering.officer_messages import STATUS_LABELS

router = APIRouter(prefix="/office/map", include_in_schema=False)

DEFAULT_PERIOD = timedelta(days=30)
# The map's markers open police case pages: a multidisciplinary team works from its inbox instead.
POLICE_ONLY = "แผนที่นี้สำหรับฝ่ายตำรวจและผู้ดูแลระบบ — the incident map is for the police and administrators"
MAX_MARKERS = 5000  # the newest; the page says when there are more
GEOJSON = "application/geo+json"
CSV = "text/csv; charset=utf-8"

StatusChoice = Annotated[str | None, Query(max_length=20)]
TypeChoice = Annotated[str | None, Query(alias="type", max_length=40)]


def _police_side_only(account: Account) -> None:
    if not account.scope.opens_case_pages:
        raise HTTPException(403, POLICE_ONLY)


def _read_filter(account: Account, status: str | None, incident_type: str | None, reported_from: str | None,
                 reported_to: str | None) -> MapFilter:
    """The filter as typed; raises FilterProblem for a day that cannot be one (or an inverted range)."""
    first_day, last_day = read_period(reported_from, reported_to)
    if first_day is None:  # the month before the last day, or before today
        first_day = (last_day or today()) - DEFAULT_PERIOD
    return MapFilter(scope=account.scope, status=status or None, incident_type=incident_type or None,
                     reported_from=first_day, reported_to=last_day)


async def map_filter(session: CurrentSession, status: StatusChoice = None, incident_type: TypeChoice = None,
                     reported_from: FromDay = None, reported_to: ToDay = None) -> MapFilter:
    _police_side_only(session.account)
    try:
        return _read_filter(session.account, status, incident_type, reported_from, reported_to)
    except FilterProblem as problem:
        raise HTTPException(PROBLEM_STATUS, str(problem)) from None  # the map's script shows the reason


Filter = Annotated[MapFilter, Depends(map_filter)]


def _filter_details(map_filter: MapFilter) -> dict[str, str | None]:
    """The filter as the audit log keeps it."""
    last_day = map_filter.reported_to
    return {"status": map_filter.status, "incident_type": map_filter.incident_type,
            "reported_from": map_filter.reported_from.isoformat(),
            "reported_to": last_day.isoformat() if last_day else None}


@router.get("")
async def incident_map(
    request: Request, session: CurrentSession, status: StatusChoice = None, incident_type: TypeChoice = None,
    reported_from: FromDay = None, reported_to: ToDay = None,
) -> Response:
    _police_side_only(session.account)
    problem = None
    try:
        chosen = _read_filter(session.account, status, incident_type, reported_from, reported_to)
    except FilterProblem as refused:
        problem = str(refused)
        chosen = _read_filter(session.account, status, incident_type, None, None)
    # The downloads' links carry the filter as the page opens with it (the script keeps them in step);
    # after a problem, as typed, so they answer with the same problem.
    days = {"from": reported_from if problem else chosen.reported_from.isoformat(),
            "to": reported_to if problem else (chosen.reported_to.isoformat() if chosen.reported_to else "")}
    query = urlencode({"status": chosen.status or "", "type": chosen.incident_type or "", **days})
    async with request.app.state.pool.acquire() as connection:
        types = await incident_types(connection)
    settings = request.app.state.settings
    return page(request, "map.html", status_code=PROBLEM_STATUS if problem else 200, problem=problem,
                tile_url=settings.map_tile_url, tile_attribution=settings.map_tile_attribution,
                statuses=list(CaseStatus), incident_types=types,
                chosen=chosen, query=query,
                status_labels={status.value: STATUS_LABELS[status] for status in CaseStatus})


@router.get("/cases.json")
async def map_cases(request: Request, session: CurrentSession, map_filter: Filter) -> JSONResponse:
    async with request.app.state.pool.acquire() as connection:
        rows = await map_markers(connection, map_filter, limit=MAX_MARKERS + 1)  # one more tells whether there are more
        await audit.record(connection, "MAP_VIEWED", account=session.account, markers=min(len(rows), MAX_MARKERS),
                           **_filter_details(map_filter))
    return JSONResponse({
        "more": len(rows) > MAX_MARKERS,
        "cases": [
            {"caseNo": r["case_no"], "status": r["status"], "lat": r["latitude"], "lng": r["longitude"],
             "reportedAt": r["reported_at"].isoformat(), "type": [r["type_th"], r["type_en"]]}
            for r in rows[:MAX_MARKERS]
        ],
    }, headers={"Cache-Control": "private, no-store"})


async def _export(request: Request, account: Account, map_filter: MapFilter, kind: str, suffix: str,
                  media_type: str, write: Callable[[asyncpg.Connection, str], Awaitable[int]]) -> FileResponse:
    """Every case of the filter (not only the markers shown), written and audited as one export."""
    async def write_file(path: str) -> None:
        async with request.app.state.pool.acquire() as connection:
            rows = await write(connection, path)
            await audit.record(connection, "EXPORT", account=account, kind=kind, rows=rows,
                               **_filter_details(map_filter))

    return await file_download("ess-map-cases", suffix, media_type, write_file)


@router.get("/cases.geojson")
async def download_geojson(request: Request, session: CurrentSession, map_filter: Filter) -> FileResponse:
    async def write(connection: asyncpg.Connection, path: str) -> int:
        return await write_map_geojson(map_case_batches(connection, map_filter), path)

    return await _export(request, session.account, map_filter, "map_geojson", "geojson", GEOJSON, write)


@router.get("/cases.csv")
async def download_csv(request: Request, session: CurrentSession, map_filter: Filter) -> FileResponse:
    english = language_of(request) == "en"

    async def write(connection: asyncpg.Connection, path: str) -> int:
        return await write_map_csv(map_case_batches(connection, map_filter), path, english=english)

    return await _export(request, session.account, map_filter, "map_csv", "csv", CSV, write)
