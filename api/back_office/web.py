"""Rendering back-office pages: the Jinja2 environment, the reader's language and calendar.

Thai first: the language is Thai unless the reader switched to English (a cookie); years are
Buddhist era unless they chose the common era. Jinja2 escapes everything it prints, so a
reporter's message can never become markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from domain.accounts import ACCOUNT_ROLE_LABELS, AccountRole
from domain.clock import THAILAND
from domain.dates import BUDDHIST_ERA_OFFSET
from domain.models import CaseStatus
from rendering.officer_messages import STATUS_LABELS

LANGUAGE_COOKIE = "ess_lang"
ERA_COOKIE = "ess_era"

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "REPORTED": ("รับแจ้งเหตุ", "Reported"),
    "ROUTED": ("ส่งถึงสถานี", "Routed to a station"),
    "ALERTED": ("แจ้งเตือนเจ้าหน้าที่ทาง LINE", "Officers alerted on LINE"),
    "ESCALATED": ("แจ้งเตือนขึ้นลำดับ", "Escalated"),
    "STATUS_CHANGED": ("เปลี่ยนสถานะ", "Status changed"),
    "REPORTER_MESSAGE": ("ข้อความจากผู้แจ้ง", "Message from the reporter"),
    "CASE_VIEWED": ("เปิดดูเรื่อง", "Case viewed"),
    "REASSIGNED": ("ย้ายสถานี", "Reassigned"),
    "REVIEW_FLAGGED": ("ควรตรวจสอบ (เคยแจ้งเล่น)", "Flagged for review (earlier pranks)"),
    "OFFICER_ADD_NOTE": ("บันทึกของเจ้าหน้าที่", "Officer's note"),
    "OFFICER_MESSAGE_REPORTER": ("ข้อความถึงผู้แจ้ง", "Message to the reporter"),
    "HANDOFF_STARTED": ("ส่งต่อทีมสหวิชาชีพแล้ว", "Handed off to the multidisciplinary team"),
    "HANDOFF_ACCEPTED": ("ทีมสหวิชาชีพรับเรื่อง", "The multidisciplinary team accepted"),
    "CARE_CLOSED": ("ทีมสหวิชาชีพปิดการดูแล", "The multidisciplinary team closed the care"),
    "ATTACHMENT_FAILED": ("ดึงไฟล์ที่ผู้แจ้งส่งมาไม่ได้", "The reporter's file could not be fetched from LINE"),
    "MESSAGE_UNDELIVERED": ("ส่งข้อความทาง LINE ไม่สำเร็จ", "A LINE message was not delivered"),
}

# An alert that no officer took (nobody at that rung is linked to LINE, or LINE took none of them).
NOBODY_ALERTED = ("ไม่มีเจ้าหน้าที่ได้รับแจ้งเตือนในขั้นนี้", "Nobody was reached at this level")


def event_label_pair(kind: str, details: dict[str, Any] | None = None) -> tuple[str, str] | None:
    """A timeline entry's label: an ALERTED entry with no officer_ids says that nobody was reached."""
    if kind == "ALERTED" and details is not None and not details.get("officer_ids"):
        return NOBODY_ALERTED
    return EVENT_LABELS.get(kind)


templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def language_of(request: Request) -> str:
    return "en" if request.cookies.get(LANGUAGE_COOKIE) == "en" else "th"


def buddhist_era_for(request: Request) -> bool:
    chosen = request.cookies.get(ERA_COOKIE)
    return chosen != "ce" if chosen else language_of(request) == "th"


def _field(row: Any, name: str) -> Any:
    """A database row's field, or a dataclass's."""
    try:
        return row[name]
    except (KeyError, TypeError):
        return getattr(row, name, None)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = language_of(request)
    buddhist_era = buddhist_era_for(request)

    def t(thai: str, english: str) -> str:
        return english if language == "en" else thai

    def label(table: dict, key: Any) -> str:
        pair = table.get(key)
        return t(*pair) if pair else str(key or "—")

    def when(moment: datetime | None, with_time: bool = True) -> str:
        """dd/mm/yyyy hh:mm in Thailand's time, Buddhist era unless the reader chose otherwise."""
        if moment is None:
            return "—"
        local = moment.astimezone(THAILAND)
        year = local.year + (BUDDHIST_ERA_OFFSET if buddhist_era else 0)
        text = f"{local.day:02d}/{local.month:02d}/{year}"
        return f"{text} {local.hour:02d}:{local.minute:02d}" if with_time else text

    def day_field(day: date | None) -> str:
        """A day as a date field shows it: dd/mm/yyyy in the reader's era (filter_days reads both eras)."""
        return when(datetime.combine(day, datetime.min.time(), THAILAND), with_time=False) if day else ""

    def by_name(rows: Iterable[Any], *names: str) -> list[Any]:
        """Rows in the order of the reader's language: as the query sorted them (Thai) for Thai
        readers, by their English names for English ones. `names` are the fields' stems, most
        significant first: "province" sorts by province_en (province_th where there is none)."""
        rows = list(rows)
        if language != "en":
            return rows
        return sorted(rows, key=lambda row: tuple(
            str(_field(row, f"{name}_en") or _field(row, f"{name}_th") or "").casefold() for name in names))

    session = getattr(request.state, "session", None)
    return templates.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "when": when,
            "when_day": lambda day: when(datetime.combine(day, datetime.min.time(), THAILAND), with_time=False)
            if day else "—",
            "status_label": lambda status: label(STATUS_LABELS, CaseStatus(status)),
            "event_label": lambda kind, details=None: t(*pair) if (pair := event_label_pair(kind, details)) else kind,
            "day_field": day_field,
            "by_name": by_name,
            "role_label": lambda role: label(ACCOUNT_ROLE_LABELS, AccountRole(role)),
            "language": language,
            "buddhist_era": buddhist_era,
            "session": session,
            "account": session.account if session else None,
            "csrf_token": session.csrf_token if session else "",
            **context,
        },
        status_code=status_code,
    )
