"""The reporter's photos and files of a case (`case_attachments`), as the back office and the
officers' LINE links read them."""

from __future__ import annotations

import asyncpg


async def attachments_of(connection: asyncpg.Connection, case_no: str) -> list[asyncpg.Record]:
    """The case's files without their content, oldest first."""
    return await connection.fetch(
        "SELECT id, content_type, size, received_at FROM case_attachments WHERE case_no = $1 ORDER BY received_at",
        case_no,
    )


async def attachment_of_case(connection: asyncpg.Connection, attachment_id: int,
                             case_no: str) -> asyncpg.Record | None:
    """The file's type and content, when it is the case's."""
    return await connection.fetchrow(
        "SELECT content_type, content FROM case_attachments WHERE id = $1 AND case_no = $2",
        attachment_id, case_no,
    )


async def attachment(connection: asyncpg.Connection, attachment_id: int) -> asyncpg.Record | None:
    """The file's case, type and content."""
    return await connection.fetchrow(
        "SELECT case_no, content_type, content FROM case_attachments WHERE id = $1",
        attachment_id,
    )
