"""The words of the care figures (database.care_statistics, and the risk levels of
database.handoff_statistics) in Thai and English, for the dashboard, the report workbook and the PDF.
The transfers' words are the back office's (rendering.team_labels: ขอโอน, รับโอน, ไม่รับโอน)."""

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

TRANSFERS_HEADING = ("การโอนการดูแลข้ามจังหวัด ที่ขอโอนในช่วงนี้", "Cares offered to another province's team in the period")
# The receiving team's answers, as REFERRAL_ANSWER_COLUMNS: (TransferAnswers field, Thai, English).
TRANSFER_ANSWER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("accepted", "รับโอน", "Accepted"),
    ("declined", "ไม่รับโอน", "Declined"),
    ("waiting", "รอคำตอบ (ยังไม่ถึงกำหนด)", "Waiting, not yet due"),
    ("past_due", "ไม่ตอบภายในกำหนด", "Not answered in time"),
)
TRANSFERS_TOTAL = ("ขอโอนทั้งหมด", "Offered")
# The rows of the transfers' table: (TransferFigures field, Thai, English); a province's figures have
# the two directions then the total, every province's the total alone.
TRANSFER_DIRECTIONS: tuple[tuple[str, str, str], ...] = (
    ("offered_by", "ทีมจังหวัดนี้ขอโอนไปจังหวัดอื่น", "Offered by this province's team"),
    ("offered_to", "จังหวัดอื่นขอโอนมายังทีมจังหวัดนี้", "Offered to this province's team"),
)
TRANSFERS_ALL = ("รวมการขอโอน", "All transfers")


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
