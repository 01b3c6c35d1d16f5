"""The back office: server-rendered pages for officers, 191 centres, administrators and teams."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

from api.back_office import (
    administration,
    agency_directory,
    care_desk,
    case_desk,
    dashboard,
    handoff_desk,
    incident_map,
    line_login,
    sign_in,
    sign_in_throttles,
)
from api.back_office.error_pages import mount_error_pages
from api.back_office.filter_days import ProblemPage
from api.back_office.sessions import SignInRequired

# Front-end libraries installed from the npm registry by `make install` (package.json), served by the
# app itself: the folder inside each package that holds its browser build.
FRONT_END_LIBRARIES = {"chart.js": "dist", "leaflet": "dist", "leaflet.markercluster": "dist",
                       "topojson-client": "dist", "world-atlas": "."}  # world-atlas: the offline base map's countries
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
log = logging.getLogger(__name__)


def _public_files(directory: Path) -> ASGIApp:
    """Files the same for everyone, holding no secret and echoing nothing of a request, so safe to
    compress: gzipped for a browser that takes it (the offline base map's data: 0.9 MB, 0.27 MB gzipped)."""
    return GZipMiddleware(StaticFiles(directory=directory), minimum_size=1024)


def _mount_front_end_libraries(app: FastAPI) -> None:
    for package, folder in FRONT_END_LIBRARIES.items():
        directory = NODE_MODULES / package / folder
        if directory.is_dir():
            app.mount(f"/office/vendor/{package}", _public_files(directory), name=f"vendor-{package}")
        else:
            log.warning("front-end library %s is not installed (make install); its pages show tables only", package)


def mount_back_office(app: FastAPI) -> None:
    app.mount("/office/static", _public_files(Path(__file__).parent / "static"), name="office-static")
    app.include_router(sign_in.router)
    app.include_router(line_login.router)
    app.include_router(case_desk.router)
    app.include_router(handoff_desk.router)
    app.include_router(care_desk.router)
    app.include_router(agency_directory.router)
    app.include_router(dashboard.router)
    app.include_router(incident_map.router)
    app.include_router(administration.router)
    app.include_router(sign_in_throttles.router)
    _mount_front_end_libraries(app)
    mount_error_pages(app)

    @app.exception_handler(ProblemPage)
    async def show_problem_page(request: Request, problem: ProblemPage) -> Response:
        return problem.response

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, problem: SignInRequired) -> RedirectResponse:
        return RedirectResponse(f"/office/sign-in?next={quote(problem.next_path, safe='')}", status_code=303)

    @app.get("/office", include_in_schema=False)
    async def office_home() -> RedirectResponse:
        return RedirectResponse(sign_in.HOME, status_code=303)
