"""The API (the image's uvicorn command) and `python worker.py` started with ESS_ENV=production on a
database a development start once filled with demo data: each refuses to start, saying how many demo
accounts and officers are active and how to take them out of service, never the demo password."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from configuration.settings import Settings
from database.accounts import DEMO_ACCOUNTS
from devstack.postgres import migrate_and_load_reference_data
from tests.operations.processes import PROJECT_ROOT, START_SECONDS, free_port_pair
from tests.operations.test_api_process import image_api_command
from tests.production import PRODUCTION_ENVIRONMENT, NewDatabase

COMMANDS = {
    "api": lambda: image_api_command(free_port_pair()),
    "worker": lambda: [sys.executable, "worker.py"],
}


@pytest.fixture(scope="module")
async def touched_by_development(new_database: NewDatabase) -> str:
    url = await new_database()
    await migrate_and_load_reference_data(url, Settings())
    return url


@pytest.mark.parametrize("process", COMMANDS)
async def test_production_will_not_start_while_demo_accounts_and_officers_are_active(
        process: str, touched_by_development: str) -> None:
    environment = os.environ | PRODUCTION_ENVIRONMENT | {
        "ESS_ENV": "production", "DATABASE_URL": touched_by_development, "ESS_WORKER_METRICS_PORT": "0",
        # Nothing listens there: a process that got past the database would fail differently.
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port_pair()}",
    }
    started = await asyncio.create_subprocess_exec(
        *COMMANDS[process](), cwd=PROJECT_ROOT, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(START_SECONDS):
        output, _ = await started.communicate()
    said = output.decode(errors="replace")

    assert started.returncode != 0, said
    assert f"{len(DEMO_ACCOUNTS)} active demo accounts" in said and "active demo officers" in said
    assert "python -m tools.demo_data remove" in said
    assert Settings().demo_password not in said
