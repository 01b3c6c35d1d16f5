"""LINE's documented limits on messages that the line-bot-sdk's models do not check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_MAX_TEXT = 5000
_MAX_ALT_TEXT = 1500
_MAX_QUICK_REPLY_ITEMS = 13
_MAX_QUICK_REPLY_LABEL = 20
_MAX_POSTBACK_DATA = 300
_MAX_DISPLAY_TEXT = 300


def message_problems(body: dict[str, Any]) -> Iterator[dict[str, str]]:
    """Every limit the body's messages break, as LINE details them."""
    for index, message in enumerate(body.get("messages") or []):
        where = f"messages[{index}]"
        if message.get("type") == "text" and len(message.get("text") or "") > _MAX_TEXT:
            yield {"message": f"Length must be between 0 and {_MAX_TEXT}", "property": f"{where}.text"}
        if message.get("type") == "text" and not (message.get("text") or "").strip():
            yield {"message": "May not be empty", "property": f"{where}.text"}
        if "altText" in message and len(message["altText"]) > _MAX_ALT_TEXT:
            yield {"message": f"Length must be between 0 and {_MAX_ALT_TEXT}", "property": f"{where}.altText"}
        items = (message.get("quickReply") or {}).get("items")
        if items is not None:
            if not 1 <= len(items) <= _MAX_QUICK_REPLY_ITEMS:
                yield {"message": f"Size must be between 1 and {_MAX_QUICK_REPLY_ITEMS}",
                       "property": f"{where}.quickReply.items"}
            for n, item in enumerate(items):
                label = (item.get("action") or {}).get("label") or ""
                if len(label) > _MAX_QUICK_REPLY_LABEL:
                    yield {"message": f"Length must be between 0 and {_MAX_QUICK_REPLY_LABEL}",
                           "property": f"{where}.quickReply.items[{n}].action.label"}
        for path, action in _actions(message, where):
            if len(action.get("data") or "") > _MAX_POSTBACK_DATA:
                yield {"message": f"Length must be between 0 and {_MAX_POSTBACK_DATA}", "property": f"{path}.data"}
            if len(action.get("displayText") or "") > _MAX_DISPLAY_TEXT:
                yield {"message": f"Length must be between 0 and {_MAX_DISPLAY_TEXT}",
                       "property": f"{path}.displayText"}


def _actions(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every action object anywhere inside a message, with where it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}"
            if key == "action" and isinstance(value, dict):
                yield child, value
            yield from _actions(value, child)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _actions(value, f"{path}[{index}]")
