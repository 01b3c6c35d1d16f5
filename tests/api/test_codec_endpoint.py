"""The Temporal UI's remote codec on the API: administrators signed in to the back office read
encrypted histories in the UI (a province's administrators only their province's cases); nobody
else does, every decode is audited, and only the UI's origin may call it from a browser."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from playwright.async_api import Page
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import WorkflowSerializationContext
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.codec_endpoint import CODEC_REFUSED, DECODED, codec_cors_origins, codec_router
from configuration.settings import Settings
from database.accounts import create_account
from devstack.binaries import temporal_cli
from domain.accounts import AccountRole
from domain.models import PhoneNumber
from orchestration.client import data_converter
from orchestration.encryption import WORKFLOW_ID, EncryptionCodec
from orchestration.ids import case_workflow_id, handoff_workflow_id, intake_workflow_id
from tests.api.back_office.conftest import PASSWORD, Person, sign_in
from tests.fake_line import serve
from tests.ports import unused_ports

UI_ORIGIN = "http://localhost:8233"  # the origin of the default ESS_TEMPORAL_UI_URL
PHONE = PhoneNumber(valid=True, e164="+66812345678", national="081-234-5678")


@dataclass
class CodecApi:
    base_url: str
    settings: Settings
    pool: asyncpg.Pool
    codec: EncryptionCodec  # the worker's codec: what Temporal stores was sealed with it


@pytest.fixture
async def codec_api(dev_server: WorkflowEnvironment, database_url: str, pool: asyncpg.Pool,
                    line_settings: Settings) -> AsyncIterator[CodecApi]:
    """The real application with the codec routes mounted as app.py mounts them."""
    settings = line_settings.model_copy(update={
        "database_url": database_url,
        "temporal_address": dev_server.client.service_client.config.target_host,
    })
    app = create_app(settings)
    app.include_router(codec_router(settings))
    async with serve(app, lifespan="on") as base_url:
        yield CodecApi(base_url, settings, pool, EncryptionCodec.from_setting(settings.payload_keys))


@pytest.fixture
async def http(codec_api: CodecApi) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=codec_api.base_url) as client:
        yield client


async def account(pool: asyncpg.Pool, role: AccountRole) -> Person:
    """An account of this role; a station officer's at some station, an administrator's of its province."""
    username = f"codec-{uuid.uuid4().hex[:10]}"
    station = await pool.fetchrow(FIRST_STATION)
    async with pool.acquire() as connection:
        await create_account(
            connection, username=username, display_name="ทดสอบ", password=PASSWORD, role=role,
            province_code=None if role == AccountRole.SUPERADMIN else station["province_code"],
            station_code=station["code"] if role == AccountRole.STATION_OFFICER else None,
        )
    return Person(username, role)


FIRST_STATION = "SELECT code, province_code FROM stations ORDER BY id LIMIT 1"


async def the_administrators_province(pool: asyncpg.Pool) -> str:
    return (await pool.fetchrow(FIRST_STATION))["province_code"]


async def another_province(pool: asyncpg.Pool) -> str:
    return await pool.fetchval("SELECT code FROM provinces WHERE code <> $1 ORDER BY code LIMIT 1",
                               await the_administrators_province(pool))


async def a_case_in(pool: asyncpg.Pool, province_code: str) -> str:
    case_no = f"ESS-C{uuid.uuid4().hex[:10].upper()}"
    await pool.execute(
        "INSERT INTO cases (case_no, conversation_id, reporter_key, line_user_id, complete, latitude, longitude, "
        "province_code, reported_at) VALUES ($1, $2, $3, $4, true, 13.75, 100.5, $5, now())",
        case_no, f"conversation-{case_no}", f"reporter-{case_no}", f"U{uuid.uuid4().hex}", province_code,
    )
    return case_no


def sealed_for(codec: EncryptionCodec, workflow_id: str) -> EncryptionCodec:
    """The codec as the worker and the API's client use it for this workflow's payloads."""
    return codec.with_context(WorkflowSerializationContext(namespace="default", workflow_id=workflow_id))


async def signed_in(http: httpx.AsyncClient, pool: asyncpg.Pool, role: AccountRole) -> Person:
    person = await account(pool, role)
    assert (await sign_in(http, person)).status_code == 303
    return person


def as_the_ui_sends(payloads: list[Payload]) -> dict:
    """Payloads as protobuf JSON, built by hand: metadata values and data in base64."""
    return {"payloads": [
        {"metadata": {key: base64.b64encode(value).decode() for key, value in payload.metadata.items()},
         "data": base64.b64encode(payload.data).decode()}
        for payload in payloads
    ]}


def from_the_answer(body: dict) -> list[Payload]:
    return [Payload(metadata={key: base64.b64decode(value) for key, value in item.get("metadata", {}).items()},
                    data=base64.b64decode(item.get("data", "")))
            for item in body["payloads"]]


def a_payload(value: object) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([value])[0]


async def decode(http: httpx.AsyncClient, payloads: list[Payload], **headers: str) -> httpx.Response:
    return await http.post("/codec/decode", json=as_the_ui_sends(payloads),
                              headers={"X-Namespace": "default", "Origin": UI_ORIGIN, **headers})


async def audit_of(pool: asyncpg.Pool, person: Person) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT l.action, l.details FROM audit_log l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.username = $1 AND l.action LIKE 'TEMPORAL_%' ORDER BY l.id", person.username)


# --- Who may decode --------------------------------------------------------------------------------


async def test_without_a_session_nothing_is_decoded(codec_api: CodecApi, http: httpx.AsyncClient) -> None:
    sealed = await codec_api.codec.encode([a_payload(PHONE)])
    response = await decode(http, sealed)
    assert response.status_code == 401
    assert "812345678" not in response.text
    assert response.headers["access-control-allow-origin"] == UI_ORIGIN  # the UI can tell why


async def test_a_station_officer_is_refused_and_the_attempt_is_audited(
    codec_api: CodecApi, http: httpx.AsyncClient,
) -> None:
    officer = await signed_in(http, codec_api.pool, AccountRole.STATION_OFFICER)
    response = await decode(http, await codec_api.codec.encode([a_payload(PHONE)]))
    assert response.status_code == 403
    assert "812345678" not in response.text
    [entry] = await audit_of(codec_api.pool, officer)
    assert entry["action"] == CODEC_REFUSED


@pytest.mark.parametrize("role", [AccountRole.PROVINCE_ADMIN, AccountRole.SUPERADMIN])
async def test_an_administrator_reads_what_the_worker_encrypted_and_the_decode_is_audited(
    codec_api: CodecApi, http: httpx.AsyncClient, role: AccountRole,
) -> None:
    admin = await signed_in(http, codec_api.pool, role)
    case_no = await a_case_in(codec_api.pool, await the_administrators_province(codec_api.pool))
    recorded_in_clear = a_payload("before encryption")  # histories from before encryption pass through
    sealed = await sealed_for(codec_api.codec, case_workflow_id(case_no)).encode(
        [a_payload(PHONE), a_payload({"message": "ช่วยด้วย"})])

    response = await decode(http, [*sealed, recorded_in_clear], **{"X-Namespace": "ess-production"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    phone, message, plain = from_the_answer(response.json())
    assert phone.metadata["encoding"] == b"json/plain"
    assert PhoneNumber.model_validate_json(phone.data) == PHONE
    assert json.loads(message.data) == {"message": "ช่วยด้วย"}
    assert plain == recorded_in_clear

    [entry] = await audit_of(codec_api.pool, admin)
    assert entry["action"] == DECODED
    assert entry["details"] == {"namespace": "ess-production", "payloads": 3, "decoded": 2, "withheld": 0}


# --- Whose payloads ---------------------------------------------------------------------------------


async def payloads_of_every_kind(codec_api: CodecApi) -> dict[str, Payload]:
    """One payload with a phone number from each kind of workflow history the UI may show."""
    pool, codec = codec_api.pool, codec_api.codec
    own_case = await a_case_in(pool, await the_administrators_province(pool))
    other_case = await a_case_in(pool, await another_province(pool))
    workflows = {
        "own case": case_workflow_id(own_case),
        "own case's hand-off": handoff_workflow_id(f"{own_case}-1"),
        "another province's case": case_workflow_id(other_case),
        "another province's hand-off": handoff_workflow_id(f"{other_case}-2"),
        "a conversation": intake_workflow_id("0123456789abcdef01234567"),
        "retention": "ess-retention-2026-03-01T19:30:00Z",
        "a case that is not in the database": case_workflow_id("ESS-2569-999999"),
    }
    payloads = {kind: (await sealed_for(codec, workflow_id).encode([a_payload(PHONE)]))[0]
                for kind, workflow_id in workflows.items()}
    [payloads["no workflow id"]] = await codec.encode([a_payload(PHONE)])
    payloads["recorded in clear"] = a_payload(PHONE)
    return payloads


def readable(payload: Payload) -> bool:
    return payload.metadata["encoding"] == b"json/plain" and PhoneNumber.model_validate_json(payload.data) == PHONE


async def test_a_province_administrator_reads_their_provinces_cases_and_gets_the_rest_back_encrypted(
    codec_api: CodecApi, http: httpx.AsyncClient,
) -> None:
    admin = await signed_in(http, codec_api.pool, AccountRole.PROVINCE_ADMIN)
    payloads = await payloads_of_every_kind(codec_api)

    response = await decode(http, list(payloads.values()))

    assert response.status_code == 200
    answered = dict(zip(payloads, from_the_answer(response.json()), strict=True))
    assert {kind for kind, payload in answered.items() if readable(payload)} == {
        "own case", "own case's hand-off", "recorded in clear"}
    for kind in payloads.keys() - {"own case", "own case's hand-off"}:
        assert answered[kind] == payloads[kind], f"{kind}: returned exactly as it came"
    [entry] = await audit_of(codec_api.pool, admin)
    assert entry["details"] == {"namespace": "default", "payloads": 9, "decoded": 2, "withheld": 6}


async def test_a_national_administrator_reads_every_province_and_every_workflow(
    codec_api: CodecApi, http: httpx.AsyncClient,
) -> None:
    admin = await signed_in(http, codec_api.pool, AccountRole.SUPERADMIN)
    payloads = await payloads_of_every_kind(codec_api)

    response = await decode(http, list(payloads.values()))

    assert response.status_code == 200
    assert all(readable(payload) for payload in from_the_answer(response.json()))
    [entry] = await audit_of(codec_api.pool, admin)
    assert entry["details"] == {"namespace": "default", "payloads": 9, "decoded": 8, "withheld": 0}


async def test_another_provinces_payload_relabelled_with_an_own_case_is_not_decoded(
    codec_api: CodecApi, http: httpx.AsyncClient,
) -> None:
    await signed_in(http, codec_api.pool, AccountRole.PROVINCE_ADMIN)
    payloads = await payloads_of_every_kind(codec_api)
    relabelled = Payload()
    relabelled.CopyFrom(payloads["another province's case"])
    relabelled.metadata[WORKFLOW_ID] = payloads["own case"].metadata[WORKFLOW_ID]

    response = await decode(http, [relabelled])

    assert response.status_code == 400
    assert "authentication" in response.json()["detail"]
    assert "812345678" not in response.text


@pytest.mark.parametrize("workflow_id", [b"case-ESS-2569-000001\x00", b"case-\xff\xfe", b"handoff-ESS-2569-000001-x",
                                         b"case-", b"case-" + b"9" * 5000])
async def test_a_workflow_id_that_names_no_case_is_withheld_and_never_an_error(
    codec_api: CodecApi, http: httpx.AsyncClient, workflow_id: bytes,
) -> None:
    await signed_in(http, codec_api.pool, AccountRole.PROVINCE_ADMIN)
    [sealed] = await codec_api.codec.encode([a_payload(PHONE)])
    sealed.metadata[WORKFLOW_ID] = workflow_id  # as a request may claim; never decrypted, so never checked

    response = await decode(http, [sealed])

    assert response.status_code == 200
    assert from_the_answer(response.json()) == [sealed]


async def test_the_ui_can_encode_what_the_worker_then_reads(codec_api: CodecApi, http: httpx.AsyncClient) -> None:
    await signed_in(http, codec_api.pool, AccountRole.SUPERADMIN)
    response = await http.post("/codec/encode", json=as_the_ui_sends([a_payload(PHONE)]),
                                  headers={"X-Namespace": "default"})
    assert response.status_code == 200
    [sealed] = from_the_answer(response.json())
    assert sealed.metadata["encoding"] == b"binary/encrypted"
    assert b"812345678" not in sealed.data
    [opened] = await codec_api.codec.decode([sealed])
    assert PhoneNumber.model_validate_json(opened.data) == PHONE


async def test_a_tampered_or_malformed_body_is_a_bad_request(codec_api: CodecApi, http: httpx.AsyncClient) -> None:
    await signed_in(http, codec_api.pool, AccountRole.SUPERADMIN)
    [sealed] = await codec_api.codec.encode([a_payload(PHONE)])
    sealed.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    tampered = await decode(http, [sealed])
    assert tampered.status_code == 400
    assert repr(codec_api.codec.encrypting_key_id) in tampered.json()["detail"]  # which key failed, no content

    assert (await http.post("/codec/decode", content=b"{not json",
                               headers={"Content-Type": "application/json"})).status_code == 400
    assert (await http.post("/codec/decode", json={"payloads": "nope"})).status_code == 400
    # A form or plain text needs no CORS preflight from a browser, so it is never decoded.
    as_text = await http.post("/codec/decode", content=json.dumps(as_the_ui_sends([sealed])),
                                 headers={"Content-Type": "text/plain"})
    assert as_text.status_code == 415


# --- CORS ------------------------------------------------------------------------------------------


def preflight_headers(origin: str) -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-namespace"}


async def test_the_temporal_uis_preflight_is_answered_with_credentials_allowed(
    codec_api: CodecApi, http: httpx.AsyncClient,
) -> None:
    for operation in ("decode", "encode"):
        response = await http.options(f"/codec/{operation}", headers=preflight_headers(UI_ORIGIN))
        assert response.status_code in (200, 204)
        assert response.headers["access-control-allow-origin"] == UI_ORIGIN
        assert response.headers["access-control-allow-credentials"] == "true"
        assert "POST" in response.headers["access-control-allow-methods"]
        allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
        assert {"content-type", "x-namespace"} <= allowed


async def test_another_origin_gets_no_cors_permission(codec_api: CodecApi, http: httpx.AsyncClient) -> None:
    elsewhere = "https://attacker.example"
    response = await http.options("/codec/decode", headers=preflight_headers(elsewhere))
    assert "access-control-allow-origin" not in response.headers
    await signed_in(http, codec_api.pool, AccountRole.SUPERADMIN)
    answer = await decode(http, [a_payload("x")], Origin=elsewhere)
    assert "access-control-allow-origin" not in answer.headers


async def test_cors_is_granted_on_the_codec_routes_only(codec_api: CodecApi, http: httpx.AsyncClient) -> None:
    response = await http.options("/api/cases", headers=preflight_headers(UI_ORIGIN))
    assert "access-control-allow-origin" not in response.headers
    response = await http.get("/health", headers={"Origin": UI_ORIGIN})
    assert "access-control-allow-origin" not in response.headers


def test_the_allowed_origins_are_the_setting_or_else_the_temporal_uis() -> None:
    assert codec_cors_origins(Settings(ESS_TEMPORAL_UI_URL="https://temporal.example.org/ui/")) == {
        "https://temporal.example.org"}
    configured = Settings(ESS_CODEC_CORS_ORIGINS=" https://a.example.org/ ,https://B.example.org:8443")
    assert codec_cors_origins(configured) == {"https://a.example.org", "https://b.example.org:8443"}


# --- In the Temporal UI itself ---------------------------------------------------------------------


def a_free_port() -> int:
    [port] = unused_ports(1)
    return port


async def test_an_administrator_signed_in_to_the_back_office_reads_a_history_in_the_temporal_ui(
    page: Page, database_url: str, pool: asyncpg.Pool, line_settings: Settings,
) -> None:
    """The real Temporal UI with the codec endpoint and cross-origin credentials set in its own
    codec settings (kept in the browser): an operator's override of the UI server's settings.
    (As `make run` serves it, nothing needs setting: tests/devstack/test_temporal_ui.py.)"""
    ui_port = a_free_port()
    temporal = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()), ui=True, ui_port=ui_port,
        data_converter=data_converter(line_settings), dev_server_extra_args=["--ui-disable-news-fetch"],
    )
    settings = line_settings.model_copy(update={
        "database_url": database_url, "temporal_address": temporal.client.service_client.config.target_host,
        "temporal_ui_url": f"http://localhost:{ui_port}",
    })
    app = create_app(settings)
    app.include_router(codec_router(settings))
    try:
        # A case of the administrator's province: that is whose histories a province's administrator reads.
        workflow_id = case_workflow_id(await a_case_in(pool, await the_administrators_province(pool)))
        # No worker: the started event's input is enough, sealed by the client's codec.
        await temporal.client.start_workflow("CaseWorkflow", PHONE, id=workflow_id,
                                             task_queue=f"idle-{workflow_id}")
        async with serve(app, lifespan="on") as base_url:
            api = base_url.replace("127.0.0.1", "localhost")  # the UI's site: the session cookie goes along
            await page.context.add_init_script(f"""
                if (location.port === "{ui_port}") {{
                    localStorage.setItem("endpoint", JSON.stringify("{api}/codec"));
                    localStorage.setItem("includeCredentials", "true");
                    localStorage.setItem("overrideRemoteCodecConfiguration", "true");
                }}""")
            history_page = f"http://localhost:{ui_port}/namespaces/default/workflows/{workflow_id}"

            async with page.expect_response(lambda r: "/codec/decode" in r.url and r.request.method == "POST") as asked:
                await page.goto(history_page)
            assert (await asked.value).status == 401  # not signed in to the back office yet
            # The UI says so and shows the input sealed.
            await page.locator("text=Codec Server could not connect >> visible=true").first.wait_for()
            assert await page.get_by_text("+66812345678").count() == 0

            admin = await account(pool, AccountRole.PROVINCE_ADMIN)
            await page.goto(f"{api}/office/sign-in")
            await page.fill("input[name=username]", admin.username)
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url("**/office/**")

            await page.goto(history_page)
            await page.get_by_text("+66812345678").first.wait_for()
            assert [entry["action"] for entry in await audit_of(pool, admin)] == [DECODED]
    finally:
        await temporal.shutdown()
