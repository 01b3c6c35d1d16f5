"""The webhook under generated input: whatever a correctly signed body holds — random JSON, events of
every shape, missing fields, wrong types, Thai text, huge strings — the parser says "malformed" or
reads it, and the webhook answers within LINE's contract: 200 when it took the events, 400 with a
reason when the body or an event is malformed, 413 when the body is over the webhook's 1 MB limit
(LINE's own bodies stay far below it), never a 5xx; a bad signature is 401 as before."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api.line_events import IgnoredEvent, MalformedEvent, read_event
from api.webhook import MAX_BODY_BYTES
from domain.models import LineEvent
from line_simulator import events as line
from tests.api.conftest import RunningApi

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

THAI_LETTERS = st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B)
THAI = st.text(THAI_LETTERS, max_size=40)
WORDS = st.one_of(st.text(max_size=40), THAI)
# LINE caps a text message at 5,000 characters; a huge string goes well past it.
HUGE = st.builds(lambda piece, times: piece * times,
                 st.text(min_size=1, max_size=8) | st.text(THAI_LETTERS, min_size=1, max_size=8),
                 st.integers(1_000, 20_000))
STRINGS = st.one_of(WORDS, WORDS, WORDS, HUGE)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | STRINGS,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(WORDS, inner, max_size=4),
                    max_leaves=12)

USER_IDS = st.one_of(st.text("0123456789abcdef", min_size=32, max_size=32).map(lambda hex_: "U" + hex_), STRINGS)
EVENT_IDS = st.one_of(st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=26, max_size=26), STRINGS)
# Milliseconds until 2100, or any integer at all (years before 1 and after 9999 included).
MILLISECONDS = st.one_of(st.integers(0, 4_102_444_800_000), st.integers(-2**70, 2**70))
# Anywhere on earth, anywhere off it, and what JSON parsers also accept: NaN and Infinity.
DEGREES = st.one_of(st.floats(-180, 180), st.floats(), st.integers(-1000, 1000))
REPLY_TOKENS = st.text(string.hexdigits, min_size=1, max_size=32)
MESSAGE_IDS = st.text("0123456789", min_size=1, max_size=19)
MENTIONEES = st.fixed_dictionaries({"index": st.integers(0, 100), "length": st.integers(1, 20)},
                                   optional={"type": st.sampled_from(["user", "all"]), "userId": USER_IDS})
POSTBACK_DATA = st.one_of(
    STRINGS,
    st.builds(lambda action, case, extra: f"action={action}&case={case}{extra}",
              st.sampled_from(["officer", "consent", "type", "report", "cancel", "confirm_location"]),
              st.text(string.printable, max_size=40), st.sampled_from(["", "&code=ACKNOWLEDGE", "&handoff=x-1"])),
)
MESSAGES = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("text"), "id": MESSAGE_IDS, "quoteToken": WORDS, "text": STRINGS},
        optional={"mention": st.fixed_dictionaries({"mentionees": st.lists(MENTIONEES, max_size=2)})},
    ),
    st.fixed_dictionaries({"type": st.just("location"), "id": MESSAGE_IDS, "latitude": DEGREES, "longitude": DEGREES},
                          optional={"title": STRINGS, "address": STRINGS}),
    st.fixed_dictionaries({"type": st.sampled_from(["image", "video", "audio", "file", "a-newer-type"]),
                           "id": MESSAGE_IDS, "contentProvider": st.just({"type": "line"})}),
    st.fixed_dictionaries({"type": st.just("sticker"), "id": MESSAGE_IDS, "quoteToken": WORDS,
                           "stickerResourceType": st.just("STATIC"), "packageId": WORDS, "stickerId": WORDS}),
)
SOURCES = st.one_of(
    st.fixed_dictionaries({"type": st.just("user"), "userId": USER_IDS}),
    st.fixed_dictionaries({"type": st.just("group"), "groupId": WORDS}, optional={"userId": USER_IDS}),
    st.fixed_dictionaries({"type": st.just("room"), "roomId": WORDS}, optional={"userId": USER_IDS}),
)


def event_of(kind: str | st.SearchStrategy[str], content: dict[str, st.SearchStrategy[Any]],
             reply_token: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """A well-formed event of this kind, as LINE sends it."""
    envelope = {"type": kind if isinstance(kind, st.SearchStrategy) else st.just(kind), "webhookEventId": EVENT_IDS,
                "timestamp": MILLISECONDS, "source": SOURCES, "mode": st.sampled_from(["active", "standby"]),
                "deliveryContext": st.fixed_dictionaries({"isRedelivery": st.booleans()})}
    optional = {"replyToken": REPLY_TOKENS} if reply_token and "replyToken" not in content else {}
    return st.fixed_dictionaries(envelope | content, optional=optional)


WELL_FORMED = st.one_of(
    event_of("message", {"message": MESSAGES}),
    event_of("postback", {"postback": st.fixed_dictionaries({"data": POSTBACK_DATA}, optional={"params": JSON})}),
    event_of("follow", {"follow": st.fixed_dictionaries({"isUnblocked": st.booleans()}),
                        "replyToken": REPLY_TOKENS}),
    event_of("unfollow", {}, reply_token=False),
    event_of(st.sampled_from(["join", "leave", "unsend", "memberJoined", "beacon", "accountLink", "videoPlayComplete"])
             | WORDS, {}),
)
FIELDS = ["type", "webhookEventId", "timestamp", "source", "mode", "deliveryContext", "replyToken", "message",
          "postback", "follow"]


def with_some_fields_wrong(event: dict[str, Any], wrong: dict[str, Any], missing: list[str]) -> dict[str, Any]:
    changed = {key: wrong.get(key, value) for key, value in event.items() if key not in missing}
    return changed | {key: value for key, value in wrong.items() if key not in event}


# Well-formed events, the same with fields dropped or given any JSON (a wrong type), and plain JSON.
LINE_EVENTS = st.one_of(
    WELL_FORMED,
    st.builds(with_some_fields_wrong, WELL_FORMED, st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=2),
              st.lists(st.sampled_from(FIELDS), max_size=2)),
    JSON,
)
BODIES = st.one_of(
    st.fixed_dictionaries({"destination": USER_IDS, "events": st.lists(LINE_EVENTS, max_size=3)}),
    st.fixed_dictionaries({}, optional={"destination": JSON, "events": JSON}),
    JSON,
)


def parser_verdict(raw_event: Any) -> LineEvent | IgnoredEvent | None:
    """What read_event makes of one event; None for malformed. Any other exception fails the test."""
    try:
        read = read_event(raw_event, 0)
    except MalformedEvent:
        return None
    assert isinstance(read, (LineEvent, IgnoredEvent))
    return read


def takes(body: Any) -> bool:
    """Whether the webhook should take this body: an `events` list of events the parser reads."""
    raw_events = body.get("events") if isinstance(body, dict) else None
    return isinstance(raw_events, list) and all(parser_verdict(raw) is not None for raw in raw_events)


def found(kind: str = "follow", **fields: Any) -> dict[str, Any]:
    """An event as the fuzzing once found it: well-formed but for `fields`."""
    event = {"type": kind, "webhookEventId": "01HZY3F8Q4X7K2M9N5P6R8S0TV", "timestamp": 1_767_225_600_000,
             "source": {"type": "user", "userId": "U" + "0" * 32}, "mode": "active",
             "deliveryContext": {"isRedelivery": False}, "replyToken": "0" * 32, "follow": {"isUnblocked": False}}
    return event | fields


@FUZZ
@given(raw_event=LINE_EVENTS)
@example(raw_event=found(timestamp=253_402_300_800_000))  # the year 10000
@example(raw_event=found(timestamp=-2**70))
@example(raw_event=found("message", message={"type": "location", "id": "1", "latitude": 13.7, "longitude": 181.0}))
@example(raw_event=found(source={"userId": "U" + "0" * 32}))  # a source without its type
@example(raw_event=found("message", message={"type": "text", "id": "1", "quoteToken": "q", "text": "@ทุกคน",
                                             "mention": {"mentionees": [{"index": 0, "length": 5}]}}))
def test_the_parser_reads_any_event_or_calls_it_malformed_and_nothing_else(raw_event: Any) -> None:
    read = parser_verdict(raw_event)
    if isinstance(read, LineEvent):
        assert read.event_id and read.user_id  # what the conversation and the de-duplication key on


@FUZZ
@given(body=BODIES)
# Generated Thai strings can add up past the limit, as one a full run once made did.
@example(body={"destination": "U" + "0" * 32, "events": [
    found("message", message={"type": "text", "id": "1", "quoteToken": "q", "text": "ช่วยด้วย" * 50_000})]})
async def test_a_signed_body_is_answered_200_400_or_413_never_a_server_error(api: RunningApi, body: Any) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    response = await api.http.post("/line/webhook", content=raw, headers={
        "content-type": "application/json", "x-line-signature": line.sign(raw, api.settings.line_channel_secret)})
    if len(raw) > MAX_BODY_BYTES:
        assert response.status_code == 413, response.text
        assert response.json()["detail"]
    elif takes(body):
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["received"] == len(body["events"]) and 0 <= answer["delivered"] <= answer["received"]
    else:
        assert response.status_code == 400, response.text
        assert response.json()["detail"]


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, tampering=st.binary(min_size=1, max_size=8))
async def test_a_body_signed_with_another_secret_is_401_whatever_it_holds(
        api: RunningApi, body: Any, tampering: bytes) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    forged = line.sign(raw, api.settings.line_channel_secret + tampering.hex())
    response = await api.http.post("/line/webhook", content=raw, headers={"x-line-signature": forged})
    assert response.status_code == 401
