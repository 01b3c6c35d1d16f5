"""A police station of a test's own, with cases (and hand-offs) routed to it, for the dashboard's
downloads: each test reads only its own station's cases (a station scope)."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta

import asyncpg
from openpyxl import Workbook, load_workbook

from database.case_export import case_row_batches
from database.case_statistics import CaseFilter
from domain.clock import THAILAND
from domain.handoff import HandoffStatus
from domain.models import CaseStatus
from domain.scope import CaseScope
from rendering.case_workbook import write_cases_workbook

CHIANG_MAI = "50"
CHIANG_MAI_DISTRICT = "5001"  # เมืองเชียงใหม่
PHONE = "+66812345678"
HEADERS = [
    "เลขที่เรื่อง", "วันเวลาที่แจ้ง", "ประเภทเหตุ", "สถานะ", "จังหวัด", "อำเภอ/เขต", "สถานีที่รับผิดชอบ", "รับทราบเมื่อ",
    "ปิดเมื่อ", "ระดับการแจ้งเตือนขึ้น", "ข้อมูลครบ", "ต้องตรวจสอบ (แจ้งเล่นซ้ำ)", "ผลการดำเนินการ", "เบอร์ผู้แจ้ง",
    "ละติจูด", "ลองจิจูด", "สถานะการส่งต่อทีมสหวิชาชีพ", "ส่งต่อทีมเมื่อ", "ทีมรับเรื่องเมื่อ", "ผลการดูแล",
    "ปิดการดูแลเมื่อ",
]
NO_HANDOFF = [None] * 5
MARCH_2001 = {"reported_from": date(2001, 3, 1), "reported_to": date(2001, 3, 31)}
TRANSFER_NOTE = "ผู้ได้รับความช่วยเหลือย้ายไปอยู่กับป้าที่ภูเก็ต"
TRANSFER_DECLINED_BECAUSE = "ทีมไม่มีบ้านพักว่างในเดือนนี้"


def thai(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2001, 3, day, hour, minute, tzinfo=THAILAND)


class Station:
    """A station of the test's own with the cases routed to it."""

    def __init__(self, connection: asyncpg.Connection, station_id: int, name_th: str) -> None:
        self.connection, self.station_id, self.name_th = connection, station_id, name_th

    def filter(self, **choices) -> CaseFilter:
        return CaseFilter(scope=CaseScope(station_id=self.station_id), **choices)

    async def add_case(self, reported_at: datetime, status: CaseStatus = CaseStatus.NEW, **columns) -> str:
        values = {
            "case_no": f"ESS-T{uuid.uuid4().hex[:12].upper()}", "reporter_key": uuid.uuid4().hex,
            "line_user_id": f"U{uuid.uuid4().hex}", "incident_type_code": "DETENTION", "status": status.value,
            "complete": True, "latitude": 18.7883, "longitude": 98.9853, "province_code": CHIANG_MAI,
            "district_code": CHIANG_MAI_DISTRICT, "reported_at": reported_at, "station_id": self.station_id,
        } | columns
        values["conversation_id"] = f"conversation-{values['case_no']}"
        names = ", ".join(values)
        placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        await self.connection.execute(f"INSERT INTO cases ({names}) VALUES ({placeholders})", *values.values())
        return values["case_no"]

    async def add_handoff(self, case_no: str, attempt: int, forwarded_at: datetime, status: HandoffStatus,
                          **columns) -> None:
        """A hand-off of the case to Chiang Mai's team, due to be accepted within a day."""
        values = {
            "handoff_id": f"{case_no}-{attempt}", "case_no": case_no, "attempt": attempt,
            "province_code": CHIANG_MAI, "station_id": self.station_id, "status": status.value,
            "forwarded_at": forwarded_at, "accept_due_at": forwarded_at + timedelta(days=1),
        } | columns
        names = ", ".join(values)
        placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        await self.connection.execute(f"INSERT INTO handoffs ({names}) VALUES ({placeholders})", *values.values())

    async def add_transfer(self, handoff_id: str, from_province: str, to_province: str, requested_at: datetime,
                           answer: str | None = None, accept_within: timedelta = timedelta(days=1)) -> None:
        """An offer of the hand-off's care to another province's team, with the offering team's note
        and, declined, the reason (neither of which a report may show)."""
        await self.connection.execute(
            "INSERT INTO handoff_transfers (event_key, handoff_id, from_province_code, to_province_code, requested_at,"
            " accept_due_at, note, answer, answered_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            f"{handoff_id}:transfer:{uuid.uuid4().hex[:8]}", handoff_id, from_province, to_province, requested_at,
            requested_at + accept_within, TRANSFER_NOTE, answer, None if answer is None else requested_at,
            TRANSFER_DECLINED_BECAUSE if answer == "DECLINED" else None,
        )


@asynccontextmanager
async def own_station(pool: asyncpg.Pool) -> AsyncIterator[Station]:
    name_th = f"สถานีตำรวจทดสอบ {uuid.uuid4().hex[:6]}"
    async with pool.acquire() as connection:
        station_id = await connection.fetchval(
            "INSERT INTO stations (code, name_th, name_en, province_code)"
            " VALUES ($1, $2, 'Export test station', $3) RETURNING id",
            f"TEST-{uuid.uuid4().hex[:10]}", name_th, CHIANG_MAI,
        )
        yield Station(connection, station_id, name_th)


async def export(station: Station, reveal_phone: bool = False, phone_needs_consent: bool = False,
                 **choices) -> tuple[Workbook, int]:
    """The workbook written for the station's cases, read back, and the row count returned."""
    buffer = io.BytesIO()
    rows = await write_cases_workbook(case_row_batches(station.connection, station.filter(**choices)), buffer,
                                      reveal_phone, phone_needs_consent=phone_needs_consent)
    buffer.seek(0)
    return load_workbook(buffer), rows
