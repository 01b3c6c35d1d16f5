"""Who is signed in to the back office, and the checks every request passes.

Pages need a live session (else a redirect to the sign-in page); every form that changes
something carries the session's CSRF token, and a request without it is refused."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

from database.sessions import Session, current_session
from domain.accounts import Account

SESSION_COOKIE = "ess_session"
CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """Raised by a page dependency; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


async def signed_in(request: Request) -> Session:
    token = request.cookies.get(SESSION_COOKIE)
    session = None
    if token:
        async with request.app.state.pool.acquire() as connection:
            session = await current_session(connection, token)
    if session is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    request.state.session = session
    return session


async def checked_form(request: Request, session: Annotated[Session, Depends(signed_in)],
                       csrf_token: Annotated[str, Form()] = "") -> Session:
    """A signed-in session whose form carried its CSRF token."""
    if not csrf_token or not hmac.compare_digest(csrf_token, session.csrf_token):
        raise HTTPException(403, "คำขอไม่ถูกต้อง (CSRF) กรุณาโหลดหน้าใหม่ — invalid form token; reload the page")
    return session


def signed_in_account(session: Annotated[Session, Depends(signed_in)]) -> Account:
    return session.account


CurrentSession = Annotated[Session, Depends(signed_in)]
FormSession = Annotated[Session, Depends(checked_form)]
