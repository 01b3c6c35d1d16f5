"""Reading LINE webhook events into the LineEvent the conversation understands.

The SDK's models check each event; an event of a type we act on that fails the check is
malformed (the whole request is refused, nothing is signalled). Types we do not act on, events
from groups and rooms, and standby-mode events are acknowledged and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from domain.models import EventKind, LineEvent, Location

ACTED_ON = {
    "message": EventKind.MESSAGE, "postback": EventKind.POSTBACK, "follow": EventKind.FOLLOW,
    "unfollow": EventKind.UNFOLLOW,
}
MODEL_OF = {"message": MessageEvent, "postback": PostbackEvent, "follow": FollowEvent, "unfollow": UnfollowEvent}
KNOWN_MESSAGE_TYPES = frozenset({"text", "image", "video", "audio", "file", "location", "sticker"})


class MalformedEvent(ValueError):
    """Says what is wrong without repeating the event (it may hold personal data)."""


@dataclass(frozen=True)
class IgnoredEvent:
    event_type: str
    reason: str


def read_event(raw: Any, position: int) -> LineEvent | IgnoredEvent:
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise MalformedEvent(f"event {position} has no type")
    event_type = raw["type"]
    if event_type not in ACTED_ON:
        return IgnoredEvent(event_type, "event type not acted on")
    message = raw.get("message")
    newer_message_type = (
        event_type == "message" and isinstance(message, dict) and message.get("type") not in KNOWN_MESSAGE_TYPES
    )
    if newer_message_type and isinstance(message, dict):
        # A message type newer than the SDK: check the envelope, keep only the type and id.
        placeholder = {"type": "text", "id": str(message.get("id", "")), "quoteToken": "", "text": ""}
        raw = {**raw, "message": placeholder}
    try:
        event: Event = MODEL_OF[event_type].from_dict(raw)
    except (ValueError, TypeError, KeyError) as error:
        # The SDK raises pydantic v1 ValidationError (a ValueError), and KeyError for a nested object
        # (source, mentionee) without its "type".
        raise MalformedEvent(f"event {position} ({event_type}) lacks required fields or has wrong types") from error
    if event is None or not event.webhook_event_id:
        raise MalformedEvent(f"event {position} ({event_type}) lacks webhookEventId")
    if event.mode == "standby":
        return IgnoredEvent(event_type, "channel in standby mode: another bot answers")
    if not isinstance(event.source, UserSource) or not event.source.user_id:
        return IgnoredEvent(event_type, "not from a one-to-one chat with a user")
    try:
        line_event = _line_event(event, event_type, raw, position)
    except MalformedEvent:
        raise
    except (ValueError, OverflowError, OSError):  # a time before year 1 or after 9999, a place off the globe
        raise MalformedEvent(f"event {position} ({event_type}) has a timestamp or location out of range") from None
    if newer_message_type and isinstance(message, dict):
        line_event = line_event.model_copy(update={"message_type": str(message.get("type")), "text": None})
    return line_event


def _line_event(event: Event, event_type: str, raw: dict, position: int) -> LineEvent:
    fields: dict[str, Any] = {
        "event_id": event.webhook_event_id,
        "kind": ACTED_ON[event_type],
        "occurred_at": datetime.fromtimestamp(event.timestamp / 1000, tz=UTC),
        "user_id": event.source.user_id,
        "reply_token": getattr(event, "reply_token", None),
        "redelivery": bool(event.delivery_context and event.delivery_context.is_redelivery),
    }
    if isinstance(event, MessageEvent):
        content = event.message
        message_type = raw.get("message", {}).get("type")
        if content is None or not message_type:
            raise MalformedEvent(f"event {position} (message) has no message")
        fields["message_type"] = message_type
        fields["message_id"] = getattr(content, "id", None)
        if isinstance(content, TextMessageContent):
            fields["text"] = content.text
        elif isinstance(content, LocationMessageContent):
            fields["location"] = Location(
                latitude=content.latitude, longitude=content.longitude, title=content.title, address=content.address
            )
        elif message_type in ("text", "location"):
            raise MalformedEvent(f"event {position} ({message_type} message) lacks required fields")
    elif isinstance(event, PostbackEvent):
        fields["postback_data"] = event.postback.data if event.postback else None
    return LineEvent(**fields)
