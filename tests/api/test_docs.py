"""The API documentation works without internet: every asset it loads is served by the app."""

import re

from tests.api.conftest import RunningApi


async def test_the_docs_page_loads_only_assets_the_app_serves(api: RunningApi) -> None:
    page = await api.http.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    for source in sources:
        assert (await api.http.get(source)).status_code == 200, source
    schema = (await api.http.get("/openapi.json")).json()
    assert "/line/webhook" in schema["paths"]
