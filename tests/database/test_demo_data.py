"""Demonstration data never serves in production: a production start marks its database and refuses
to go on while active demo accounts or demo officers are in it (saying how many, never a password);
development refuses to seed demo data into a marked database; and `python -m tools.demo_data
remove` takes the demo data out of service. (Demo accounts never sign in there either: see
tests/api/back_office/test_demo_accounts.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from configuration.settings import Settings
from database.accounts import DEMO_ACCOUNTS
from database.demo_data import DemoDataInProduction, DemoDataRefused, active_demo_data
from database.sessions import current_session, start_session
from devstack.postgres import migrate_and_load_reference_data
from tests.production import PRODUCTION_ENVIRONMENT, NewDatabase, production_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = Settings().demo_password


@pytest.fixture
async def touched_by_development(new_database: NewDatabase) -> str:
    """A database `make run` once started on: demo stations, officers, team and accounts."""
    url = await new_database()
    await migrate_and_load_reference_data(url, Settings())
    return url


async def counts(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        return (await active_demo_data(connection)).as_counts()
    finally:
        await connection.close()


async def test_production_refuses_to_start_on_demo_data_and_says_how_many_never_a_password(
        touched_by_development: str) -> None:
    demo = await counts(touched_by_development)
    assert demo["accounts"] == len(DEMO_ACCOUNTS) and demo["officers"] > 0

    with pytest.raises(DemoDataInProduction) as refused:
        await migrate_and_load_reference_data(touched_by_development, production_settings())

    message = str(refused.value)
    assert f"{demo['accounts']} " in message and f"{demo['officers']:,} " in message
    assert "python -m tools.demo_data remove" in message
    assert DEMO_PASSWORD not in message and "admin" not in message


async def test_once_production_started_on_a_database_development_will_not_seed_demo_data_into_it(
        production_database_url: str, new_database: NewDatabase) -> None:
    with pytest.raises(DemoDataRefused):
        await migrate_and_load_reference_data(production_database_url, Settings())
    assert await counts(production_database_url) == {"accounts": 0, "officers": 0, "team_members": 0, "agencies": 0}

    refused_at_first = await new_database()  # marked even by a start that refused to go on
    await migrate_and_load_reference_data(refused_at_first, Settings())
    with pytest.raises(DemoDataInProduction):
        await migrate_and_load_reference_data(refused_at_first, production_settings())
    with pytest.raises(DemoDataRefused):
        await migrate_and_load_reference_data(refused_at_first, Settings())


async def test_removing_the_demo_data_lets_production_start_and_ends_demo_sessions(
        touched_by_development: str) -> None:
    connection = await asyncpg.connect(touched_by_development)
    try:
        admin_id = await connection.fetchval("SELECT id FROM accounts WHERE username = 'admin'")
        token, _ = await start_session(connection, admin_id)
    finally:
        await connection.close()

    removed = subprocess.run(
        [sys.executable, "-m", "tools.demo_data", "remove"], cwd=PROJECT_ROOT, capture_output=True, text=True,
        env=os.environ | {"ESS_ENV": "production", "DATABASE_URL": touched_by_development} | PRODUCTION_ENVIRONMENT,
        timeout=60,
    )

    assert removed.returncode == 0, removed.stderr
    assert f"{len(DEMO_ACCOUNTS)} demo accounts" in removed.stdout
    assert await counts(touched_by_development) == {"accounts": 0, "officers": 0, "team_members": 0, "agencies": 0}
    await migrate_and_load_reference_data(touched_by_development, production_settings())  # starts now
    connection = await asyncpg.connect(touched_by_development)
    try:
        assert await current_session(connection, token) is None
    finally:
        await connection.close()
