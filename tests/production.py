"""Settings as a production deployment has them: its own secrets, never the public development ones
(production refuses to start with those, see domain.settings)."""

from __future__ import annotations

import base64
from typing import Any

from domain.settings import Settings

PRODUCTION_SECRETS = {
    "LINE_CHANNEL_SECRET": "a-channel-secret-of-the-province",
    "LINE_CHANNEL_ACCESS_TOKEN": "an-access-token-of-the-province",
    "ESS_PSEUDONYM_KEY": "a-pseudonym-key-of-the-province",
    "ESS_PAYLOAD_KEYS": "2026-01:" + base64.b64encode(bytes(range(32))).decode(),
}


def production_settings(**values: Any) -> Settings:
    """Production settings with its own secrets; `values` (by environment variable name) add or override."""
    return Settings(**({"ESS_ENV": "production"} | PRODUCTION_SECRETS | values))
