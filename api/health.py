"""Health checks for load balancers and orchestrators.

GET /health/live: the process serves requests (nothing else is asked; for restarts).
GET /health: it can do its work: PostgreSQL answers a query and the Temporal frontend its health
check, each within 2 seconds (both at once). 503 names what failed; never an address or a message
that could carry one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import timedelta
from typing import Literal

import asyncpg
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from temporalio.client import Client

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0

Check = Literal["ok", "unavailable"]


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    postgres: Check
    temporal: Check


class Liveness(BaseModel):
    status: Literal["ok"]


def health_router() -> APIRouter:
    """The checks read the pool and the Temporal client the app's lifespan keeps in app.state."""
    router = APIRouter(tags=["operations"])

    @router.get(
        "/health",
        response_model=Health,
        summary="Ready: PostgreSQL and Temporal answer",
        responses={503: {"model": Health, "description": "PostgreSQL or Temporal did not answer in time"}},
    )
    async def health(request: Request) -> JSONResponse:
        state = request.app.state
        report = await check_health(getattr(state, "pool", None), getattr(state, "temporal", None))
        return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)

    @router.get("/health/live", response_model=Liveness, summary="Alive: the process answers")
    async def live() -> Liveness:
        return Liveness(status="ok")

    return router


async def check_health(pool: asyncpg.Pool | None, temporal: Client | None) -> Health:
    postgres, temporal_check = await asyncio.gather(
        _check("postgres", _postgres_answers(pool)), _check("temporal", _temporal_answers(temporal))
    )
    everything_ok = postgres == "ok" and temporal_check == "ok"
    return Health(status="ok" if everything_ok else "unavailable", postgres=postgres, temporal=temporal_check)


async def _check(name: str, answers: Awaitable[bool]) -> Check:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            if await answers:
                return "ok"
        log.warning("health: %s is not serving", name)
    except TimeoutError:
        log.warning("health: %s did not answer within %.0f s", name, CHECK_SECONDS)
    except Exception as error:
        log.warning("health: %s check failed (%s)", name, type(error).__name__)
    return "unavailable"


async def _postgres_answers(pool: asyncpg.Pool | None) -> bool:
    if pool is None:  # still starting
        return False
    return await pool.fetchval("SELECT 1") == 1


async def _temporal_answers(client: Client | None) -> bool:
    if client is None:
        return False
    return await client.service_client.check_health(timeout=timedelta(seconds=CHECK_SECONDS))
