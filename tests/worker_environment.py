"""The environment a test hands to `python worker.py` run as a process of its own."""

from __future__ import annotations

import os

from configuration.settings import Settings


def worker_environment(settings: Settings, **more: str) -> dict[str, str]:
    """This machine's environment with the test's servers and LINE channel, plus `more`."""
    return {
        **os.environ,
        "ESS_ENV": "development",
        "DATABASE_URL": settings.database_url or "",
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "TEMPORAL_TASK_QUEUE": settings.temporal_task_queue,
        "LINE_API_BASE_URL": settings.line_api_base_url,
        "LINE_CHANNEL_ACCESS_TOKEN": settings.line_channel_access_token,
        "LINE_CHANNEL_SECRET": settings.line_channel_secret,
        **more,
    }
