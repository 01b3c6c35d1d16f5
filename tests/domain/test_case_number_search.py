"""Finding a case by what people type of its number: the whole number, its start, its last digits, or
the Buddhist-era year Thais write."""

from __future__ import annotations

import re

import pytest

from domain.case_number_search import case_number_pattern

NUMBERS = ["ESS-2026-000123", "ESS-2026-001123", "ESS-2026-000124", "ESS-2025-000123", "ESS-2026-012300"]


def found(typed: str) -> list[str]:
    """The numbers the pattern matches, as PostgreSQL's LIKE would (% any run, backslash escapes)."""
    pattern = case_number_pattern(typed)
    assert pattern is not None
    regex = "".join(".*" if part == "%" else re.escape(part.replace("\\", ""))
                    for part in re.split(r"(?<!\\)(%)", pattern))
    return [number for number in NUMBERS if re.fullmatch(regex, number)]


@pytest.mark.parametrize(("typed", "numbers"), [
    ("ESS-2026-000123", ["ESS-2026-000123"]),
    ("ess-2026-000123 ", ["ESS-2026-000123"]),
    ("ESS-2569-000123", ["ESS-2026-000123"]),  # the Buddhist-era year
    ("ESS-2569", ["ESS-2026-000123", "ESS-2026-001123", "ESS-2026-000124", "ESS-2026-012300"]),
    ("ESS-2026-0001", ["ESS-2026-000123", "ESS-2026-000124"]),
    ("123", ["ESS-2026-000123", "ESS-2026-001123", "ESS-2025-000123"]),  # the last digits, any year
    ("000123", ["ESS-2026-000123", "ESS-2025-000123"]),
    ("2569-123", ["ESS-2026-000123", "ESS-2026-001123"]),
    ("2568-123", ["ESS-2025-000123"]),
    ("2026-124", ["ESS-2026-000124"]),
])
def test_what_people_type_finds_the_numbers_they_mean(typed: str, numbers: list[str]) -> None:
    assert found(typed) == numbers


def test_nothing_typed_is_no_filter() -> None:
    assert case_number_pattern("  ") is None


def test_like_wildcards_typed_are_taken_literally() -> None:
    assert case_number_pattern("ESS_%") == "ESS\\_\\%%"
