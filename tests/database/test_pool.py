"""Where the database is: DATABASE_URL, or in development the embedded server under the data folder."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from configuration.settings import Settings
from database.pool import create_pool, database_url, stop_embedded_postgres
from tests.production import production_settings


def test_a_configured_database_url_is_used_as_it_is() -> None:
    settings = production_settings(DATABASE_URL="postgresql://ess@db.example:5432/ess")
    assert database_url(settings) == "postgresql://ess@db.example:5432/ess"


def test_production_without_a_database_url_refuses_to_start(tmp_path: Path) -> None:
    settings = production_settings(DATABASE_URL=None, ESS_DATA_DIR=tmp_path)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        database_url(settings)


async def test_development_starts_the_embedded_server_once_and_shares_it(tmp_path: Path) -> None:
    settings = Settings(DATABASE_URL=None, ESS_ENV="development", ESS_DATA_DIR=tmp_path / "data")
    try:
        first = database_url(settings)
        assert database_url(settings) == first
        assert (tmp_path / "data" / "postgres" / "PG_VERSION").exists()
        connection = await asyncpg.connect(first)
        assert await connection.fetchval("SELECT 1") == 1
        await connection.close()
    finally:
        assert stop_embedded_postgres(settings) is True
    assert stop_embedded_postgres(settings) is False


async def test_the_pool_reads_and_writes_jsonb_as_python_values(database_url: str) -> None:
    pool = await create_pool(Settings(DATABASE_URL=database_url))
    try:
        value = {"status": "CLOSED", "note": "ปิดเหตุ", "officers": [1, 2]}
        assert await pool.fetchval("SELECT $1::jsonb", value) == value
    finally:
        await pool.close()
