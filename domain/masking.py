"""A reporter's phone number as lists and exports show it: only the last four digits, in the
national layout officers know (081-234-5678 → xxx-xxx-5678), so a sheet that travels does not
carry a number anyone can call."""

from __future__ import annotations

THAI_COUNTRY_CODE = "66"
VISIBLE_DIGITS = 4
HIDDEN = "x"


def mask_phone(e164: str | None) -> str | None:
    """'+66812345678' → 'xxx-xxx-5678', '+6621234567' → 'xx-xxx-4567'; None stays None.

    A number that is not a Thai one keeps no layout: every digit but the last four is hidden."""
    if e164 is None:
        return None
    national = national_layout(e164)
    if national != e164:
        return _hide_all_but_last_digits(national)
    return _hide_all_but_last_digits("".join(character for character in e164 if character.isdigit()))


def national_layout(e164: str) -> str:
    """A Thai number as officers dial it ('+66812345678' → '081-234-5678'), the same layout
    domain.phone prints; any other number unchanged. Plain string work: an export calls this for
    every row."""
    if not e164.startswith("+" + THAI_COUNTRY_CODE):
        return e164
    national_digits = "0" + e164[len(THAI_COUNTRY_CODE) + 1 :]
    if not national_digits.isdigit():
        return e164
    return _thai_national_layout(national_digits) or e164


def _thai_national_layout(national_digits: str) -> str | None:
    """The layout domain.phone prints: mobiles 0XX-XXX-XXXX, Bangkok 02-XXX-XXXX, other lines
    0XX-XXX-XXX. None for a length no Thai number has."""
    if len(national_digits) == 10:
        return f"{national_digits[:3]}-{national_digits[3:6]}-{national_digits[6:]}"
    if len(national_digits) == 9 and national_digits.startswith("02"):
        return f"{national_digits[:2]}-{national_digits[2:5]}-{national_digits[5:]}"
    if len(national_digits) == 9:
        return f"{national_digits[:3]}-{national_digits[3:6]}-{national_digits[6:]}"
    return None


def _hide_all_but_last_digits(text: str) -> str:
    """Digits become 'x' except the last four; separators stay. A number of four digits or fewer
    is hidden entirely: showing it would show all of it."""
    digit_count = sum(character.isdigit() for character in text)
    keep = VISIBLE_DIGITS if digit_count > VISIBLE_DIGITS else 0
    digits_seen = 0
    masked = []
    for character in text:
        if character.isdigit():
            masked.append(character if digits_seen >= digit_count - keep else HIDDEN)
            digits_seen += 1
        else:
            masked.append(character)
    return "".join(masked)
