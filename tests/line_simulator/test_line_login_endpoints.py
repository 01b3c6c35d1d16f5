"""The fake LINE platform's LINE Login (v2.1) behaves as LINE's: authorize sends the browser back with
a single-use code, token exchanges it for an ID token signed with the channel secret, verify checks
one. The back office's sign-in with LINE is specified against these (tests/api/back_office/test_line_login.py)."""

from __future__ import annotations

import html
import re
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from configuration.settings import DEVELOPMENT_LOGIN_CHANNEL_ID, DEVELOPMENT_LOGIN_CHANNEL_SECRET
from line_simulator.line_login import LINE_SESSION_COOKIE
from line_simulator.messaging import SimulatedUser
from tests.fake_line import FakeLine

CALLBACK = "https://office.example.org/office/line-login/callback"


@pytest.fixture
async def http(fake_line: FakeLine):
    async with httpx.AsyncClient(base_url=fake_line.base_url) as client:
        yield client


def authorize_query(**changes: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": DEVELOPMENT_LOGIN_CHANNEL_ID, "redirect_uri": CALLBACK,
            "state": "the-state", "scope": "openid profile", "nonce": "the-nonce"} | changes


def returned(response: httpx.Response) -> dict[str, str]:
    """The query LINE sent the browser back to the callback with."""
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


async def signed_in_code(http: httpx.AsyncClient, user: SimulatedUser, **changes: str) -> str:
    response = await http.get("/oauth2/v2.1/authorize", params=authorize_query(**changes),
                              cookies={LINE_SESSION_COOKIE: user.user_id})
    return returned(response)["code"]


async def exchanged(http: httpx.AsyncClient, code: str, **changes: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": DEVELOPMENT_LOGIN_CHANNEL_ID, "client_secret": DEVELOPMENT_LOGIN_CHANNEL_SECRET} | changes
    return await http.post("/oauth2/v2.1/token", data=form)


async def test_someone_not_signed_in_to_line_chooses_an_account_in_one_tap_and_is_remembered(
        http: httpx.AsyncClient, line_user: SimulatedUser) -> None:
    screen = await http.get("/oauth2/v2.1/authorize", params=authorize_query())
    assert screen.status_code == 200 and "เลือกบัญชี LINE" in screen.text
    [href] = [html.unescape(href) for href in re.findall(r'<a href="([^"]+)"', screen.text)
              if line_user.user_id in href]
    tapped = await http.get("/oauth2/v2.1/authorize" + href)
    back = returned(tapped)
    assert back["state"] == "the-state" and back["code"]
    assert http.cookies.get(LINE_SESSION_COOKIE) == line_user.user_id
    again = await http.get("/oauth2/v2.1/authorize", params=authorize_query(state="second"))
    assert returned(again)["state"] == "second"


async def test_the_code_buys_an_id_token_signed_with_the_channel_secret_once(
        http: httpx.AsyncClient, line_user: SimulatedUser) -> None:
    code = await signed_in_code(http, line_user)
    answer = await exchanged(http, code)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "expires_in", "id_token", "refresh_token", "scope", "token_type"}
    assert body["token_type"] == "Bearer" and body["scope"] == "openid profile"
    claims = jwt.decode(body["id_token"], DEVELOPMENT_LOGIN_CHANNEL_SECRET, algorithms=["HS256"],
                        audience=DEVELOPMENT_LOGIN_CHANNEL_ID, issuer="https://access.line.me")
    assert claims["sub"] == line_user.user_id and claims["nonce"] == "the-nonce"
    assert claims["name"] == line_user.display_name
    assert claims["iat"] <= time.time() < claims["exp"]
    spent = await exchanged(http, code)
    assert spent.status_code == 400 and spent.json()["error"] == "invalid_grant"


async def test_the_token_endpoint_refuses_another_redirect_uri_or_a_wrong_secret(
        http: httpx.AsyncClient, line_user: SimulatedUser) -> None:
    elsewhere = await exchanged(http, await signed_in_code(http, line_user), redirect_uri="https://evil.example/cb")
    wrong_secret = await exchanged(http, await signed_in_code(http, line_user), client_secret="guessed")
    assert (elsewhere.status_code, elsewhere.json()["error"]) == (400, "invalid_grant")
    assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (401, "invalid_client")


async def test_authorize_trusts_only_its_channel_and_sends_mistakes_back_to_the_callback(
        http: httpx.AsyncClient, line_user: SimulatedUser) -> None:
    cookies = {LINE_SESSION_COOKIE: line_user.user_id}
    stranger = await http.get("/oauth2/v2.1/authorize", params=authorize_query(client_id="999"), cookies=cookies)
    assert stranger.status_code == 400 and "location" not in stranger.headers
    no_openid = await http.get("/oauth2/v2.1/authorize", params=authorize_query(scope="profile"), cookies=cookies)
    assert returned(no_openid)["error"] == "invalid_scope"


async def test_verify_answers_an_id_tokens_claims_or_why_it_is_refused(
        fake_line: FakeLine, http: httpx.AsyncClient, line_user: SimulatedUser) -> None:
    async def id_token() -> str:
        return (await exchanged(http, await signed_in_code(http, line_user))).json()["id_token"]

    def verify(token: str, **changes: str):
        return http.post("/oauth2/v2.1/verify",
                         data={"id_token": token, "client_id": DEVELOPMENT_LOGIN_CHANNEL_ID} | changes)

    good = await id_token()
    answer = await verify(good, nonce="the-nonce")
    assert answer.status_code == 200
    assert answer.json()["sub"] == line_user.user_id and answer.json()["iss"] == "https://access.line.me"
    wrong_nonce = await verify(good, nonce="another")
    assert (wrong_nonce.status_code, wrong_nonce.json()["error_description"]) == (400, "Invalid IdToken Nonce.")

    fake_line.platform.line_login.tamper_next_id_token(signing_secret="a-secret-that-is-not-the-channel-secret")
    forged = await verify(await id_token())
    assert (forged.status_code, forged.json()) == (400, {"error": "invalid_request",
                                                         "error_description": "Invalid IdToken."})
    fake_line.platform.line_login.tamper_next_id_token(expires_in=-60)
    expired = await verify(await id_token())
    assert (expired.status_code, expired.json()["error_description"]) == (400, "IdToken expired.")
    assert (await verify(await id_token())).status_code == 200  # tampering spoils one token only
