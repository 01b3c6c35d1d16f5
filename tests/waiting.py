"""Waiting for what happens a moment later (a row the worker writes after the reply went out)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(read: Callable[[], Awaitable[T]], timeout: float = 15.0) -> T:
    """The first truthy result of `read`, polled until `timeout` seconds pass."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await read()
        if result or loop.time() > deadline:
            assert result, f"nothing came within {timeout} s"
            return result
        await asyncio.sleep(0.05)
