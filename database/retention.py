"""Retention (PDPA): the personal data of cases over for longer than the retention period is
anonymised, and what the statistics count stays.

Gone: the reporter's phone number, LINE user id and pseudonym (reporter key, conversation id), the
place's name and address, the officers' outcome note, the reporter's messages and every other
timeline text, the photos and files, the hand-off's notes (forward, care, reason for handing back),
the follow-ups' notes and outcomes. The place is kept to two decimals of a degree (about 1 km), so
the incident map still shows where things happen without pointing at a home.

Kept: the case number, status, incident type, province, district, station, the dates (reported,
acknowledged, closed) and escalation level, which the dashboard counts and the exports show; the
timelines' entries with their kind, time and actor, and of their details only codes and numbers
(a status, an escalation level, a follow-up's number and due time) so the story still reads; the
hand-offs' statuses, consent, care outcome category and dates. The audit log keeps who did what
and records each anonymisation.

The counted columns (reported_at, province_code, incident_type_code, status, acknowledged_at) are
never written here, so the dashboard's counters (migration 0005) do not move.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

ANONYMISED = "anonymised"
ANONYMISED_ACTION = "CASE_ANONYMISED"
# Two decimals of a degree: about 1.1 km north-south and 1.0-1.1 km east-west across Thailand
# (6-20 degrees north). Enough for the map's districts and hot spots, too coarse for an address.
COORDINATE_DECIMALS = 2

# Over: the police part has ended, and so has every hand-off of the case (a FORWARDED or
# HANDED_OVER case is over once the team closed its care, or handed it back and the case ended
# again later). The statuses are written out so the planner uses the partial index of migration
# 0008 (0015 for HANDED_OVER).
_DUE_CASES = """
    SELECT c.case_no FROM cases c
    WHERE c.anonymised_at IS NULL
      AND c.status IN ('CLOSED', 'NOT_FOUND', 'PRANK', 'FORWARDED', 'HANDED_OVER')
      AND c.closed_at < $1
      AND NOT EXISTS (
          SELECT 1 FROM handoffs h
          WHERE h.case_no = c.case_no
            AND NOT (h.status IN ('CLOSED', 'REJECTED')
                     AND coalesce(h.closed_at, h.rejected_at, 'infinity') < $1)
      )
    ORDER BY c.closed_at, c.case_no
    LIMIT $2
    FOR UPDATE OF c SKIP LOCKED
"""

# A timeline entry's details become {"anonymised": true} plus the codes and numbers the pages show:
# each kept only when its value has the shape of a code, a number or a timestamp, never text.
_ANONYMISED_DETAILS = r"""
    jsonb_build_object('anonymised', true) || jsonb_strip_nulls(jsonb_build_object(
        'status', CASE WHEN jsonb_typeof(details -> 'status') = 'string'
                        AND details ->> 'status' ~ '^[A-Z][A-Z_]{0,39}$' THEN details -> 'status' END,
        'level', CASE WHEN jsonb_typeof(details -> 'level') = 'number' THEN details -> 'level' END,
        'number', CASE WHEN jsonb_typeof(details -> 'number') = 'number' THEN details -> 'number' END,
        'due_at', CASE WHEN jsonb_typeof(details -> 'due_at') = 'string'
                        AND details ->> 'due_at' ~ '^\d{4}-\d{2}-\d{2}[T ][0-9:.]+(Z|[+-][0-9:]+)?$'
                       THEN details -> 'due_at' END
    ))
"""


async def anonymise_closed_cases(connection: asyncpg.Connection, closed_before: datetime, limit: int) -> list[str]:
    """One batch, in one transaction: up to `limit` cases over before `closed_before` lose their
    personal data, each with an audit row. Returns their case numbers (oldest first); fewer than
    `limit` means none is left. Cases another run holds are skipped, and anonymised ones are
    never due again, so runs may overlap and repeat."""
    async with connection.transaction():
        rows = await connection.fetch(_DUE_CASES, closed_before, limit)
        case_numbers = [row["case_no"] for row in rows]
        if not case_numbers:
            return []
        await connection.execute(
            """
            UPDATE cases SET
                phone_e164 = NULL,
                line_user_id = $2,
                reporter_key = $2,
                conversation_id = $2::text || ':' || case_no,
                location_title = NULL,
                location_address = NULL,
                latitude = round(latitude::numeric, $3)::double precision,
                longitude = round(longitude::numeric, $3)::double precision,
                outcome_note = NULL,
                anonymised_at = now(),
                updated_at = greatest(updated_at, now())
            WHERE case_no = ANY($1::text[])
            """,
            case_numbers, ANONYMISED, COORDINATE_DECIMALS,
        )
        # The allocation's memory names the conversation, and so the reporter's pseudonym.
        await connection.execute(
            "UPDATE case_numbers SET conversation_id = $2::text || ':' || case_no WHERE case_no = ANY($1::text[])",
            case_numbers, ANONYMISED,
        )
        await connection.execute(
            f"UPDATE case_events SET details = {_ANONYMISED_DETAILS} WHERE case_no = ANY($1::text[])", case_numbers
        )
        await connection.execute("DELETE FROM case_attachments WHERE case_no = ANY($1::text[])", case_numbers)
        await connection.execute(
            """
            UPDATE handoffs SET forward_note = NULL, care_note = NULL, reject_reason = NULL
            WHERE case_no = ANY($1::text[])
            """,
            case_numbers,
        )
        await connection.execute(
            f"""
            UPDATE handoff_events SET details = {_ANONYMISED_DETAILS}
            WHERE handoff_id IN (SELECT handoff_id FROM handoffs WHERE case_no = ANY($1::text[]))
            """,
            case_numbers,
        )
        await connection.execute(
            """
            UPDATE follow_ups SET note = '', outcome = NULL
            WHERE handoff_id IN (SELECT handoff_id FROM handoffs WHERE case_no = ANY($1::text[]))
            """,
            case_numbers,
        )
        await connection.execute(
            """
            UPDATE care_approvals SET reason = NULL
            WHERE handoff_id IN (SELECT handoff_id FROM handoffs WHERE case_no = ANY($1::text[]))
            """,
            case_numbers,
        )
        await connection.execute(
            """
            UPDATE referrals SET reason = NULL
            WHERE handoff_id IN (SELECT handoff_id FROM handoffs WHERE case_no = ANY($1::text[]))
            """,
            case_numbers,
        )
        await connection.execute(
            """
            UPDATE handoff_transfers SET note = NULL, reason = NULL
            WHERE handoff_id IN (SELECT handoff_id FROM handoffs WHERE case_no = ANY($1::text[]))
            """,
            case_numbers,
        )
        await connection.execute(
            """
            INSERT INTO audit_log (action, case_no, details)
            SELECT $2, case_no, jsonb_build_object('actor', 'system', 'closed_before', $3::timestamptz)
            FROM unnest($1::text[]) WITH ORDINALITY AS done (case_no, n)
            ORDER BY n
            """,
            case_numbers, ANONYMISED_ACTION, closed_before,
        )
    return case_numbers
