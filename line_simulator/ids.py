"""Identifiers shaped like LINE's, so code that checks their form meets realistic values."""

from __future__ import annotations

import os
import secrets
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def user_id() -> str:
    """'U' + 32 hex digits, like a LINE user id."""
    return "U" + secrets.token_hex(16)


def reply_token() -> str:
    return secrets.token_hex(16)


def message_id() -> str:
    """LINE message ids are decimal strings of about 18 digits."""
    return str(secrets.randbelow(9 * 10**17) + 10**17)


def quote_token() -> str:
    return secrets.token_urlsafe(48)


def webhook_event_id() -> str:
    """A ULID (26 Crockford base32 characters): 48-bit milliseconds then 80 random bits."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))
