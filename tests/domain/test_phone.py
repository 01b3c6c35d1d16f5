"""Reading the phone number a reporter typed: Thai numbers an officer can call back, nothing else."""

from __future__ import annotations

import pytest

from domain.models import PhoneNumber
from domain.phone import read_phone_number


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
        "+1 415 555 2671",  # United States
        "+855 12 345 678",  # Cambodia
        "+856 20 5555 1234",  # Laos
        "08l2345678",  # a letter l for a one
        "call me 0812345678",
        "หนึ่งแปดหนึ่ง",
        "081-234-5678 ext 12",
        "0" * 60,
    ],
)
def test_anything_else_is_not_a_number_to_call_back(typed: str) -> None:
    assert read_phone_number(typed) == PhoneNumber(valid=False)
