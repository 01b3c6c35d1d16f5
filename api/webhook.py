"""POST /line/webhook: check LINE's signature on the raw body, hand events to Temporal, answer fast."""

from __future__ import annotations

import json
import logging

import asyncpg
from fastapi import APIRouter, Header, HTTPException, Request
from temporalio.service import RPCError

from api.line_events import IgnoredEvent, MalformedEvent, read_event
from api.line_signature import signed_by_line
from api.metrics import count_webhook_duplicate, count_webhook_events, measured_webhook

log = logging.getLogger(__name__)
router = APIRouter(tags=["LINE"])

# LINE's webhook bodies are kilobytes; anything past this is refused before it fills the memory.
MAX_BODY_BYTES = 1024 * 1024
TOO_LARGE = f"body over {MAX_BODY_BYTES} bytes"


def refuse_declared_too_large(request: Request) -> None:
    """413 from Content-Length alone, before a byte of the body is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, TOO_LARGE)


async def read_body_within_limit(request: Request) -> bytes:
    """The raw body, cut off with 413 as soon as it passes the limit (a chunked body declares no length)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, TOO_LARGE)
    return bytes(body)


@router.post("/line/webhook", summary="LINE Messaging API webhook")
@measured_webhook
async def receive_line_webhook(
    request: Request, x_line_signature: str | None = Header(default=None)
) -> dict[str, int]:
    refuse_declared_too_large(request)
    if not x_line_signature:
        raise HTTPException(400, "missing X-Line-Signature header")
    body = await read_body_within_limit(request)
    # The bytes LINE signed, checked before anything decodes them.
    if not signed_by_line(body, x_line_signature, request.app.state.settings.line_channel_secret):
        raise HTTPException(401, "invalid X-Line-Signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "body is not UTF-8") from None
    try:
        payload = json.loads(text)
        raw_events = payload["events"]
        if not isinstance(raw_events, list):
            raise TypeError
    except RecursionError:  # nested deeper than the parser goes: no LINE payload is
        raise HTTPException(400, "body is nested too deeply to be a LINE webhook payload") from None
    except (ValueError, KeyError, TypeError):
        raise HTTPException(400, "body is not a LINE webhook payload (needs an 'events' list)") from None
    try:
        events = [read_event(raw, position) for position, raw in enumerate(raw_events)]
    except MalformedEvent as error:
        raise HTTPException(400, str(error)) from None
    count_webhook_events(raw_events)

    delivered = 0
    for event in events:  # in order: one user's events must reach the conversation in sequence
        if isinstance(event, IgnoredEvent):
            log.info("ignored a LINE %s event: %s", event.event_type, event.reason)
            continue
        try:
            handed_on = await request.app.state.conversations.deliver(event)
        except RPCError:
            log.exception("Temporal unreachable; LINE will redeliver")
            raise HTTPException(503, "temporarily unable to accept events") from None
        except (OSError, asyncpg.PostgresError) as error:  # answering an ended case's tap reads PostgreSQL
            log.warning("PostgreSQL unreachable (%s); LINE will redeliver", type(error).__name__)
            raise HTTPException(503, "temporarily unable to accept events") from None
        delivered += handed_on
        if not handed_on:
            count_webhook_duplicate()
    return {"received": len(raw_events), "delivered": delivered}
