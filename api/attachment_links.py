"""GET /line/attachments/{id}: a reporter's photo for the image message an officer's LINE chat shows
(domain.attachment_links). The signed link is the permission; each fetch is in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from database import audit, case_attachments
from domain.attachment_links import PATH, link_is_valid

router = APIRouter(include_in_schema=False)
GONE = "ลิงก์หมดอายุหรือไม่ถูกต้อง — the link has expired or is not valid"


@router.get(PATH + "/{attachment_id}")
async def attachment_for_line(request: Request, attachment_id: int, expires: int = Query(..., ge=0, lt=2**40),
                              signature: str = Query(..., max_length=64)) -> Response:
    secret = request.app.state.settings.pseudonym_key
    if not link_is_valid(attachment_id, expires, signature, datetime.now(UTC), secret):
        raise HTTPException(404, GONE)
    async with request.app.state.pool.acquire() as connection:
        row = await case_attachments.attachment(connection, attachment_id)
        if row is None:
            raise HTTPException(404, GONE)
        await audit.record(connection, "ATTACHMENT_VIEWED", case_no=row["case_no"], via="line_link",
                           attachment_id=attachment_id)
    return Response(row["content"], media_type=row["content_type"] or "application/octet-stream",
                    headers={"Cache-Control": "private, max-age=3600"})
