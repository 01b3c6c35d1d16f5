"""Links to a reporter's photo for officers' LINE chats: LINE shows an image message by fetching
its URL, with no session, so the URL itself carries the permission — signed, for one attachment,
until a time. Stdlib only.

The key is derived from ESS_PSEUDONYM_KEY for this one use, so a link's signature says nothing
about pseudonyms and needs no secret of its own."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlencode

# Long enough for an officer on a night shift to scroll back to it; short enough not to live on.
LINK_LIFETIME = timedelta(days=2)
PATH = "/line/attachments"


def _signature(attachment_id: int, expires: int, secret: str) -> str:
    key = hmac.new(secret.encode(), b"attachment-links", hashlib.sha256).digest()
    digest = hmac.new(key, f"{attachment_id}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def attachment_link(public_url: str, attachment_id: int, now: datetime, secret: str) -> str:
    expires = int((now + LINK_LIFETIME).timestamp())
    query = urlencode({"expires": expires, "signature": _signature(attachment_id, expires, secret)})
    return f"{public_url.rstrip('/')}{PATH}/{attachment_id}?{query}"


def link_is_valid(attachment_id: int, expires: int, signature: str, now: datetime, secret: str) -> bool:
    if expires < now.timestamp():
        return False
    return hmac.compare_digest(_signature(attachment_id, expires, secret), signature)
