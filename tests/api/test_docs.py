"""The API documentation works without internet: every asset it loads is served by the app. Production
serves it only when ESS_API_DOCS says so: it maps every endpoint for whoever asks."""

import re

import httpx

from api.app import create_app
from configuration.settings import Settings
from tests.api.conftest import RunningApi
from tests.production import production_settings


async def test_the_docs_page_loads_only_assets_the_app_serves(api: RunningApi) -> None:
    page = await api.http.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    for source in sources:
        assert (await api.http.get(source)).status_code == 200, source
    schema = (await api.http.get("/openapi.json")).json()
    assert "/line/webhook" in schema["paths"]


async def documentation(settings: Settings) -> tuple[int, int]:
    """The status of /docs and of /openapi.json in an app with these settings."""
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return (await http.get("/docs")).status_code, (await http.get("/openapi.json")).status_code


async def test_production_serves_no_api_documentation_unless_asked_to() -> None:
    assert await documentation(production_settings()) == (404, 404)


async def test_production_serves_the_api_documentation_with_ess_api_docs() -> None:
    assert await documentation(production_settings(ESS_API_DOCS="true")) == (200, 200)
