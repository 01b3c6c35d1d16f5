"""LINE Login (v2.1) as the fake LINE platform plays it: authorize, token and verify.

authorize is where a browser is sent to sign in. LINE knows who holds the phone from its own
session; here that is a cookie on the fake's address (LINE_SESSION_COOKIE). Without it the fake
asks which simulated user is signing in, one tap each, and remembers the answer in that cookie, as
LINE's app signs its user in without asking again. It then sends the browser back to the
redirect_uri with a single-use code (or with error=... when the request is wrong, as LINE does).

token exchanges the code for an access token and an ID token: a JWT signed with HS256 and the
channel secret, with LINE's claims (iss https://access.line.me, sub the user id, aud the channel id,
exp, iat, nonce, amr, name). verify checks an ID token as LINE does and answers its claims, or 400
{error, error_description}.

Tests can make the next ID token wrong in one way (tamper_next_id_token): signed with another
secret, already expired, or carrying another nonce, to see the back office refuse it.
"""

from __future__ import annotations

import html
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from line_simulator.messaging import SimulatedUser

ISSUER = "https://access.line.me"
LINE_SESSION_COOKIE = "fake_line_session"
SIGN_IN_AS = "sign_in_as"  # the picker's links: which simulated user taps "sign in"
CODE_LIFETIME = 10 * 60  # seconds; LINE's authorization codes last ten minutes
ID_TOKEN_LIFETIME = 60 * 60
ACCESS_TOKEN_LIFETIME = 30 * 24 * 60 * 60


@dataclass
class Grant:
    """What an authorization code stands for until it is exchanged."""

    user_id: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    issued_at: float = field(default_factory=time.time)


@dataclass
class Tampering:
    """How the next ID token is wrong."""

    signing_secret: str | None = None
    expires_in: int | None = None
    nonce: str | None = None


class LineLogin:
    def __init__(self, channel_id: str, channel_secret: str, users: dict[str, SimulatedUser]) -> None:
        self.channel_id = channel_id
        self.channel_secret = channel_secret
        self._users = users
        self._grants: dict[str, Grant] = {}
        self._tampering: Tampering | None = None

    def tamper_next_id_token(self, *, signing_secret: str | None = None, expires_in: int | None = None,
                             nonce: str | None = None) -> None:
        self._tampering = Tampering(signing_secret, expires_in, nonce)

    def clear(self) -> None:
        self._grants.clear()
        self._tampering = None

    # ---- authorize ---------------------------------------------------------------------------

    def authorize(self, request: Request) -> Response:
        query = request.query_params
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.channel_id or urlsplit(redirect_uri).scheme not in ("http", "https"):
            # LINE shows its own error page: it cannot send anyone back to an address it does not trust.
            return HTMLResponse(_page("400 Bad Request", "<p>Invalid client_id or redirect_uri.</p>"), 400)
        state = query.get("state", "")
        if query.get("response_type") != "code":
            return _back(redirect_uri, state, error="unsupported_response_type")
        if not state:
            return _back(redirect_uri, state, error="invalid_request", description="state is required")
        scope = query.get("scope", "")
        if "openid" not in scope.split():
            return _back(redirect_uri, state, error="invalid_scope")
        user_id = query.get(SIGN_IN_AS) or request.cookies.get(LINE_SESSION_COOKIE)
        if user_id not in self._users:
            return HTMLResponse(self._picker(request))
        code = secrets.token_urlsafe(15)
        self._grants[code] = Grant(user_id, self.channel_id, redirect_uri, scope, query.get("nonce"))
        response = _back(redirect_uri, state, code=code)
        # Not HttpOnly: the simulator page changes who holds the phone (its current user).
        response.set_cookie(LINE_SESSION_COOKIE, user_id, samesite="lax", path=request.url.path)
        return response

    def _picker(self, request: Request) -> str:
        """LINE's sign-in screen, reduced to the simulated users: one link each."""
        query = {name: value for name, value in request.query_params.items() if name != SIGN_IN_AS}
        links = "".join(
            f'<li><a href="?{html.escape(urlencode({**query, SIGN_IN_AS: user.user_id}))}">'
            f"เข้าสู่ระบบในชื่อ {html.escape(user.display_name)} · Sign in as {html.escape(user.display_name)}</a></li>"
            for user in self._users.values()
        )
        return _page("LINE Login", f"<h1>LINE</h1><p>เลือกบัญชี LINE · Choose a LINE account</p><ul>{links}</ul>")

    # ---- token -------------------------------------------------------------------------------

    def token(self, form: dict[str, str]) -> Response:
        if form.get("grant_type") != "authorization_code":
            return _error("unsupported_grant_type", "unsupported grant_type")
        if form.get("client_id") != self.channel_id or form.get("client_secret") != self.channel_secret:
            return _error("invalid_client", "invalid client_id or client_secret", status=401)
        grant = self._grants.pop(form.get("code", ""), None)  # single use, as LINE's
        if grant is None or time.time() - grant.issued_at > CODE_LIFETIME:
            return _error("invalid_grant", "invalid authorization code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _error("invalid_grant", "redirect_uri does not match")
        body: dict[str, Any] = {
            "access_token": secrets.token_urlsafe(32),
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "refresh_token": secrets.token_urlsafe(16),
            "scope": grant.scope,
            "token_type": "Bearer",
            "id_token": self._id_token(grant),
        }
        return JSONResponse(body, headers={"cache-control": "no-store", "pragma": "no-cache"})

    def _id_token(self, grant: Grant) -> str:
        tampering, self._tampering = self._tampering or Tampering(), None
        now = int(time.time())
        lifetime = ID_TOKEN_LIFETIME if tampering.expires_in is None else tampering.expires_in
        claims: dict[str, Any] = {
            "iss": ISSUER, "sub": grant.user_id, "aud": grant.client_id, "exp": now + lifetime,
            "iat": now if lifetime > 0 else now + lifetime - 60, "amr": ["linesso"],
        }
        nonce = tampering.nonce if tampering.nonce is not None else grant.nonce
        if nonce is not None:
            claims["nonce"] = nonce
        if "profile" in grant.scope.split():
            claims["name"] = self._users[grant.user_id].display_name
        return jwt.encode(claims, tampering.signing_secret or self.channel_secret, algorithm="HS256")

    # ---- verify ------------------------------------------------------------------------------

    def verify(self, form: dict[str, str]) -> Response:
        if form.get("client_id") != self.channel_id:
            return _error("invalid_client", "Invalid client_id.")
        try:
            claims = jwt.decode(form.get("id_token", ""), self.channel_secret, algorithms=["HS256"],
                                audience=self.channel_id, issuer=ISSUER,
                                options={"require": ["iss", "sub", "aud", "exp", "iat"]})
        except jwt.ExpiredSignatureError:
            return _error("invalid_request", "IdToken expired.")
        except jwt.InvalidTokenError:
            return _error("invalid_request", "Invalid IdToken.")
        if "nonce" in form and claims.get("nonce") != form["nonce"]:
            return _error("invalid_request", "Invalid IdToken Nonce.")
        if "user_id" in form and claims["sub"] != form["user_id"]:
            return _error("invalid_request", "Invalid IdToken Subject Identifier.")
        return JSONResponse(claims)


def form_of(raw: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body, one value per name."""
    return {name: values[0] for name, values in parse_qs(raw.decode("utf-8", "replace")).items()}


def _back(redirect_uri: str, state: str, **parameters: str | None) -> RedirectResponse:
    values = {name: value for name, value in parameters.items() if value is not None}
    if "description" in values:
        values["error_description"] = values.pop("description")
    values["state"] = state
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return RedirectResponse(redirect_uri + separator + urlencode(values), status_code=302)


def _error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='th'><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{title}</title>{body}</html>")
