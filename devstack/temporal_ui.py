"""The Temporal UI as `make run` serves it: the dev server's own UI behind a small gateway, so that
decoding works for a signed-in administrator without any setting in the browser.

The UI sends the back office's session cookie to the codec endpoint only when its server's settings
say `Codec.IncludeCredentials` (what TEMPORAL_CODEC_INCLUDE_CREDENTIALS sets in the UI's image,
docker-compose.yml). The dev server's UI has no such option (only `--ui-codec-endpoint`), so the
gateway passes every request through unchanged and adds that one setting to the settings answer."""

from __future__ import annotations

import json
from collections.abc import Mapping

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

SETTINGS_PATH = "/api/v1/settings"
# Connection-level headers (RFC 9110 §7.6.1) belong to one hop, never forwarded.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "proxy-connection",
})
CHUNK_BYTES = 64 * 1024


def with_credentials_included(settings_body: bytes) -> bytes:
    """The UI server's settings, with the codec told to send cookies (everything else as it was)."""
    settings = json.loads(settings_body)
    codec = settings.get("Codec") or {}
    if codec.get("Endpoint"):
        codec["IncludeCredentials"] = True
        settings["Codec"] = codec
    return json.dumps(settings).encode()


def _forwardable(headers: Mapping[str, str]) -> CIMultiDict[str]:
    return CIMultiDict((name, value) for name, value in headers.items() if name.lower() not in HOP_BY_HOP)


class TemporalUiGateway:
    """Listens where operators open the Temporal UI and forwards to the dev server's UI."""

    def __init__(self, host: str, port: int, upstream_url: str) -> None:
        self._host = host
        self._port = port
        self._upstream = upstream_url.rstrip("/")
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        # No overall timeout: the UI long-polls some of its requests. Bodies pass through as they
        # come (compressed or not): only the settings answer is read, and asked for uncompressed.
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=10), auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),  # each browser's cookies are its own, never kept here
        )
        app = web.Application(client_max_size=0)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        headers = _forwardable(request.headers)
        headers.pop("Content-Length", None)  # the body is read whole and sent with its own length
        is_settings = request.method == "GET" and request.path.rstrip("/").endswith(SETTINGS_PATH)
        if is_settings:
            headers["Accept-Encoding"] = "identity"  # read here: plain JSON
        try:
            upstream = await self._session.request(
                request.method, self._upstream + request.rel_url.raw_path_qs, headers=headers,
                data=await request.read() if request.body_exists else None, allow_redirects=False,
            )
        except aiohttp.ClientError:
            return web.Response(status=502, text="The Temporal dev server's UI does not answer")
        async with upstream:
            answer_headers = _forwardable(upstream.headers)
            if is_settings and upstream.status == 200:
                body = with_credentials_included(await upstream.read())
                answer_headers.pop("Content-Length", None)
                return web.Response(status=200, body=body, headers=answer_headers)
            response = web.StreamResponse(status=upstream.status, reason=upstream.reason, headers=answer_headers)
            await response.prepare(request)
            async for chunk in upstream.content.iter_chunked(CHUNK_BYTES):
                await response.write(chunk)
            await response.write_eof()
            return response
