"""LINE's webhook signature: base64(HMAC-SHA256(raw body, channel secret)) in X-Line-Signature.

Checked on the bytes as received, before anything decodes them: re-serialised JSON differs (Thai
text), and bytes that are not even UTF-8 are still only an unsigned request."""

from __future__ import annotations

import base64
import hashlib
import hmac


def line_signature(body: bytes, channel_secret: str) -> str:
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_by_line(body: bytes, signature: str, channel_secret: str) -> bool:
    # Constant time; headers arrive as latin-1 text, so any header value encodes back to its bytes.
    return hmac.compare_digest(line_signature(body, channel_secret).encode(), signature.encode("latin-1"))
