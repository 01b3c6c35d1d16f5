"""Keeps LINE user ids out of the access log: they appear in some URL paths (the simulator's
chat, LINE's profile API). A user id is personal data."""

from __future__ import annotations

import logging
import re

LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")
HIDDEN = "U…"


class HideLineUserIds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(LINE_USER_ID.sub(HIDDEN, a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = LINE_USER_ID.sub(HIDDEN, record.msg)
        return True


def hide_line_user_ids_in_access_log() -> None:
    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideLineUserIds) for f in access_log.filters):
        access_log.addFilter(HideLineUserIds())
