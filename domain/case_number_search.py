"""What a person types to find a case by its number, read into one LIKE pattern over case numbers
(`ESS-2026-000123`). People read numbers aloud from the phone or a note: they type the whole number,
its start, its last digits, or the year as Thais write it (the Buddhist era, 2569 for 2026)."""

from __future__ import annotations

import re

from domain.dates import BUDDHIST_ERA_OFFSET

# A four-digit year at or above this is a Buddhist-era year (2026 CE is 2569 BE).
FIRST_BUDDHIST_ERA_YEAR = 2400
_YEAR_AND_DIGITS = re.compile(r"(\d{4})-(\d+)")
_FULL_START = re.compile(r"ESS-(\d{4})(-.*)?")


def _common_era(year: str) -> str:
    number = int(year)
    return str(number - BUDDHIST_ERA_OFFSET) if number >= FIRST_BUDDHIST_ERA_YEAR else year


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def case_number_pattern(typed: str) -> str | None:
    """A LIKE pattern (backslash escapes) for the case numbers the typed text means; None for nothing typed.

    - `ESS-2026-0001`, `ess-2569-000123`: numbers that start so (a Buddhist-era year read as its CE year);
    - `123`, `000123`: numbers whose running number ends in those digits, any year;
    - `2569-123`, `2026-123`: the same, in that year."""
    text = re.sub(r"\s+", "", typed).upper()
    if not text:
        return None
    if text.isdigit():
        return f"%-%{text}"
    year_and_digits = _YEAR_AND_DIGITS.fullmatch(text)
    if year_and_digits:
        year, digits = year_and_digits.groups()
        return f"%-{_common_era(year)}-%{digits}"
    full_start = _FULL_START.fullmatch(text)
    if full_start:
        year, rest = full_start.groups()
        text = f"ESS-{_common_era(year)}{rest or ''}"
    return f"{_escaped(text)}%"
