"""Reading the phone number a reporter typed: a number an officer can call back, Thai or from abroad,
on its own or inside a sentence; nothing else."""

from __future__ import annotations

import pytest

from domain.models import PhoneNumber
from domain.phone import find_phone_number, read_phone_number


@pytest.mark.parametrize(
    ("typed", "e164", "national"),
    [
        ("0812345678", "+66812345678", "081-234-5678"),
        ("081-234-5678", "+66812345678", "081-234-5678"),
        ("081 234 5678", "+66812345678", "081-234-5678"),
        ("081.234.5678", "+66812345678", "081-234-5678"),
        ("  0812345678  ", "+66812345678", "081-234-5678"),
        ("+66812345678", "+66812345678", "081-234-5678"),
        ("+66 81 234 5678", "+66812345678", "081-234-5678"),
        ("+66 (0) 81 234 5678", "+66812345678", "081-234-5678"),
        ("66812345678", "+66812345678", "081-234-5678"),
        ("๐๘๑-๒๓๔-๕๖๗๘", "+66812345678", "081-234-5678"),
        ("0612345678", "+66612345678", "061-234-5678"),
        ("090-987-6543", "+66909876543", "090-987-6543"),
        ("02-123-4567", "+6621234567", "02-123-4567"),
        ("(02) 123 4567", "+6621234567", "02-123-4567"),
        ("053-123-456", "+6653123456", "053-123-456"),
        ("038 123 456", "+6638123456", "038-123-456"),
    ],
)
def test_thai_mobile_and_fixed_line_numbers_are_read(typed: str, e164: str, national: str) -> None:
    assert read_phone_number(typed) == PhoneNumber(valid=True, e164=e164, national=national)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "081234567",  # one digit short
        "08123456789",  # one digit too many
        "0212345678",  # too long for Bangkok's fixed lines
        "191",  # police emergency short code
        "1669",  # medical emergency short code
        "1300",  # social assistance hotline
        "1800123456",  # toll-free, not a person's phone
        "+800 1234 5678",  # an international toll-free number
        "+44 12",  # too short for the United Kingdom
        "08l2345678",  # a letter l for a one
        "หนึ่งแปดหนึ่ง",
        "ช่วยด้วย เขาอยู่หน้าบ้าน",
        "ESS-2026-000123",  # a case number
        "บ้านเลขที่ 123/45 ซอย 7",
        "12/05/2026 10:30",
        "0" * 60,
    ],
)
def test_anything_else_is_not_a_number_to_call_back(typed: str) -> None:
    assert read_phone_number(typed) == PhoneNumber(valid=False)
    assert find_phone_number(typed) == PhoneNumber(valid=False)


@pytest.mark.parametrize(
    ("typed", "e164", "shown"),
    [
        # A tourist's number: shown as dialled from Thailand. (The United Kingdom keeps 07700 900xxx
        # for fiction, so the library calls it possible, not valid: its length is all we can check.)
        ("+44 7700 900123", "+447700900123", "+44 7700 900123"),
        ("001 44 7700 900123", "+447700900123", "+44 7700 900123"),  # dialled from Thailand
        ("+1 415 555 2671", "+14155552671", "+1 415-555-2671"),
        ("+855 12 345 678", "+85512345678", "+855 12 345 678"),
        ("+856 20 5555 1234", "+8562055551234", "+856 20 55 551 234"),
    ],
)
def test_numbers_from_abroad_are_read_in_international_form(typed: str, e164: str, shown: str) -> None:
    assert read_phone_number(typed) == PhoneNumber(valid=True, e164=e164, national=shown)


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("my number is +66 81 234 5679", "+66812345679"),
        ("เบอร์0812345678ค่ะ", "+66812345678"),
        ("call me 0812345678", "+66812345678"),
        ("โทร ๐๘๑-๒๓๔-๕๖๗๘ ได้ตลอด", "+66812345678"),
        ("081-234-5678 ext 12", "+66812345678"),  # the extension is for a switchboard, not a mobile
        ("I am a tourist, +44 7700 900123", "+447700900123"),
        ("0812345678 หรือ 0898765432", "+66812345678"),  # the first one
    ],
)
def test_a_number_inside_a_sentence_is_found(written: str, e164: str) -> None:
    found = find_phone_number(written)
    assert found.valid and found.e164 == e164
    assert read_phone_number(written) == PhoneNumber(valid=False)  # on its own only


def test_a_number_on_its_own_is_found_as_it_is_read() -> None:
    assert find_phone_number("081-234-5678") == read_phone_number("081-234-5678")
    assert find_phone_number("+44 7700 900123") == read_phone_number("+44 7700 900123")


def test_a_very_long_message_is_searched_only_at_its_start() -> None:
    assert find_phone_number("ช่วยด้วย " * 1000 + "0812345678") == PhoneNumber(valid=False)
    assert find_phone_number("0812345678 " + "ช่วยด้วย " * 1000).e164 == "+66812345678"
