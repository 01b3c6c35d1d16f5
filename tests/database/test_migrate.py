"""Migrations: applied once each, in order, even when the API and the worker start together."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest

from database.migrate import available_migrations, migrate

# The bookkeeping table as migrate() creates it, for databases set up by hand before it runs.
SCHEMA_MIGRATIONS_TABLE = (
    "CREATE TABLE schema_migrations (version text PRIMARY KEY, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())"
)


@pytest.fixture
async def empty_database(postgres_url: str) -> AsyncIterator[str]:
    """A new, empty database on the session's server; its name."""
    name = f"migrate_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_url)
    await admin.execute(f"CREATE DATABASE {name}")
    yield name
    await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    await admin.close()


async def test_migrations_are_named_in_order() -> None:
    import re
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "database" / "migrations"
    on_disk = {path.stem: path.read_text(encoding="utf-8") for path in folder.glob("*.sql")}
    assert all(re.fullmatch(r"\d{4}_[a-z0-9_]+", name) for name in on_disk), sorted(on_disk)
    # Numbered 0001, 0002, … with no gap and no number used twice.
    assert sorted(int(name[:4]) for name in on_disk) == list(range(1, len(on_disk) + 1))

    # Every file is given, in the order of its number, with its own SQL.
    migrations = available_migrations()
    assert [version for version, _ in migrations] == sorted(on_disk, key=lambda name: int(name[:4]))
    assert all(sql == on_disk[version] for version, sql in migrations)


async def test_an_empty_database_gets_every_migration_then_none(postgres_url: str, empty_database: str) -> None:
    connection = await asyncpg.connect(postgres_url, database=empty_database)
    try:
        assert await migrate(connection) == [version for version, _ in available_migrations()]
        assert await migrate(connection) == []
        recorded = await connection.fetchval("SELECT count(*) FROM schema_migrations")
        assert recorded == len(available_migrations())
    finally:
        await connection.close()


async def test_the_shared_test_database_is_already_up_to_date(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        assert await migrate(connection) == []


async def test_processes_starting_together_apply_each_migration_once(postgres_url: str, empty_database: str) -> None:
    connections = [await asyncpg.connect(postgres_url, database=empty_database) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(connection) for connection in connections))
    finally:
        for connection in connections:
            await connection.close()
    applied = [versions for versions in results if versions]
    assert len(applied) == 1
    assert applied[0] == [version for version, _ in available_migrations()]


async def test_the_schema_has_the_tables_the_application_uses(pool: asyncpg.Pool) -> None:
    tables = {
        row["table_name"]
        for row in await pool.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    }
    assert {
        "provinces",
        "districts",
        "subdistricts",
        "incident_types",
        "stations",
        "station_districts",
        "case_number_counters",
        "case_numbers",
        "cases",
        "case_events",
        "case_attachments",
        "webhook_events",
    } <= tables


async def test_a_webhook_event_id_is_taken_only_once(pool: asyncpg.Pool) -> None:
    event_id = f"01TEST{uuid.uuid4().hex}"
    insert = "INSERT INTO webhook_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id"
    assert await pool.fetchval(insert, event_id) == event_id
    assert await pool.fetchval(insert, event_id) is None


async def test_an_installation_from_before_dispatch_gets_the_new_schema_and_ladders(
    postgres_url: str, empty_database: str
) -> None:
    from pydantic import TypeAdapter

    from domain.escalation import DEFAULT_LADDER
    from domain.models import EscalationRung

    connection = await asyncpg.connect(postgres_url, database=empty_database)
    try:
        first_version, first_sql = available_migrations()[0]
        await connection.execute(first_sql)
        await connection.execute(SCHEMA_MIGRATIONS_TABLE)
        await connection.execute("INSERT INTO schema_migrations (version, checksum) VALUES ($1, '-')", first_version)
        await connection.execute(
            "INSERT INTO incident_types (code, label_th, label_en) VALUES ('DETENTION', 'กักขัง', 'Detained')")
        applied = await migrate(connection)
        assert applied[0].startswith("0002_")
        ladder = await connection.fetchval("SELECT escalation::text FROM incident_types WHERE code = 'DETENTION'")
        assert TypeAdapter(list[EscalationRung]).validate_json(ladder) == DEFAULT_LADDER
        assert await connection.fetchval("SELECT label_th FROM incident_types WHERE code = 'DETENTION'") == "กักขัง"
    finally:
        await connection.close()


async def test_the_dispatch_tables_other_parts_rely_on_exist(pool: asyncpg.Pool) -> None:
    columns = {
        (row["table_name"], row["column_name"])
        for row in await pool.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'")
    }
    assert {
        ("officers", "line_user_id"),
        ("officer_registration_codes", "code_hash"),
        ("officer_access_tokens", "token_hash"),
        ("officer_access_tokens", "revoked_at"),
        ("audit_log", "details"),
        ("stations", "kind"),
        ("incident_types", "escalation"),
        ("cases", "escalation_level"),
        ("cases", "review_flag"),
    } <= columns


async def test_api_tokens_issued_before_they_expired_get_ninety_days_from_when_they_were_made(
    postgres_url: str, empty_database: str
) -> None:
    connection = await asyncpg.connect(postgres_url, database=empty_database)
    try:
        await connection.execute(SCHEMA_MIGRATIONS_TABLE)
        for version, sql in available_migrations():
            if version >= "0012_":
                break
            await connection.execute(sql)
            await connection.execute("INSERT INTO schema_migrations (version, checksum) VALUES ($1, '-')", version)
        officer_id = await connection.fetchval(
            "INSERT INTO officers (code, name, role) VALUES ('OLD-TOKEN', 'ทดสอบ', 'NATIONAL_DESK') RETURNING id")
        await connection.execute(
            "INSERT INTO officer_access_tokens (token_hash, officer_id, created_at) "
            "VALUES ('old', $1, '2026-01-01T00:00:00Z'), ('older', $1, '2025-01-01T00:00:00Z')", officer_id)

        assert "0012_api_token_expiry" in await migrate(connection)

        lifetimes = await connection.fetch(
            "SELECT expires_at - created_at AS lifetime, last_used_at FROM officer_access_tokens")
        assert [(row["lifetime"], row["last_used_at"]) for row in lifetimes] == [(timedelta(days=90), None)] * 2
    finally:
        await connection.close()
