"""Security headers on every answer of the application.

A Content-Security-Policy lets a page run only the application's own script files and style
sheets (no inline script, no inline event handler, no style attribute in markup), so text from a
report that slipped through escaping still could not run. The other headers keep pages out of
other sites' frames, stop MIME sniffing, keep back-office addresses (they carry case numbers) out
of the Referer sent to other sites, switch off browser features nobody here uses, and, outside
development, ask browsers to come back over HTTPS only.

Three policies:
- pages (the back office, the JSON API, everything else): images also from the map tile server
  (ESS_MAP_TILE_URL) and data: URLs (Leaflet's blank tile);
- /docs (Swagger UI): its one inline start-up script is allowed by its SHA-256 hash, taken from the
  page as served (the page is built from the app's configuration, never from the request);
- /dev (the LINE simulator, development only): images from anywhere, as LINE shows the images a bot
  sends from wherever they are.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from configuration.settings import Settings

log = logging.getLogger(__name__)

DOCS_PATH = "/docs"
SIMULATOR_PREFIX = "/dev"
# A year. Not includeSubDomains: the province's other sites under the same domain are not ours to decide.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

# A host source CSP accepts: letters, digits, dots, dashes, a leading "*." wildcard, a port, IPv6 brackets.
HOST_SOURCE = re.compile(r"(\*\.)?[A-Za-z0-9.\-\[\]:]+")
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def tile_source(tile_url: str) -> str | None:
    """Where map tiles come from, as a CSP source: the tile URL template's scheme and host, with a
    templated subdomain ("{s}.tile.example.org") as a wildcard. None when the template names no
    other host (tiles from this site) or cannot be written as a source (then tiles are refused)."""
    parts = urlsplit(tile_url.strip())
    if not parts.netloc:
        return None
    if parts.scheme not in ("http", "https"):
        log.warning("ESS_MAP_TILE_URL is not an http(s) address; the maps show no tiles")
        return None
    labels = parts.netloc.rpartition("@")[2].split(".")
    templated = [position for position, label in enumerate(labels) if "{" in label]
    if templated:  # CSP has wildcards only as the leftmost label
        labels = ["*", *labels[templated[-1] + 1:]]
    host = ".".join(labels)
    if not HOST_SOURCE.fullmatch(host):
        log.warning("ESS_MAP_TILE_URL's host cannot be allowed in the Content-Security-Policy; the maps show no tiles")
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(*, img_sources: Iterable[str] = (), script_sources: Iterable[str] = ()) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_sources],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *img_sources],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def script_hashes(html: bytes) -> list[str]:
    """CSP hash sources of a page's inline scripts (those without a src)."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in INLINE_SCRIPT.findall(html) if script.strip()
    ]


class SecurityHeaders:
    """ASGI middleware adding the headers to each HTTP answer; a header an endpoint set itself is kept."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        tiles = tile_source(settings.map_tile_url) if settings.map_tile_url else None
        self.page_policy = content_security_policy(img_sources=[tiles] if tiles else [])
        self.simulator_policy = content_security_policy(img_sources=["*", "blob:"])
        self.common = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if not settings.is_development:
            self.common["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == DOCS_PATH:
            await self._with_inline_script_hashes(scope, receive, send)
            return
        in_simulator = path == SIMULATOR_PREFIX or path.startswith(SIMULATOR_PREFIX + "/")
        policy = self.simulator_policy if in_simulator else self.page_policy

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add(message, policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _with_inline_script_hashes(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Holds back the (small) page until its inline scripts are known, then allows exactly those."""
        start: Message | None = None
        body: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            whole = b"".join(body)
            if start is not None:  # ASGI sends the start before any body
                self._add(start, content_security_policy(script_sources=script_hashes(whole)))
                await send(start)
            await send({"type": "http.response.body", "body": whole, "more_body": False})

        await self.app(scope, receive, hold)

    def _add(self, start: Message, policy: str) -> None:
        headers = MutableHeaders(scope=start)
        for name, value in {"Content-Security-Policy": policy, **self.common}.items():
            if name not in headers:
                headers[name] = value


def mount_security_headers(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(SecurityHeaders, settings=settings)
