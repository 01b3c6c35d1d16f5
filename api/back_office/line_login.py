"""Signing in to the back office with LINE Login (OpenID Connect, LINE's v2.1), for officers and team
members who linked their LINE account: the "Open" button of a LINE alert leads here.

    GET /office/line-login?next=/office/cases/ESS-2026-000123
      → LINE's authorize (state and nonce kept in a short-lived cookie of this path)
      → GET /office/line-login/callback?code=…&state=…
      → the code exchanged for an ID token at LINE's token endpoint (server to server), the token
        checked here (HS256 with the channel secret; issuer, audience, expiry, nonce)
      → a session of the account that acts as the linked officer or team member (database.line_sign_in;
        a station's or province's officer without one gets one now, database.line_accounts)
      → the page asked for.

Anything else — a state that does not match, a token that is forged, expired or carries another
nonce, a LINE account linked to nobody, or to someone disabled — ends on a page saying why, in Thai
first, with no session; the refusal is in the audit log (never the LINE user id: only whose officer
or team member it is, when known)."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
import jwt
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.back_office.sessions import SESSION_COOKIE
from api.back_office.sign_in import safe_next, secure_cookies, signed_in_response
from api.back_office.web import page
from api.client_address import client_address
from configuration.settings import Settings
from database import audit
from database.line_sign_in import LinePerson, LineRefusal, account_for_line_user
from database.line_sign_in import Refused as AccountRefused
from database.sessions import end_session, start_session
from domain.accounts import Account
from rendering.office_links import LINE_LOGIN_PATH

router = APIRouter(prefix=LINE_LOGIN_PATH, include_in_schema=False)
log = logging.getLogger(__name__)

START_PATH = LINE_LOGIN_PATH
CALLBACK_PATH = LINE_LOGIN_PATH + "/callback"
# state, nonce and where to go, for the few minutes a sign-in at LINE takes.
LINE_LOGIN_COOKIE = "ess_line_login"
LINE_LOGIN_MINUTES = 10
ISSUER = "https://access.line.me"
SCOPE = "openid profile"
TOKEN_TIMEOUT_SECONDS = 10
# A little slack for the clocks of LINE and this server.
CLOCK_LEEWAY_SECONDS = 30
# ACCOUNT_CREATED's "via" when a linked officer's first sign-in made their account (database.line_accounts).
CREATED_VIA = "line_sign_in"

# Why a sign-in with LINE was refused: (Thai, English) for the page, and its HTTP status.
PROBLEMS: dict[str, tuple[str, str, int]] = {
    "state": ("การเข้าสู่ระบบด้วย LINE หมดเวลาหรือไม่ได้เริ่มจากระบบนี้ กรุณาแตะปุ่มในแชต LINE อีกครั้ง",
              "The LINE sign-in expired or did not start here; tap the button in the LINE chat again", 400),
    "cancelled": ("ยกเลิกการเข้าสู่ระบบด้วย LINE แล้ว", "The LINE sign-in was cancelled", 400),
    "line_unavailable": ("ติดต่อ LINE ไม่ได้ในขณะนี้ กรุณาลองอีกครั้ง",
                         "LINE cannot be reached just now; please try again", 502),
    "code_refused": ("LINE ไม่รับรองการเข้าสู่ระบบครั้งนี้ กรุณาแตะปุ่มในแชต LINE อีกครั้ง",
                     "LINE did not confirm this sign-in; tap the button in the LINE chat again", 400),
    "invalid_token": ("ยืนยันตัวตนจาก LINE ไม่ผ่าน จึงเข้าสู่ระบบไม่ได้",
                      "LINE's proof of who you are did not check out; you are not signed in", 403),
    "expired_token": ("การยืนยันตัวตนจาก LINE หมดอายุแล้ว กรุณาแตะปุ่มในแชต LINE อีกครั้ง",
                      "LINE's proof of who you are has expired; tap the button in the LINE chat again", 403),
    "nonce": ("การยืนยันตัวตนจาก LINE ไม่ตรงกับการเข้าสู่ระบบครั้งนี้ กรุณาแตะปุ่มในแชต LINE อีกครั้ง",
              "LINE's proof of who you are belongs to another sign-in; tap the button in the LINE chat again", 403),
    LineRefusal.NOT_LINKED: (
        "บัญชี LINE นี้ยังไม่ได้ลงทะเบียนเป็นเจ้าหน้าที่หรือสมาชิกทีมสหวิชาชีพ "
        "พิมพ์ “ลงทะเบียน” ตามด้วยรหัสจากผู้ดูแลระบบในแชต LINE ก่อน",
        "This LINE account is not registered as an officer or team member; "
        "type “register” and the code from your administrator in the LINE chat first", 403),
    LineRefusal.INACTIVE: ("เจ้าหน้าที่หรือสมาชิกทีมที่ผูกกับบัญชี LINE นี้ถูกระงับแล้ว ติดต่อผู้ดูแลระบบ",
                           "The officer or team member linked to this LINE account is disabled; "
                           "contact your administrator", 403),
    LineRefusal.NO_ACCOUNT: ("ยังไม่มีบัญชีระบบหลังบ้านที่ทำงานในนามของท่าน กรุณาขอให้ผู้ดูแลระบบสร้างบัญชีให้",
                             "No back-office account acts as you yet; ask your administrator to create one", 403),
    LineRefusal.ACCOUNT_DISABLED: ("บัญชีระบบหลังบ้านของท่านถูกระงับแล้ว ติดต่อผู้ดูแลระบบ",
                                   "Your back-office account is disabled; contact your administrator", 403),
    LineRefusal.SEVERAL_ACCOUNTS: (
        "มีบัญชีระบบหลังบ้านหลายบัญชีที่ทำงานในนามของท่าน จึงเลือกให้ไม่ได้ "
        "เข้าสู่ระบบด้วยชื่อผู้ใช้และรหัสผ่าน หรือให้ผู้ดูแลระบบระงับบัญชีที่ไม่ใช้",
        "Several back-office accounts act as you, so none is chosen; sign in with a username and "
        "password, or ask your administrator to disable the ones not in use", 403),
}


class LineLoginProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Started:
    """What the start of a sign-in left in its cookie."""

    state: str
    nonce: str
    next_path: str

    def cookie(self) -> str:
        return ".".join((self.state, self.nonce, base64.urlsafe_b64encode(self.next_path.encode()).decode()))

    @classmethod
    def from_cookie(cls, value: str) -> Started | None:
        try:
            state, nonce, encoded = value.split(".", 2)
            return cls(state, nonce, base64.urlsafe_b64decode(encoded.encode()).decode())
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None


def redirect_uri(settings: Settings) -> str:
    """Fixed, as LINE's console registers it: the public address's callback."""
    return settings.public_url.rstrip("/") + CALLBACK_PATH


@router.get("")
async def start(request: Request, next: str | None = None) -> Response:
    settings: Settings = request.app.state.settings
    started = Started(secrets.token_urlsafe(24), secrets.token_urlsafe(24), safe_next(next))
    query = urlencode({
        "response_type": "code", "client_id": settings.line_login_channel_id, "redirect_uri": redirect_uri(settings),
        "state": started.state, "scope": SCOPE, "nonce": started.nonce,
    })
    response = RedirectResponse(f"{settings.line_login_authorize_url}?{query}", status_code=303)
    # Lax: LINE sends the browser back here by a top-level GET, which carries Lax cookies.
    response.set_cookie(LINE_LOGIN_COOKIE, started.cookie(), max_age=LINE_LOGIN_MINUTES * 60, httponly=True,
                        samesite="lax", secure=secure_cookies(request), path=START_PATH)
    return response


@router.get("/callback")
async def callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
    settings: Settings = request.app.state.settings
    client = client_address(request)
    started = Started.from_cookie(request.cookies.get(LINE_LOGIN_COOKIE, ""))
    try:
        if started is None or not state or not hmac.compare_digest(started.state, state):
            raise LineLoginProblem("state")
        if error or not code:
            raise LineLoginProblem("cancelled")
        claims = verified_claims(await _id_token(settings, code), settings, started.nonce)
    except LineLoginProblem as problem:
        return await _refused(request, problem.reason, client)
    # One transaction: an account made by this first sign-in is there with its audit entry, or not at all.
    async with request.app.state.pool.acquire() as connection, connection.transaction():
        found = await account_for_line_user(connection, claims["sub"])
        if isinstance(found, AccountRefused):
            await _record_refusal(connection, found.reason, client, found.person)
        else:
            if found.created:
                await _record_account_created(connection, found.account)
            if found.updated:
                await audit.record(connection, "ACCOUNT_UPDATED", account=found.account,
                                   updated_account_id=found.account.account_id, role=found.account.role.value,
                                   station_id=found.account.station_id,
                                   province_code=found.account.province_code, via="line")
            if previous := request.cookies.get(SESSION_COOKIE):
                await end_session(connection, previous)  # the phone is now this person's
            token, session = await start_session(connection, found.account.account_id)
            await audit.record(connection, "LINE_SIGN_IN", account=session.account, client=client)
    if isinstance(found, AccountRefused):
        return _refusal_page(request, found.reason)
    response = signed_in_response(request, token, session.account, started.next_path if started else None)
    response.delete_cookie(LINE_LOGIN_COOKIE, path=START_PATH)
    return response


async def _id_token(settings: Settings, code: str) -> str:
    """The ID token LINE's token endpoint gives for the code."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(settings),
            "client_id": settings.line_login_channel_id, "client_secret": settings.line_login_channel_secret}
    try:
        async with httpx.AsyncClient(timeout=TOKEN_TIMEOUT_SECONDS) as http:
            answer = await http.post(settings.line_login_token_url, data=form)
    except httpx.HTTPError as failure:
        log.warning("LINE Login's token endpoint could not be reached: %s", type(failure).__name__)
        raise LineLoginProblem("line_unavailable") from None
    if answer.status_code >= 500:
        log.warning("LINE Login's token endpoint answered %s", answer.status_code)
        raise LineLoginProblem("line_unavailable")
    body = _json_object(answer)
    if answer.status_code != 200 or not isinstance(body.get("id_token"), str):
        log.info("LINE Login's token endpoint refused the code: %s", answer.status_code)
        raise LineLoginProblem("code_refused")
    return str(body["id_token"])


def verified_claims(id_token: str, settings: Settings, nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature (HS256, the channel's secret), issuer, audience (the
    channel id), expiry and nonce check out."""
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token, settings.line_login_channel_secret, algorithms=["HS256"],
            audience=settings.line_login_channel_id, issuer=ISSUER, leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError:
        raise LineLoginProblem("expired_token") from None
    except jwt.InvalidTokenError:
        raise LineLoginProblem("invalid_token") from None
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise LineLoginProblem("nonce")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise LineLoginProblem("invalid_token")
    return claims


def _json_object(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def _refused(request: Request, reason: str, client: str) -> Response:
    async with request.app.state.pool.acquire() as connection:
        await _record_refusal(connection, reason, client)
    return _refusal_page(request, reason)


async def _record_refusal(connection: asyncpg.Connection, reason: str, client: str,
                          person: LinePerson | None = None) -> None:
    """Whose LINE account it was by their officer's or team member's id, never the LINE user id."""
    details: dict[str, Any] = {"reason": str(reason), "client": client}
    if person and person.officer_id is not None:
        details["officer_id"] = person.officer_id
    if person and person.team_member_id is not None:
        details["team_member_id"] = person.team_member_id
    await audit.record(connection, "LINE_SIGN_IN_REFUSED", **details)


async def _record_account_created(connection: asyncpg.Connection, account: Account) -> None:
    """By the new account itself (its officer's id with it), as an administrator's creation is by theirs."""
    await audit.record(connection, "ACCOUNT_CREATED", account=account, created_account_id=account.account_id,
                       username=account.username, role=account.role.value, via=CREATED_VIA)


def _refusal_page(request: Request, reason: str) -> Response:
    thai, english, status = PROBLEMS[reason]
    response = page(request, "line_sign_in_refused.html", status_code=status, problem=(thai, english))
    response.delete_cookie(LINE_LOGIN_COOKIE, path=START_PATH)
    return response
