"""The Temporal UI's remote codec: operators read encrypted histories in the UI through the API.

Temporal's codec-server protocol: POST {endpoint}/decode and {endpoint}/encode with a `Payloads`
message as protobuf JSON ({"payloads": [{"metadata": {"encoding": <base64>}, "data": <base64>}]}),
the namespace in the X-Namespace header; the answer is the converted `Payloads` in the same form.

Only a signed-in back-office administrator (national or province) may use it: the browser sends
the back office's session cookie when the UI's codec settings include cross-origin credentials.
A national administrator reads every payload. A province administrator reads only the payloads of
their province's cases: those whose workflow id (recorded on the payload and authenticated with
it, orchestration.encryption) is a case's or a hand-off's of a case in their province. Every other
encrypted payload (another province's, a conversation's, retention's, or one naming no workflow)
goes back still encrypted, and the UI shows it so. Every decode is audited (who, which namespace,
how many payloads, how many decrypted and how many withheld; never what they hold). CORS answers
only the Temporal UI's origins, and only on these routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

import asyncpg
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from api.back_office.sessions import SESSION_COOKIE
from configuration.settings import Settings
from database import audit, cases
from database.sessions import current_session
from domain.accounts import Account
from orchestration.encryption import EncryptionCodec, PayloadDecryptionError, is_encrypted, workflow_id_of
from orchestration.ids import case_no_of_workflow_id

CODEC_PREFIX = "/codec"
DECODED = "TEMPORAL_PAYLOADS_DECODED"
CODEC_REFUSED = "TEMPORAL_CODEC_REFUSED"
# A history event's payloads are limited to a few MB by Temporal; anything far larger is not a UI's.
MAX_BODY_BYTES = 16 * 1024 * 1024
ALLOWED_HEADERS = "Content-Type, X-Namespace"
PREFLIGHT_MAX_AGE = "600"

SIGN_IN_FIRST = "กรุณาเข้าสู่ระบบหลังบ้านก่อน — sign in to the back office first"
ADMINISTRATORS_ONLY = "เฉพาะผู้ดูแลระบบเท่านั้น — only administrators may read Temporal histories"
JSON_ONLY = "ต้องส่งเป็น application/json — send application/json"
TOO_LARGE = "ข้อมูลมีขนาดใหญ่เกินไป — too large"
NOT_PAYLOADS = "ข้อมูลไม่ใช่ Payloads ในรูปแบบ JSON — the body is not Payloads as protobuf JSON"

Conversion = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]


def origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


def codec_cors_origins(settings: Settings) -> frozenset[str]:
    """ESS_CODEC_CORS_ORIGINS, or else the origin of the Temporal UI (ESS_TEMPORAL_UI_URL)."""
    configured = [origin_of(origin) for origin in settings.codec_cors_origins.split(",") if origin.strip()]
    return frozenset(configured or [origin_of(settings.temporal_ui_url)])


def codec_router(settings: Settings) -> APIRouter:
    codec = EncryptionCodec.from_setting(settings.payload_keys)
    origins = codec_cors_origins(settings)
    router = APIRouter(prefix=CODEC_PREFIX, include_in_schema=False)

    def with_cors(request: Request, response: Response) -> Response:
        origin = request.headers.get("origin", "")
        if origin.lower() in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
        response.headers["Cache-Control"] = "no-store"  # decoded payloads hold personal data
        return response

    async def preflight(request: Request) -> Response:
        if request.headers.get("origin", "").lower() not in origins:
            return Response(status_code=403, headers={"Vary": "Origin"})
        response = Response(status_code=204, headers={
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        })
        return with_cors(request, response)

    async def convert(request: Request, decoding: bool) -> Response:
        def problem(status: int, detail: str) -> Response:
            return with_cors(request, JSONResponse({"detail": detail}, status_code=status))

        namespace = request.headers.get("x-namespace", "")[:100]
        async with request.app.state.pool.acquire() as connection:
            account = await _signed_in_account(request, connection)
            if account is None:
                return problem(401, SIGN_IN_FIRST)
            if not account.decodes_temporal_payloads:
                await audit.record(connection, CODEC_REFUSED, account=account, namespace=namespace)
                return problem(403, ADMINISTRATORS_ONLY)
            # JSON only: a cross-origin page cannot send it without a preflight, which CORS refuses.
            if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
                return problem(415, JSON_ONLY)
            body = await request.body()
            if len(body) > MAX_BODY_BYTES:
                return problem(413, TOO_LARGE)
            try:
                payloads = json_format.Parse(body, Payloads(), ignore_unknown_fields=True).payloads
            except (json_format.ParseError, UnicodeDecodeError):
                return problem(400, NOT_PAYLOADS)
            readable = await _readable_by(connection, account, payloads) if decoding else []
            if decoding:  # before decrypting: an attempt that fails is on record too
                encrypted = [is_encrypted(payload) for payload in payloads]
                await audit.record(
                    connection, DECODED, account=account, namespace=namespace, payloads=len(payloads),
                    decoded=sum(ok and sealed for ok, sealed in zip(readable, encrypted, strict=True)),
                    withheld=sum(sealed and not ok for ok, sealed in zip(readable, encrypted, strict=True)),
                )
        try:
            if decoding:
                converted = await _decode_readable(codec.decode, payloads, readable)
            else:
                converted = await codec.encode(payloads)
        except PayloadDecryptionError as refusal:  # names a key id, never content
            return problem(400, str(refusal))
        answer = json_format.MessageToJson(Payloads(payloads=converted), indent=None)
        return with_cors(request, Response(answer, media_type="application/json"))

    async def decode(request: Request) -> Response:
        return await convert(request, decoding=True)

    async def encode(request: Request) -> Response:
        return await convert(request, decoding=False)

    router.add_api_route("/decode", decode, methods=["POST"])
    router.add_api_route("/encode", encode, methods=["POST"])
    router.add_api_route("/decode", preflight, methods=["OPTIONS"])
    router.add_api_route("/encode", preflight, methods=["OPTIONS"])
    return router


async def _signed_in_account(request: Request, connection: asyncpg.Connection) -> Account | None:
    """The back office's session, from its cookie (the same session the back-office pages use)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = await current_session(connection, token)
    return session.account if session else None


async def _readable_by(connection: asyncpg.Connection, account: Account, payloads: Sequence[Payload]) -> list[bool]:
    """Which payloads this administrator may read: all for a national one; for a province's, the
    payloads of its cases' workflows, found with one query, and those never encrypted."""
    scope = account.scope
    if scope.is_national:
        return [True] * len(payloads)
    case_nos = [_case_no_of(payload) for payload in payloads]
    own: set[str] = set()
    asked = sorted({case_no for case_no in case_nos if case_no is not None})
    if asked and not scope.nothing and scope.province_code is not None:
        own = await cases.case_numbers_in_province(connection, asked, scope.province_code)
    return [not is_encrypted(payload) or case_no in own for payload, case_no in zip(payloads, case_nos, strict=True)]


def _case_no_of(payload: Payload) -> str | None:
    workflow_id = workflow_id_of(payload) if is_encrypted(payload) else None
    case_no = case_no_of_workflow_id(workflow_id) if workflow_id else None
    # Whatever a request claims must not break the query: PostgreSQL text holds no NUL.
    return case_no if case_no and "\0" not in case_no else None


async def _decode_readable(decode: Conversion, payloads: Sequence[Payload], readable: list[bool]) -> list[Payload]:
    """The readable payloads decoded, the others as they came, in the order they came."""
    opened = iter(await decode([payload for payload, ok in zip(payloads, readable, strict=True) if ok]))
    return [next(opened) if ok else payload for payload, ok in zip(payloads, readable, strict=True)]
