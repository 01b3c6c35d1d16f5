"""Reporter keys: a keyed hash of the LINE user id, so workflow ids name a reporter without
revealing who they are."""

import hashlib
import hmac


def reporter_key(line_user_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), line_user_id.encode(), hashlib.sha256).hexdigest()
    return digest[:24]
