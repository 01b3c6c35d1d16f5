"""The incident map's downloads: the filtered cases as GeoJSON (for GIS tools) or CSV (for a
spreadsheet), written batch by batch to a file so memory stays flat however many cases.

What a case carries is what the map shows: its number, type, status, times, province, station and
place. Never the reporter's phone number, LINE user id or the officers' notes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import Any

from domain.clock import THAILAND
from domain.models import CaseStatus
from rendering.officer_messages import STATUS_LABELS

# Excel reads a CSV as UTF-8 (and so shows Thai) only when the file starts with the byte order mark.
CSV_ENCODING = "utf-8-sig"
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("เลขที่เรื่อง", "Case number"),
    ("ประเภทเหตุ", "Incident type"),
    ("สถานะ", "Status"),
    ("วันเวลาที่แจ้ง (เวลาประเทศไทย)", "Reported at (Thailand time)"),
    ("รับทราบเมื่อ", "Acknowledged at"),
    ("ปิดเมื่อ", "Closed at"),
    ("จังหวัด", "Province"),
    ("สถานีที่รับผิดชอบ", "Station"),
    ("ละติจูด", "Latitude"),
    ("ลองจิจูด", "Longitude"),
)
NOT_STATED = ("ไม่ระบุ", "Not stated")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such text
# gets a leading apostrophe, which the spreadsheet shows as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Batches = AsyncGenerator[Sequence[Any], None]


def _thai_time(moment: datetime | None, separator: str = " ") -> str:
    return moment.astimezone(THAILAND).isoformat(separator, "seconds") if moment else ""


def _text(value: str | None) -> str:
    text = value or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _pick(pair: tuple[str | None, str | None], english: bool) -> str:
    return (pair[1] if english else pair[0]) or ""


async def write_map_csv(batches: Batches, path: str, *, english: bool = False) -> int:
    """One row a case under headers in the reader's language; times as `yyyy-mm-dd hh:mm:ss` in
    Thailand's time, which a spreadsheet reads as a date. Returns how many cases it wrote."""
    rows = 0
    with open(path, "w", encoding=CSV_ENCODING, newline="") as file:
        writer = csv.writer(file)
        writer.writerow([_pick(header, english) for header in CSV_COLUMNS])
        async with aclosing(batches) as each_batch:
            async for batch in each_batch:
                for case in batch:
                    type_label = (case["type_th"], case["type_en"]) if case["incident_type_code"] else NOT_STATED
                    writer.writerow([
                        case["case_no"], _text(_pick(type_label, english)),
                        _pick(STATUS_LABELS[CaseStatus(case["status"])], english),
                        _thai_time(case["reported_at"]), _thai_time(case["acknowledged_at"]),
                        _thai_time(case["closed_at"]),
                        _text(_pick((case["province_th"], case["province_en"]), english)),
                        _text(_pick((case["station_th"], case["station_en"]), english)),
                        case["latitude"], case["longitude"],
                    ])
                rows += len(batch)
    return rows


def _feature(case: Any) -> dict[str, Any]:
    status = CaseStatus(case["status"])
    return {
        "type": "Feature",
        "id": case["case_no"],
        "geometry": {"type": "Point", "coordinates": [case["longitude"], case["latitude"]]},
        "properties": {
            "caseNo": case["case_no"],
            "incidentType": case["incident_type_code"],
            "incidentTypeTh": case["type_th"] if case["incident_type_code"] else NOT_STATED[0],
            "incidentTypeEn": case["type_en"] if case["incident_type_code"] else NOT_STATED[1],
            "status": status.value,
            "statusTh": STATUS_LABELS[status][0],
            "statusEn": STATUS_LABELS[status][1],
            "reportedAt": _thai_time(case["reported_at"], "T"),
            "acknowledgedAt": _thai_time(case["acknowledged_at"], "T") or None,
            "closedAt": _thai_time(case["closed_at"], "T") or None,
            "provinceTh": case["province_th"], "provinceEn": case["province_en"],
            "stationTh": case["station_th"], "stationEn": case["station_en"],
        },
    }


async def write_map_geojson(batches: Batches, path: str) -> int:
    """A GeoJSON FeatureCollection (RFC 7946: longitude first, WGS 84), one Point a case, times in
    ISO 8601 with Thailand's offset. Returns how many cases it wrote."""
    rows = 0
    with open(path, "w", encoding="utf-8") as file:
        file.write('{"type":"FeatureCollection","features":[')
        async with aclosing(batches) as each_batch:
            async for batch in each_batch:
                for case in batch:
                    file.write(("," if rows else "") + json.dumps(_feature(case), ensure_ascii=False))
                    rows += 1
        file.write("]}\n")
    return rows
