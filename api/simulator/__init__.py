"""Development-only stand-ins for LINE: a fake LINE platform and the simulator page under /dev/."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from api.simulator.line_platform import FakeLinePlatform
    from domain.settings import Settings


def mount_simulator(app: FastAPI, settings: Settings) -> FakeLinePlatform:
    """Mount the fake LINE API at /dev/line-api and the simulator page at /dev/ (development only)."""
    from api.simulator.page import mount

    return mount(app, settings)
