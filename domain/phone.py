"""Reading the phone number a reporter typed: a number an officer can call back, Thai or from abroad
(a tourist's), on its own or inside a sentence ("my number is +66 81 234 5679")."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, NumberParseException, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

from domain.models import PhoneNumber

THAILAND = "TH"
THAI_COUNTRY_CODE = 66
# Numbers an officer can call back. Toll-free, premium and short codes (191, 1300) are not.
_CALLABLE_TYPES = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.VOIP,
}
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Digits with the separators people type; no letters (phonenumbers would read them as a keypad).
_PHONE_LIKE = re.compile(r"\+?\(?[0-9][0-9 \-.()]*")
_LONGEST_INPUT = 32
# A message is searched this far: a number is given early, and the search costs time per character.
_LONGEST_SENTENCE = 500

INVALID = PhoneNumber(valid=False)


def read_phone_number(text: str) -> PhoneNumber:
    """A number typed on its own: E.164 and a display form (081-234-5678, or +44 7700 900123 for
    a number from abroad), or PhoneNumber(valid=False)."""
    cleaned = text.translate(_THAI_DIGITS).strip()
    if len(cleaned) > _LONGEST_INPUT or not _PHONE_LIKE.fullmatch(cleaned):
        return INVALID
    try:
        number = phonenumbers.parse(cleaned, THAILAND)
    except NumberParseException:
        return INVALID
    return _phone(number) if _can_be_called(number) else INVALID


def find_phone_number(text: str) -> PhoneNumber:
    """The first number to call back in what a reporter wrote: on its own, or inside a sentence."""
    alone = read_phone_number(text)
    if alone.valid:
        return alone
    sentence = text[:_LONGEST_SENTENCE].translate(_THAI_DIGITS)
    for match in PhoneNumberMatcher(sentence, THAILAND, leniency=Leniency.POSSIBLE):
        if _can_be_called(match.number):
            return _phone(match.number)
    return INVALID


def _can_be_called(number: phonenumbers.PhoneNumber) -> bool:
    """A Thai number must be one Thailand has given out. A number from abroad needs a length its
    country uses and no toll-free or premium type: the library's list of ranges in use lags
    behind the world's, and refusing a tourist costs more than a call to a wrong number."""
    if number.country_code is None:  # parsing always sets it; without one there is nothing to dial
        return False
    if number.country_code == THAI_COUNTRY_CODE:
        return (phonenumbers.is_valid_number_for_region(number, THAILAND)
                and phonenumbers.number_type(number) in _CALLABLE_TYPES)
    if phonenumbers.is_valid_number(number):
        return phonenumbers.number_type(number) in _CALLABLE_TYPES
    return (phonenumbers.region_code_for_country_code(number.country_code) not in ("ZZ", "001")
            and phonenumbers.is_possible_number(number))


def _phone(number: phonenumbers.PhoneNumber) -> PhoneNumber:
    number.extension = None  # a switchboard's extension cannot be dialled from a mobile
    if number.country_code == THAI_COUNTRY_CODE:
        shown = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL).replace(" ", "-")
    else:
        shown = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return PhoneNumber(valid=True, e164=phonenumbers.format_number(number, PhoneNumberFormat.E164), national=shown)
