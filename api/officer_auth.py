"""Who is calling the officers' API: `Authorization: Bearer <token>` resolved to an active officer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from database.officer_tokens import TokenExpired, officer_for_token
from domain.models import Officer

# auto_error=False: we answer 401 with WWW-Authenticate ourselves (not FastAPI's 403); the scheme
# still puts "bearer" into the OpenAPI schema, so Swagger UI offers an Authorize button.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="OfficerToken",
    description="โทเค็นของเจ้าหน้าที่ (ออกโดย `python -m tools.officer_tokens issue`) — an officer's API token",
)

NOT_SIGNED_IN = "ต้องใช้โทเค็นของเจ้าหน้าที่ที่ยังใช้งานได้ — a valid officer token is required"
EXPIRED = ("โทเค็นหมดอายุแล้ว ขอโทเค็นใหม่จากผู้ดูแลระบบ — "
           "the officer token has expired; ask an administrator for a new one")


async def current_officer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Officer:
    """The officer behind the bearer token; 401 when missing, unknown, revoked, expired, or the officer
    is inactive (an expired token is told so, and how to get a new one)."""
    officer = None
    if credentials is not None and credentials.credentials:
        async with request.app.state.pool.acquire() as connection:
            try:
                officer = await officer_for_token(connection, credentials.credentials)
            except TokenExpired:
                raise HTTPException(401, EXPIRED, headers={
                    "WWW-Authenticate": 'Bearer error="invalid_token", error_description="The token has expired"'
                }) from None
    if officer is None:
        raise HTTPException(401, NOT_SIGNED_IN, headers={"WWW-Authenticate": "Bearer"})
    return officer


CurrentOfficer = Annotated[Officer, Depends(current_officer)]
