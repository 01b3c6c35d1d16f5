"""POST /line/webhook: check LINE's signature on the raw body, hand events to Temporal, answer fast."""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Header, HTTPException, Request
from linebot.v3.webhook import SignatureValidator
from temporalio.service import RPCError

from api.line_events import IgnoredEvent, MalformedEvent, read_event
from api.metrics import count_webhook_duplicate, count_webhook_events, measured_webhook

log = logging.getLogger(__name__)
router = APIRouter(tags=["LINE"])


@router.post("/line/webhook", summary="LINE Messaging API webhook")
@measured_webhook
async def receive_line_webhook(
    request: Request, x_line_signature: str | None = Header(default=None)
) -> dict[str, int]:
    body = await request.body()
    if not x_line_signature:
        raise HTTPException(400, "missing X-Line-Signature header")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "body is not UTF-8") from None
    # Verify the bytes LINE signed; re-serialised JSON would differ (Thai text) and fail.
    if not SignatureValidator(request.app.state.settings.line_channel_secret).validate(text, x_line_signature):
        raise HTTPException(401, "invalid X-Line-Signature")
    try:
        payload = json.loads(text)
        raw_events = payload["events"]
        if not isinstance(raw_events, list):
            raise TypeError
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
        delivered += handed_on
        if not handed_on:
            count_webhook_duplicate()
    return {"received": len(raw_events), "delivered": delivered}
