"""Settings as a production deployment has them: its own strong secrets, never the public development
ones, and an https public address (production refuses to start otherwise, see domain.settings)."""

from __future__ import annotations

import base64
from typing import Any

from domain.settings import Settings

# Shaped like the real ones: a LINE channel secret is 32 hex digits, a long-lived channel access
# token 172 characters.
PRODUCTION_SECRETS = {
    "LINE_CHANNEL_SECRET": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "LINE_CHANNEL_ACCESS_TOKEN": base64.b64encode(bytes(range(128))).decode(),
    "ESS_PSEUDONYM_KEY": "a-pseudonym-key-of-the-province-kept-in-its-vault",
    "ESS_PAYLOAD_KEYS": "2026-01:" + base64.b64encode(bytes(range(32))).decode(),
}
# Where people reach the deployment: its links go into team members' LINE messages.
PRODUCTION_PUBLIC_URL = {"ESS_PUBLIC_URL": "https://ess.example.org"}
PRODUCTION_ENVIRONMENT = PRODUCTION_SECRETS | PRODUCTION_PUBLIC_URL


def production_settings(**values: Any) -> Settings:
    """Production settings with its own secrets; `values` (by environment variable name) add or override."""
    return Settings(**({"ESS_ENV": "production"} | PRODUCTION_ENVIRONMENT | values))
