"""The dead-letter table of reports the conversation could not record (`unrecorded_reports`):
keeping one, listing them for an operator, reading one back to replay it, and marking it replayed.

What a listing shows is what an operator needs to decide: id, when, why (the failure's type), the
incident type and the province; the reporter's phone, LINE id and pin stay in the row until it is
replayed. Once replayed the case holds them (under the case's retention), and the row keeps only the
incident type and the province."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.unrecorded_reports import UnrecordedReport


async def keep(connection: asyncpg.Connection, unrecorded: UnrecordedReport) -> tuple[int, bool]:
    """(its id, whether this call kept it): a retry of the same conversation's report keeps nothing twice."""
    kept_id: int | None = await connection.fetchval(
        "INSERT INTO unrecorded_reports (conversation_id, reason, report) VALUES ($1, $2, $3) "
        "ON CONFLICT (conversation_id) DO NOTHING RETURNING id",
        unrecorded.conversation_id, unrecorded.reason, unrecorded.model_dump(mode="json"),
    )
    if kept_id is not None:
        return kept_id, True
    existing: int = await connection.fetchval(
        "SELECT id FROM unrecorded_reports WHERE conversation_id = $1", unrecorded.conversation_id)
    return existing, False


async def listing(connection: asyncpg.Connection, *, include_replayed: bool = False) -> list[asyncpg.Record]:
    """Oldest first: id, kept_at, reason, incident type code, province code and English name,
    replayed_at, case_no. Waiting ones only, unless include_replayed."""
    return await connection.fetch(
        f"""
        SELECT u.id, u.kept_at, u.reason, u.report -> 'report' -> 'incident_type' ->> 'code' AS incident_type,
               u.report -> 'report' -> 'place' ->> 'province_code' AS province_code, p.name_en AS province_en,
               u.replayed_at, u.case_no
        FROM unrecorded_reports AS u
        LEFT JOIN provinces AS p ON p.code = u.report -> 'report' -> 'place' ->> 'province_code'
        {"" if include_replayed else "WHERE u.replayed_at IS NULL"}
        ORDER BY u.kept_at, u.id
        """
    )


async def unrecorded(connection: asyncpg.Connection, kept_id: int) -> UnrecordedReport | str | None:
    """The kept report while it waits; once replayed, the case it was replayed into; None for no such id."""
    row = await connection.fetchrow("SELECT report, case_no FROM unrecorded_reports WHERE id = $1", kept_id)
    if row is None:
        return None
    if row["case_no"] is not None:
        return str(row["case_no"])
    return UnrecordedReport.model_validate(row["report"])


async def mark_replayed(connection: asyncpg.Connection, kept_id: int, case_no: str, at: datetime) -> bool:
    """Replayed into the case: the report's personal data goes (the case has it), its incident type and
    province stay for the listing. False when an earlier replay had marked it."""
    marked = await connection.fetchval(
        """
        UPDATE unrecorded_reports SET replayed_at = $2, case_no = $3,
            report = jsonb_build_object('report', jsonb_build_object(
                'incident_type', jsonb_build_object('code', report -> 'report' -> 'incident_type' ->> 'code'),
                'place', jsonb_build_object('province_code', report -> 'report' -> 'place' ->> 'province_code')))
        WHERE id = $1 AND replayed_at IS NULL
        RETURNING true
        """, kept_id, at, case_no)
    return bool(marked)

