"""Reading the phone number a reporter typed: Thai mobile and fixed-line numbers only."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from domain.models import PhoneNumber

THAILAND = "TH"
# Numbers an officer can call back. Toll-free, premium and short codes (191, 1300) are not.
_CALLABLE_TYPES = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Digits with the separators people type; no letters (phonenumbers would read them as a keypad).
_PHONE_LIKE = re.compile(r"\+?\(?[0-9][0-9 \-.()]*")
_LONGEST_INPUT = 32

INVALID = PhoneNumber(valid=False)


def read_phone_number(text: str) -> PhoneNumber:
    """E.164 and a display form such as 081-234-5678, or PhoneNumber(valid=False)."""
    cleaned = text.translate(_THAI_DIGITS).strip()
    if len(cleaned) > _LONGEST_INPUT or not _PHONE_LIKE.fullmatch(cleaned):
        return INVALID
    try:
        number = phonenumbers.parse(cleaned, THAILAND)
    except NumberParseException:
        return INVALID
    if not phonenumbers.is_valid_number_for_region(number, THAILAND):
        return INVALID
    if phonenumbers.number_type(number) not in _CALLABLE_TYPES:
        return INVALID
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return PhoneNumber(
        valid=True,
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        national=national.replace(" ", "-"),
    )
