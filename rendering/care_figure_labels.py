"""The words of the care figures (database.care_statistics, and the risk levels of
database.handoff_statistics) in Thai and English, for the dashboard, the report workbook and the PDF."""

from __future__ import annotations

from datetime import timedelta

RISK_NOT_ASSESSED = ("ยังไม่ได้ประเมินความเสี่ยง", "Risk not assessed yet")
# The answers' columns, in the order the figures list them: (ReferralAnswers field, Thai, English).
REFERRAL_ANSWER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("accepted", "หน่วยงานรับ", "Accepted"),
    ("declined", "หน่วยงานปฏิเสธ", "Declined"),
    ("waiting", "รอคำตอบ (ยังไม่ถึงกำหนด)", "Waiting, not yet due"),
    ("past_due", "ไม่ตอบภายในกำหนด", "No answer by the due time"),
)
REFERRALS_TOTAL = ("ส่งต่อหน่วยงานทั้งหมด", "Referrals")
OUTSIDE_DIRECTORY = ("หน่วยงานที่ไม่อยู่ในทะเบียน", "Agencies outside the directory")


def describe_wait(wait: timedelta | None) -> tuple[str, str]:
    """How long something has waited, roughly, as people say it: minutes, hours, or days and hours."""
    if wait is None:
        return "-", "-"
    minutes = int(wait.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} นาที", f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} ชั่วโมง", f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} วัน {hours} ชั่วโมง", f"{days} days {hours} h"
