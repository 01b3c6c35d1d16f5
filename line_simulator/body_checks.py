"""Request bodies checked as strictly as LINE checks them: the line-bot-sdk's own model first, then
the rules of LINE's that the model does not check."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from line_simulator.errors import LineError


class SdkModel(Protocol):
    """A request model of the line-bot-sdk: it parses a JSON body, or raises ValueError."""

    @classmethod
    def from_json(cls, json_str: str) -> Any: ...


# A rule: every problem it finds in a body, as LINE details them ({"message": ..., "property": ...}).
Rules = Callable[[dict[str, Any]], Iterable[dict[str, str]]]


def validated(model: type[SdkModel], raw: bytes, rules: Rules) -> dict[str, Any]:
    """The body as a dict after the SDK's model and then `rules` accept it; LineError(400) if not."""
    try:
        body = json.loads(raw)
        model.from_json(raw.decode())
    except ValueError as error:  # includes json errors and pydantic v1 ValidationError
        raise LineError(400, "The request body has 1 error(s)", _details(error)) from None
    problems = list(rules(body))
    if problems:
        raise LineError(400, f"The request body has {len(problems)} error(s)", problems)
    return body


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or None when it is empty or not JSON (for the record of requests)."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _details(error: ValueError) -> list[dict[str, str]]:
    errors = getattr(error, "errors", None)
    if callable(errors):
        return [{"message": e["msg"], "property": ".".join(str(p) for p in e["loc"])} for e in errors()]
    return [{"message": str(error).splitlines()[0][:200]}]
