"""Waiting until a server really answers, not just until its process exists."""

from __future__ import annotations

import asyncio
import time

import httpx
from temporalio.client import Client


class NotReady(Exception):
    pass


async def wait_for_temporal(address: str, namespace: str, timeout_seconds: float) -> Client:
    """A connected client once the frontend answers its health check."""
    deadline = time.monotonic() + timeout_seconds
    last_problem: Exception | None = None
    while True:
        try:
            client = await Client.connect(address, namespace=namespace)
            if await client.service_client.check_health():
                return client
        except Exception as problem:
            last_problem = problem
        else:
            last_problem = None
        if time.monotonic() > deadline:
            raise NotReady(f"Temporal at {address} did not answer within {timeout_seconds:.0f} s ({last_problem})")
        await asyncio.sleep(0.25)


async def wait_for_http(url: str, timeout_seconds: float) -> None:
    """Any HTTP answer counts: the server has finished starting and is serving requests."""
    deadline = time.monotonic() + timeout_seconds
    # trust_env=False: a proxy configured for the internet must not see local checks.
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as http:
        while True:
            try:
                await http.get(url)
                return
            except httpx.TransportError as problem:
                if time.monotonic() > deadline:
                    raise NotReady(f"{url} did not answer within {timeout_seconds:.0f} s ({problem})") from None
            await asyncio.sleep(0.25)
