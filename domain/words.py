"""The words people type that the bot understands: a reporter instead of tapping, an officer
linking their account or answering a reporter. Compared after strip() and casefold(); the
workflows parse them, and the bot's own wording lives in rendering."""

from __future__ import annotations

import re

from domain.models import Language

# A reporter instead of tapping.
REPORT_WORDS = frozenset({"แจ้งเหตุ", "แจ้งเหตุร้าย", "report", "sos", "ช่วยด้วย", "help"})
CANCEL_WORDS = frozenset({"ยกเลิก", "cancel", "stop"})
HOW_TO_WORDS = frozenset({"วิธีใช้", "how to use", "วิธีแจ้งเหตุ"})
# At the phone step: the reporter will not or cannot give a number.
SKIP_PHONE_WORDS = frozenset({
    "ไม่สะดวก", "ไม่สะดวกให้เบอร์", "ไม่ให้เบอร์", "ไม่มีเบอร์", "ข้าม",
    "skip", "no number", "no phone", "no phone number",
})
# An officer linking their LINE account: "ลงทะเบียน K7M2-QX9P" or "register k7m2qx9p".
_REGISTRATION = re.compile(r"^\s*(?:ลงทะเบียน|register)\s*[:：]?\s*([A-Za-z0-9][A-Za-z0-9 -]{3,40})\s*$", re.IGNORECASE)


def registration_code(text: str | None) -> str | None:
    found = _REGISTRATION.match(text or "")
    return found.group(1).strip() if found else None


# Switching the bot's language.
LANGUAGE_WORDS = {
    "english": Language.ENGLISH, "eng": Language.ENGLISH,
    "ภาษาไทย": Language.THAI, "ไทย": Language.THAI, "thai": Language.THAI,
}
# At the confirm step: the pinned place is right.
CONFIRM_WORDS = frozenset({"ถูกต้อง", "ใช่", "correct", "yes", "ok"})


# What an officer types (or the Reply button types for them) to answer the reporter of a case.
REPLY_WORDS = ("ตอบ", "reply")
_REPLY = re.compile(r"^\s*(?:ตอบ|reply)\s+(ESS-\d{4}-\d{6})\s*[:：]\s*(\S.*?)\s*$", re.IGNORECASE | re.DOTALL)


def officer_reply(text: str | None) -> tuple[str, str] | None:
    """(case number, words) when an officer's text answers a reporter: "ตอบ ESS-2026-000123: ..."."""
    found = _REPLY.match(text or "")
    return (found.group(1).upper(), found.group(2)) if found else None
