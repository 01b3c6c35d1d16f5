"""A reporter's phone number in lists and exports: only its last four digits, in the national layout
officers know; revealed, the same layout with every digit."""

from __future__ import annotations

import re

import pytest

from domain.masking import mask_phone, national_layout
from domain.phone import read_phone_number


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+66812345678", "xxx-xxx-5678"),  # mobile
        ("+66909876543", "xxx-xxx-6543"),
        ("+6621234567", "xx-xxx-4567"),  # Bangkok fixed line
        ("+6653123456", "xxx-xx3-456"),  # provincial fixed line: the last four digits span a dash
    ],
)
def test_a_thai_number_shows_only_its_last_four_digits(e164: str, masked: str) -> None:
    assert mask_phone(e164) == masked


def test_no_number_stays_no_number() -> None:
    assert mask_phone(None) is None


def _one_number_in_every_thai_range() -> list[str]:
    """A number from each two-digit prefix Thailand uses (02 Bangkok, 03x–07x provinces, 06/08/09
    mobiles), at both lengths; the ones domain.phone takes."""
    candidates = [f"0{prefix}{subscriber}" for prefix in range(20, 100) for subscriber in ("123456", "1234567")]
    return [typed for typed in candidates if read_phone_number(typed).valid]


# Typed the ways reporters type them, then one number in every range.
_TYPED = [
    "0812345678", "0612345678", "02-123-4567", "053-123-456", "038 123 456", "(02) 987 6543",
    "+66 81 234 5679", "๐๘๑๒๓๔๕๖๗๘", *_one_number_in_every_thai_range(),
]


@pytest.mark.parametrize("typed", _TYPED)
def test_the_layout_is_the_one_domain_phone_prints(typed: str) -> None:
    printed = read_phone_number(typed)
    assert printed.e164 is not None and printed.national is not None
    assert national_layout(printed.e164) == printed.national
    masked = mask_phone(printed.e164)
    assert masked is not None
    # Masked, it keeps domain.phone's layout and shows only the number's last four digits.
    assert re.sub(r"\d", "x", masked) == re.sub(r"\d", "x", printed.national)
    assert re.sub(r"\D", "", masked) == printed.e164[-4:]


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+14155552671", "xxxxxxx2671"),  # not Thai: no layout, still only four digits shown
        ("+66123", "x6123"),  # too short to be Thai
        ("1234", "xxxx"),  # four digits or fewer would show it all: hidden entirely
    ],
)
def test_any_other_number_still_shows_at_most_four_digits(e164: str, masked: str) -> None:
    assert mask_phone(e164) == masked


def test_revealed_numbers_that_are_not_thai_stay_as_stored() -> None:
    assert national_layout("+14155552671") == "+14155552671"
