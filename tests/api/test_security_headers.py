"""Security headers: every page runs only the application's own scripts and styles, stays out of other
sites' frames, and outside development asks for HTTPS only. The map's tile server, Swagger UI's start-up
script and the LINE simulator's images are allowed exactly, and nothing else is."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.security_headers import tile_source
from tests.api.conftest import RunningApi
from tests.fake_line import serve
from tests.production import in_production

TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "back_office" / "templates"
OFFICE_PAGES = ["/office/sign-in", "/office/static/case_desk.js", "/office/static/office.css"]


def policy(response: httpx.Response) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive -> sources."""
    header = response.headers["content-security-policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_only_own_scripts(csp: dict[str, list[str]]) -> None:
    for directive in ("script-src", "default-src"):
        assert "'unsafe-inline'" not in csp[directive] and "'unsafe-eval'" not in csp[directive]
        assert "*" not in csp[directive] and not any(source.endswith(":") for source in csp[directive])
    assert csp["script-src"][0] == "'self'"


@pytest.mark.parametrize("path", OFFICE_PAGES)
async def test_back_office_answers_carry_the_security_headers(api: RunningApi, path: str) -> None:
    response = await api.http.get(path)
    assert response.status_code == 200
    csp = policy(response)
    assert_only_own_scripts(csp)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]  # no inline style either
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"  # case numbers stay out of other sites' logs
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    permissions = response.headers["permissions-policy"]
    assert {"geolocation=()", "camera=()", "microphone=()"} <= {part.strip() for part in permissions.split(",")}


async def test_the_json_api_and_a_signed_in_page_carry_them_too(api: RunningApi) -> None:
    unauthorised = await api.http.get("/api/cases")
    assert unauthorised.status_code == 401 and unauthorised.headers["x-content-type-options"] == "nosniff"
    redirect = await api.http.get("/office/cases")  # not signed in: sent to the sign-in page
    assert redirect.status_code == 303 and policy(redirect)["frame-ancestors"] == ["'none'"]


async def test_development_sends_no_strict_transport_security(api: RunningApi) -> None:
    assert "strict-transport-security" not in (await api.http.get("/office/sign-in")).headers


async def test_production_asks_browsers_for_https_only(api: RunningApi, production_database_url: str) -> None:
    production = in_production(api.settings, production_database_url)
    async with serve(create_app(production), lifespan="on") as base_url, \
            httpx.AsyncClient(base_url=base_url) as http:
        page = await http.get("/office/sign-in")
        simulator = await http.get("/dev/")
    max_age = re.fullmatch(r"max-age=(\d+)", page.headers["strict-transport-security"])
    assert max_age and int(max_age.group(1)) >= 180 * 24 * 3600
    assert_only_own_scripts(policy(page))
    assert simulator.status_code == 404  # no simulator in production


async def test_the_map_tile_server_is_the_one_other_place_images_come_from(api: RunningApi) -> None:
    with_tiles = api.settings.model_copy(update={"map_tile_url": "https://{s}.tiles.example.org:8443/{z}/{x}/{y}.png"})
    async with serve(create_app(with_tiles), lifespan="on") as base_url, \
            httpx.AsyncClient(base_url=base_url) as http:
        csp = policy(await http.get("/office/sign-in"))
    assert csp["img-src"] == ["'self'", "data:", "https://*.tiles.example.org:8443"]
    assert policy(await api.http.get("/office/sign-in"))["img-src"] == ["'self'", "data:"]  # no tiles: nothing else


@pytest.mark.parametrize(("template", "source"), [
    ("https://tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org"),
    ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
    ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
    ("https://tile{s}.example.org/{z}/{x}/{y}.png", "https://*.example.org"),  # a wildcard only on the left
    ("/tiles/{z}/{x}/{y}.png", None),  # this site: 'self' already
    ("ftp://tile.example.org/{z}/{x}/{y}.png", None),
    ("https://tile.example.org; script-src *;/{z}/{x}/{y}.png", None),  # never a way into the policy
])
def test_the_tile_source_is_the_templates_scheme_and_host(template: str, source: str | None) -> None:
    assert tile_source(template) == source


async def test_the_api_docs_run_exactly_their_own_inline_scripts(api: RunningApi) -> None:
    page = await api.http.get("/docs")
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)  # Swagger UI's start-up
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'" for script in inline]
    csp = policy(page)
    assert csp["script-src"] == ["'self'", *hashes]
    assert_only_own_scripts(csp)


async def test_the_line_simulator_shows_images_from_anywhere_but_runs_only_its_own_scripts(api: RunningApi) -> None:
    page = await api.http.get("/dev/")
    assert page.status_code == 200
    csp = policy(page)
    assert "*" in csp["img-src"]
    assert csp["script-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda path: path.name)
def test_back_office_templates_have_no_inline_script_handler_or_style(template: Path) -> None:
    """The policy would block them silently in the browser: scripts and styles live in static files."""
    markup = template.read_text()
    for script in re.findall(r"<script\b[^>]*>", markup):
        assert "src=" in script or 'type="application/json"' in script, script  # JSON data is never run
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", markup), "inline event handler"
    assert not re.search(r"<[^>]*\sstyle\s*=", markup), "style attribute"
    assert "<style" not in markup
    assert not re.search(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", markup, re.IGNORECASE)
