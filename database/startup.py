"""What the API and the worker do with the database before serving: migrate, then load
reference data. Both are safe to run from several processes at once. Then the cases a worker
of the previous release left FORWARDED after the team accepted them read HANDED_OVER
(database.cases.hand_over_accepted_cases).

Demonstration data is for development only: production marks its database and refuses to serve
while demo data is active in it; development refuses to add demo data to a database so marked
(database.demo_data; the command that removes it: tools/demo_data.py)."""

from __future__ import annotations

import asyncpg

from configuration.settings import Settings
from database.accounts import ensure_demo_accounts
from database.cases import hand_over_accepted_cases
from database.demo_data import refuse_demo_data_in_production, refuse_to_seed_a_production_database
from database.migrate import migrate
from database.reference_data import load_reference_data


async def prepare_database(pool: asyncpg.Pool, settings: Settings) -> None:
    async with pool.acquire() as connection:
        await migrate(connection)
        await hand_over_accepted_cases(connection)
        if settings.is_development:
            await refuse_to_seed_a_production_database(connection)
        # Synthetic stations are for development; production keeps its real directory.
        await load_reference_data(connection, include_demo_stations=settings.is_development)
        if settings.is_development:
            await ensure_demo_accounts(connection, settings.demo_password)
        else:
            await refuse_demo_data_in_production(connection)
