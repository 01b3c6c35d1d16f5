"""Who is calling: the address the connection comes from, unless it comes from the reverse proxy
named in ESS_TRUSTED_PROXIES, whose X-Forwarded-For (and X-Forwarded-Proto) says who its client is.

The application decides this itself, not the server in front of it (the image runs uvicorn with
--no-proxy-headers): the sign-in throttle and the audit log see the same address however the API is
served, and a client that writes X-Forwarded-For itself gains nothing. The proxy must append the
address it received the request from to X-Forwarded-For (nginx: `$proxy_add_x_forwarded_for`; Caddy
and Traefik do so by default); the rightmost address the API does not trust is the client."""

from __future__ import annotations

from fastapi import FastAPI, Request
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from configuration.settings import Settings


def mount_client_address(app: FastAPI, settings: Settings) -> None:
    """Mounted last, so it runs first: every other part sees the client the proxy named."""
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
