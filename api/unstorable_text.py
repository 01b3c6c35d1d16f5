"""Text PostgreSQL cannot store (a NUL character) is the sender's mistake: 400 with the reason, not a 500.

Checked where PostgreSQL refuses it, so every filter and form is covered, and the transaction it
came in has been rolled back: nothing of the request is written."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

REASON = "ข้อความมีอักขระ NUL ซึ่งใช้ไม่ได้ — the text contains a NUL character, which is not accepted"


def mount_unstorable_text_refusal(app: FastAPI) -> None:
    async def refuse(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": REASON}, status_code=400)

    app.add_exception_handler(asyncpg.CharacterNotInRepertoireError, refuse)
    app.add_exception_handler(asyncpg.UntranslatableCharacterError, refuse)
