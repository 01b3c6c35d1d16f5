"""Settings as a production deployment has them: its own strong secrets, never the public development
ones, and an https public address (production refuses to start otherwise, see configuration.settings); and
databases of its own, since a production start marks its database and refuses one with demo data
(see database.demo_data), which the session's shared database holds."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

from configuration.settings import Settings
from database.pool import init_connection
from devstack.postgres import migrate_and_load_reference_data

# Shaped like the real ones: a LINE channel secret is 32 hex digits, a long-lived channel access
# token 172 characters.
PRODUCTION_SECRETS = {
    "LINE_CHANNEL_SECRET": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "LINE_CHANNEL_ACCESS_TOKEN": base64.b64encode(bytes(range(128))).decode(),
    # LINE Login's channel: a ten-digit id, a secret shaped like the Messaging API channel's.
    "LINE_LOGIN_CHANNEL_ID": "1657012345",
    "LINE_LOGIN_CHANNEL_SECRET": "9a8b7c6d5e4f30211203f4e5d6c7b8a9",
    "ESS_PSEUDONYM_KEY": "a-pseudonym-key-of-the-province-kept-in-its-vault",
    "ESS_PAYLOAD_KEYS": "2026-01:" + base64.b64encode(bytes(range(32))).decode(),
}
# Where people reach the deployment: its links go into team members' LINE messages.
PRODUCTION_PUBLIC_URL = {"ESS_PUBLIC_URL": "https://ess.example.org"}
PRODUCTION_ENVIRONMENT = PRODUCTION_SECRETS | PRODUCTION_PUBLIC_URL


def production_settings(**values: Any) -> Settings:
    """Production settings with its own secrets; `values` (by environment variable name) add or override."""
    return Settings(**({"ESS_ENV": "production"} | PRODUCTION_ENVIRONMENT | values))


def in_production(settings: Settings, database_url: str) -> Settings:
    """A test's settings (its Temporal, its LINE platform) as production runs them: on a database
    of production's own, with production's secrets and public address."""
    production = production_settings(DATABASE_URL=database_url)
    return settings.model_copy(update={name: getattr(production, name) for name in (
        "environment", "database_url", "line_channel_secret", "line_channel_access_token", "pseudonym_key",
        "public_url", "line_login_channel_id", "line_login_channel_secret",
    )})


NewDatabase = Callable[[], Awaitable[str]]


@pytest.fixture(scope="session")
async def new_database(postgres_url: str) -> AsyncIterator[NewDatabase]:
    """Makes empty databases on the session's server (dropped at the end); each call, one more URL."""
    admin = await asyncpg.connect(postgres_url)
    names: list[str] = []

    async def make() -> str:
        name = f"ess_{uuid.uuid4().hex[:12]}"
        await admin.execute(f"CREATE DATABASE {name}")
        names.append(name)
        return urlsplit(postgres_url)._replace(path=f"/{name}").geturl()

    yield make
    for name in names:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    await admin.close()


@pytest.fixture(scope="session")
async def production_database_url(new_database: NewDatabase) -> str:
    """A database only production has started on: migrated, reference data without demo data, marked."""
    url = await new_database()
    await migrate_and_load_reference_data(url, production_settings())
    return url


@pytest.fixture(scope="session")
async def production_pool(production_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(production_database_url, min_size=1, max_size=4, init=init_connection)
    yield pool
    await pool.close()
