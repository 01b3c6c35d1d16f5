"""Officer authentication on the JSON API: a live bearer token of an active officer, or 401 with
`WWW-Authenticate: Bearer` — whatever else is wrong with the request."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from database.officer_tokens import hash_token, issue_token, revoke_token
from domain.models import OfficerRole
from tests.api.conftest import RunningApi

CASES = "/api/cases"


async def new_officer_token(pool: asyncpg.Pool, role: OfficerRole = OfficerRole.NATIONAL_DESK) -> tuple[int, str]:
    """An active officer and a token for them: (officer id, token)."""
    async with pool.acquire() as connection:
        officer_id = await connection.fetchval(
            "INSERT INTO officers (code, name, role) VALUES ($1, 'ทดสอบ', $2) RETURNING id",
            f"TEST-{uuid.uuid4().hex[:10]}", role.value,
        )
        code = await connection.fetchval("SELECT code FROM officers WHERE id = $1", officer_id)
        return officer_id, await issue_token(connection, code)


def assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]


async def test_a_live_token_of_an_active_officer_is_let_in(api: RunningApi, pool: asyncpg.Pool) -> None:
    _, token = await new_officer_token(pool)
    response = await api.http.get(CASES, params={"limit": 1}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


async def test_no_authorization_header_is_401(api: RunningApi) -> None:
    assert_unauthorized(await api.http.get(CASES))


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer", "Basic dXNlcjpwYXNz", "not-a-scheme"])
async def test_an_unknown_token_or_another_scheme_is_401(api: RunningApi, header: str) -> None:
    assert_unauthorized(await api.http.get(CASES, headers={"Authorization": header}))


async def test_a_revoked_token_is_401(api: RunningApi, pool: asyncpg.Pool) -> None:
    _, token = await new_officer_token(pool)
    async with pool.acquire() as connection:
        await revoke_token(connection, token)
    assert_unauthorized(await api.http.get(CASES, headers={"Authorization": f"Bearer {token}"}))


async def test_an_expired_token_is_401_and_says_it_expired(api: RunningApi, pool: asyncpg.Pool) -> None:
    _, token = await new_officer_token(pool)
    await pool.execute("UPDATE officer_access_tokens SET expires_at = now() - interval '1 second' "
                       "WHERE token_hash = $1", hash_token(token))
    response = await api.http.get(CASES, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "expired" in response.json()["detail"]


async def test_the_token_of_an_officer_no_longer_active_is_401(api: RunningApi, pool: asyncpg.Pool) -> None:
    officer_id, token = await new_officer_token(pool)
    async with pool.acquire() as connection:
        await connection.execute("UPDATE officers SET active = false WHERE id = $1", officer_id)
    assert_unauthorized(await api.http.get(CASES, headers={"Authorization": f"Bearer {token}"}))


async def test_every_case_route_needs_the_token(api: RunningApi) -> None:
    assert_unauthorized(await api.http.get(f"{CASES}/ESS-2026-000001"))
    assert_unauthorized(await api.http.post(
        f"{CASES}/ESS-2026-000001/actions", json={"kind": "ACKNOWLEDGE"}, headers={"Idempotency-Key": "k"}
    ))


async def test_the_schema_declares_bearer_authentication_on_the_case_routes(api: RunningApi) -> None:
    schema = (await api.http.get("/openapi.json")).json()
    scheme = schema["components"]["securitySchemes"]["OfficerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method in [(CASES, "get"), (f"{CASES}/{{case_no}}", "get"), (f"{CASES}/{{case_no}}/actions", "post")]:
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"OfficerToken": []}]
        assert "401" in operation["responses"]
