"""Cases for the retention tests, as the workflows leave them in the read model: full of personal
data (a phone number, a LINE user id, a place, messages, notes, a photo), with their timelines,
hand-offs and follow-ups; and everything kept about a case, to look for that data afterwards."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import asyncpg

from database.timeline import insert_entry
from domain.handoff import CareOutcome, HandoffStatus
from domain.models import CaseStatus

CHIANG_MAI, MUEANG_CHIANG_MAI = "50", "5001"
LATITUDE, LONGITUDE = 18.78834, 98.98531
PHONE = "+66812345678"
PLACE = "บ้านนางสมศรี ใจดี"
ADDRESS = "99/1 ถนนห้วยแก้ว ตำบลสุเทพ อำเภอเมืองเชียงใหม่"
MESSAGE = "ช่วยด้วย เขาขังฉันไว้ในห้องหลังบ้าน"
OFFICER_NOTE = "พบผู้เสียหาย นางสมศรี ส่งโรงพยาบาลนครพิงค์"
TEAM_NOTE = "เยี่ยมบ้านนางสมศรี บุตรสาวอายุ 9 ขวบอยู่ด้วย"
PHOTO_TEXT = "a photo of the back room"
PHOTO = b"\xff\xd8 " + PHOTO_TEXT.encode()


class Reporter:
    """One reporter's cases: each with its number, its timeline (the report, a message, the place
    sent again, an escalation, the outcome with the officer's note) and a photo."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.line_user_id = f"U{uuid.uuid4().hex}"
        self.reporter_key = uuid.uuid4().hex[:24]

    @property
    def personal_data(self) -> list[str]:
        return [PHONE, self.line_user_id, self.reporter_key, PLACE, ADDRESS, MESSAGE, OFFICER_NOTE, TEAM_NOTE,
                PHOTO_TEXT, str(LATITUDE), str(LONGITUDE)]

    async def case(self, status: CaseStatus, closed_at: datetime | None, reported_at: datetime | None = None) -> str:
        """A case in `status`, over at `closed_at` (None: still open), reported five hours before
        unless `reported_at` says when."""
        case_no = f"ESS-R{uuid.uuid4().hex[:12].upper()}"
        if reported_at is None:
            assert closed_at is not None, "an open case needs its report time"
            reported_at = closed_at - timedelta(hours=5)
        conversation_id = f"intake-{self.reporter_key}/{uuid.uuid4()}/0"
        await self.connection.execute(
            "INSERT INTO case_numbers (case_no, conversation_id, year, seq) VALUES ($1, $2, $3, $4)",
            case_no, conversation_id, reported_at.year, random.randint(1, 2_000_000_000),
        )
        await self.connection.execute(
            """
            INSERT INTO cases (
                case_no, conversation_id, reporter_key, line_user_id, incident_type_code, status, complete,
                phone_e164, latitude, longitude, location_title, location_address, province_code, district_code,
                reported_at, acknowledged_at, closed_at, outcome_note, escalation_level
            ) VALUES ($1, $2, $3, $4, 'DETENTION', $5, true, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1)
            """,
            case_no, conversation_id, self.reporter_key, self.line_user_id, status.value, PHONE, LATITUDE, LONGITUDE,
            PLACE, ADDRESS, CHIANG_MAI, MUEANG_CHIANG_MAI, reported_at, reported_at + timedelta(minutes=4),
            closed_at, OFFICER_NOTE if closed_at else None,
        )
        entries = [
            ("REPORTED", "reporter", {"incident_type": "DETENTION", "province_code": CHIANG_MAI,
                                      "district_code": MUEANG_CHIANG_MAI}),
            ("REPORTER_MESSAGE", "reporter", {"type": "text", "text": MESSAGE}),
            ("REPORTER_MESSAGE", "reporter", {"type": "location", "latitude": LATITUDE, "longitude": LONGITUDE,
                                              "title": PLACE, "address": ADDRESS}),
            ("ESCALATED", "system", {"level": 1, "audiences": ["SUPERINTENDENT", "CENTRE_191"]}),
            ("STATUS_CHANGED", "officer:7", {"status": status.value, "officer_id": 7, "note": OFFICER_NOTE}),
        ]
        for n, (kind, actor, details) in enumerate(entries):
            await insert_entry(self.connection, "case_events", case_no, f"{case_no}:{n}:{kind}", kind,
                               reported_at + timedelta(minutes=n), actor, details)
        await self.connection.execute(
            """
            INSERT INTO case_attachments (case_no, event_key, line_message_id, content_type, content, received_at)
            VALUES ($1, $2, '5001', 'image/jpeg', $3, $4)
            """,
            case_no, f"{case_no}:photo", PHOTO, reported_at,
        )
        return case_no

    async def handoff(self, case_no: str, status: HandoffStatus, forwarded_at: datetime,
                      ended_at: datetime | None = None, attempt: int = 1) -> str:
        """A hand-off of the case to Chiang Mai's team (handed back or closed at `ended_at`), with a
        follow-up planned three days after the forward and a note on its timeline."""
        handoff_id = f"{case_no}-{attempt}"
        accepted = status in (HandoffStatus.IN_CARE, HandoffStatus.CLOSED)
        rejected, closed = status == HandoffStatus.REJECTED, status == HandoffStatus.CLOSED
        await self.connection.execute(
            """
            INSERT INTO handoffs (handoff_id, case_no, attempt, province_code, status, consent, forwarded_at,
                                  forward_note, accept_due_at, accepted_at, rejected_at, reject_reason,
                                  closed_at, care_outcome, care_note)
            VALUES ($1, $2, $3, $4, $5, 'GIVEN', $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """,
            handoff_id, case_no, attempt, CHIANG_MAI, status.value, forwarded_at, OFFICER_NOTE,
            forwarded_at + timedelta(days=1), forwarded_at + timedelta(hours=2) if accepted else None,
            ended_at if rejected else None, TEAM_NOTE if rejected else None,
            ended_at if closed else None, CareOutcome.SHELTERED.value if closed else None,
            TEAM_NOTE if closed else None,
        )
        due_at = forwarded_at + timedelta(days=3)
        for n, (kind, details) in enumerate([
            ("PLANNED", {"member_id": 3, "number": 1, "kind": "HOME_VISIT", "due_at": due_at.isoformat(),
                         "note": TEAM_NOTE}),
            ("NOTE", {"member_id": 3, "note": TEAM_NOTE}),
        ]):
            await insert_entry(self.connection, "handoff_events", handoff_id, f"{handoff_id}:{n}:{kind}", kind,
                               forwarded_at + timedelta(hours=n + 3), "member:3", details)
        await self.connection.execute(
            """
            INSERT INTO follow_ups (handoff_id, number, kind, due_at, note, planned_at, status, outcome, recorded_at)
            VALUES ($1, 1, 'HOME_VISIT', $2, $3, $4, 'DONE', $3, $2)
            """,
            handoff_id, due_at, TEAM_NOTE, forwarded_at,
        )
        return handoff_id


async def everything_about(connection: asyncpg.Connection, case_no: str) -> str:
    """Every row kept about the case, in every table, as text (a photo's bytes as escaped text)."""
    rows = await connection.fetch(
        """
        SELECT row_to_json(c)::text FROM cases c WHERE c.case_no = $1
        UNION ALL SELECT row_to_json(n)::text FROM case_numbers n WHERE n.case_no = $1
        UNION ALL SELECT row_to_json(e)::text FROM (SELECT * FROM case_events WHERE case_no = $1 ORDER BY id) e
        UNION ALL SELECT row_to_json(a)::text FROM (SELECT id, content_type, encode(content, 'escape') AS content
                                                    FROM case_attachments WHERE case_no = $1 ORDER BY id) a
        UNION ALL SELECT row_to_json(h)::text FROM handoffs h WHERE h.case_no = $1
        UNION ALL SELECT row_to_json(e)::text FROM (SELECT e.* FROM handoff_events e JOIN handoffs h USING (handoff_id)
                                                    WHERE h.case_no = $1 ORDER BY e.id) e
        UNION ALL SELECT row_to_json(f)::text FROM (SELECT f.* FROM follow_ups f JOIN handoffs h USING (handoff_id)
                                                    WHERE h.case_no = $1 ORDER BY f.number) f
        UNION ALL SELECT row_to_json(r)::text FROM (SELECT r.* FROM referrals r JOIN handoffs h USING (handoff_id)
                                                    WHERE h.case_no = $1 ORDER BY r.number) r
        UNION ALL SELECT row_to_json(a)::text FROM (SELECT a.* FROM care_approvals a JOIN handoffs h USING (handoff_id)
                                                    WHERE h.case_no = $1 ORDER BY a.event_key) a
        UNION ALL SELECT row_to_json(t)::text FROM (SELECT t.* FROM handoff_transfers t
                                                    JOIN handoffs h USING (handoff_id)
                                                    WHERE h.case_no = $1 ORDER BY t.event_key) t
        """,
        case_no,
    )
    return "\n".join(row[0] for row in rows)
