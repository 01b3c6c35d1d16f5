"""Signing in and out of the back office, and the reader's language and calendar."""

from __future__ import annotations

import hmac
import math
import secrets
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.back_office.sessions import SESSION_COOKIE, FormSession
from api.back_office.web import ERA_COOKIE, LANGUAGE_COOKIE, page
from api.client_address import client_address
from database import audit
from database.sessions import SESSION_LIFETIME, Refused, SignInRefusal, end_session, sign_in, start_session
from database.sign_in_throttle import minutes_to_wait
from domain.accounts import Account

router = APIRouter(prefix="/office", include_in_schema=False)

# Before a session exists, the sign-in form is protected by a cookie its hidden field must match.
SIGN_IN_CSRF_COOKIE = "ess_sign_in_csrf"
HOME = "/office/cases"
# A multidisciplinary team never opens police case pages: its work starts in its inbox.
TEAM_HOME = "/office/handoffs"


def safe_next(next_path: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if next_path and next_path.startswith("/office") and not next_path.startswith("//"):
        return next_path
    return HOME


def home_of(account: Account) -> str:
    return HOME if account.scope.opens_case_pages else TEAM_HOME


def landing(account: Account, next_path: str | None) -> str:
    """Where the reader asked to go; the default home is the account's own."""
    target = safe_next(next_path)
    return home_of(account) if target == HOME else target


def secure_cookies(request: Request) -> bool:
    return not request.app.state.settings.is_development


@router.get("/sign-in")
async def sign_in_form(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(request, "sign_in.html", next=safe_next(next), sign_in_csrf=token, problem=None)
    response.set_cookie(SIGN_IN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(request),
                        path="/office/sign-in")
    return response


@router.post("/sign-in")
async def sign_in_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form()] = HOME,
    sign_in_csrf: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, sign_in_csrf):
        return page(request, "sign_in.html", status_code=403, next=safe_next(next), sign_in_csrf=expected,
                    problem=("แบบฟอร์มหมดอายุ กรุณาลองอีกครั้ง", "The form expired; please try again"))
    client = client_address(request)
    pool = request.app.state.pool
    outcome = await sign_in(pool, username, password, client, request.app.state.settings.sign_in_failures_per_minute)
    async with pool.acquire() as connection:
        if isinstance(outcome, Refused):
            await record_refusal(connection, outcome, "SIGN_IN_REFUSED", username, client)
        else:
            token, session = await start_session(connection, outcome.account_id)
            await audit.record(connection, "SIGN_IN", account=session.account, client=client)
    if isinstance(outcome, Refused) and outcome.reason == SignInRefusal.THROTTLED:
        return waiting(page(request, "sign_in.html", status_code=429, next=safe_next(next), sign_in_csrf=expected,
                            problem=wait_problem(outcome)), outcome)
    if isinstance(outcome, Refused):
        problem = ("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "Wrong username or password")
        return page(request, "sign_in.html", status_code=401, next=safe_next(next), sign_in_csrf=expected,
                    problem=problem)
    response = signed_in_response(request, token, session.account, next)
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/office/sign-in")
    return response


def signed_in_response(request: Request, token: str, account: Account, next_path: str | None) -> RedirectResponse:
    """On to where the reader was going, with the new session's cookie."""
    response = RedirectResponse(landing(account, next_path), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
                        samesite="lax", secure=secure_cookies(request), path="/")
    return response


async def record_refusal(connection: asyncpg.Connection, refused: Refused, action: str, username: str, client: str,
                         account: Account | None = None) -> None:
    """A refused password in the audit log, with the address; and the moment an address begins to wait."""
    username = username.strip().lower()[:64]
    await audit.record(connection, action, account=account, username=username, reason=refused.reason.value,
                       client=client)
    if refused.wait_began:
        await audit.record(connection, "SIGN_IN_THROTTLED", account=account, username=username, client=client)


def wait_problem(refused: Refused) -> tuple[str, str]:
    """How long to wait, Thai then English."""
    minutes = minutes_to_wait(refused.wait)
    return (f"ลองรหัสผ่านผิดหลายครั้ง กรุณารอ {minutes} นาที แล้วลองใหม่",
            f"Too many wrong passwords; wait {minutes} minute{'s' if minutes > 1 else ''} and try again")


def waiting(response: Response, refused: Refused) -> Response:
    """The answer to a throttled attempt says in its headers, too, when to come back."""
    response.headers["retry-after"] = str(max(1, math.ceil(refused.wait.total_seconds())))
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: FormSession) -> Response:
    async with request.app.state.pool.acquire() as connection:
        await end_session(connection, request.cookies.get(SESSION_COOKIE, ""))
        await audit.record(connection, "SIGN_OUT", account=session.account)
    response = RedirectResponse("/office/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/preferences")
async def preferences(request: Request, language: str | None = None, era: str | None = None,
                      next: str | None = None) -> Response:
    """Thai or English, Buddhist or common era: a cookie each, then back where the reader was."""
    response = RedirectResponse(safe_next(next), status_code=303)
    year = 365 * 24 * 3600
    if language in ("th", "en"):
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=year, samesite="lax", secure=secure_cookies(request))
    if era in ("be", "ce"):
        response.set_cookie(ERA_COOKIE, era, max_age=year, samesite="lax", secure=secure_cookies(request))
    return response
