"""Development-only stand-ins for LINE: a fake LINE platform and the simulator page under /dev/."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from configuration.settings import Settings
    from line_simulator.line_platform import FakeLinePlatform


def mount_simulator(app: FastAPI, settings: Settings) -> FakeLinePlatform:
    """Mount the fake LINE API at /dev/line-api and the simulator page at /dev/ (development only)."""
    from line_simulator.page import mount

    return mount(app, settings)
