"""The gateway in front of the dev server's Temporal UI: the UI's settings gain
Codec.IncludeCredentials (and nothing else changes); every other request and answer passes through
as it was (status, headers, body, compressed or not); one browser's cookies never reach another's
requests."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from devstack.temporal_ui import TemporalUiGateway
from tests.ports import unused_ports

SETTINGS = {"Auth": {"Enabled": False}, "Codec": {"Endpoint": "http://localhost:8000/codec", "PassAccessToken": False,
                                                  "IncludeCredentials": False}, "Version": "2.54.1"}


def upstream_app() -> web.Application:
    """Plays the dev server's UI server: settings, a compressed page, a POST, a CSRF cookie."""
    async def settings(request: web.Request) -> web.Response:
        return web.json_response(SETTINGS)

    async def page(request: web.Request) -> web.Response:
        response = web.Response(body=gzip.compress(b"<html>the UI</html>"), content_type="text/html",
                                headers={"Content-Encoding": "gzip"})
        response.set_cookie("_csrf", "token-for-" + request.query.get("who", "?"))
        return response

    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"body": (await request.read()).decode(), "cookie": request.headers.get("Cookie"),
                                  "csrf": request.headers.get("X-CSRF-TOKEN")}, status=201)

    app = web.Application()
    app.router.add_get("/api/v1/settings", settings)
    app.router.add_get("/", page)
    app.router.add_post("/api/v1/namespaces/default/echo", echo)
    return app


@pytest.fixture
async def gateway() -> AsyncIterator[str]:
    upstream_port, gateway_port = unused_ports(2)
    runner = web.AppRunner(upstream_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", upstream_port).start()
    gateway = TemporalUiGateway("127.0.0.1", gateway_port, f"http://127.0.0.1:{upstream_port}")
    await gateway.start()
    try:
        yield f"http://127.0.0.1:{gateway_port}"
    finally:
        await gateway.stop()
        await runner.cleanup()


async def test_the_uis_settings_include_credentials_for_the_codec_and_nothing_else_changes(gateway: str) -> None:
    async with httpx.AsyncClient(trust_env=False) as browser:
        answer = await browser.get(f"{gateway}/api/v1/settings", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    expected = json.loads(json.dumps(SETTINGS))
    expected["Codec"]["IncludeCredentials"] = True
    assert answer.json() == expected


async def test_other_requests_pass_through_and_cookies_stay_with_their_browser(gateway: str) -> None:
    async with httpx.AsyncClient(trust_env=False) as first, httpx.AsyncClient(trust_env=False) as second:
        page = await first.get(f"{gateway}/?who=first", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200
        assert page.headers["content-encoding"] == "gzip" and page.text == "<html>the UI</html>"
        assert first.cookies["_csrf"] == "token-for-first"

        posted = await first.post(f"{gateway}/api/v1/namespaces/default/echo", content=b'{"a": 1}',
                                  headers={"X-CSRF-TOKEN": "token-for-first"})
        assert posted.status_code == 201
        assert posted.json() == {"body": '{"a": 1}', "cookie": "_csrf=token-for-first", "csrf": "token-for-first"}

        others = await second.post(f"{gateway}/api/v1/namespaces/default/echo", content=b"")
        assert others.json()["cookie"] is None  # the first browser's cookie was not kept by the gateway
