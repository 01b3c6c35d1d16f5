"""Reference data every installation starts with: incident types, Thailand's geography from
geothai, and (for development and demonstrations) one synthetic police station per district.

Runs at every start of the API and the worker, so the second run must cost almost nothing:
geography is reloaded only when the geothai data version changes.
"""

from __future__ import annotations

import logging

import asyncpg
import geothai

from domain.geography import district_seats

logger = logging.getLogger(__name__)

REFERENCE_DATA_LOCK_KEY = 0x455353_52454644  # "ESS" "REFD"
GEOGRAPHY_DATASET = "geothai"
DEMO_STATIONS_DATASET = "demo-stations"
DEMO_STATION_PREFIX = "DEMO-"

# DOMAIN.md's five types. Administrators may edit them later: only missing codes are inserted.
INCIDENT_TYPES: tuple[tuple[str, str, str], ...] = (
    ("THREAT_ASSAULT", "ข่มขู่จะทำร้าย / ทำร้าย", "Threatened with harm, or assaulted"),
    ("DETENTION", "กักขังหน่วงเหนี่ยว", "Unlawfully detained or confined"),
    ("SEXUAL_ABUSE_RISK", "เสี่ยงถูกล่วงละเมิดทางเพศ", "At risk of sexual abuse"),
    ("DERANGED_PERSON", "ผู้คลุ้มคลั่งก่อให้เกิดเหตุร้าย", "A deranged person causing danger"),
    ("GATHERING", "มั่วสุมจนก่อให้เกิดเหตุร้าย", "A gathering causing danger"),
)


async def load_reference_data(connection: asyncpg.Connection, *, include_demo_stations: bool = True) -> None:
    """Idempotent. Pass include_demo_stations=False where real stations are maintained."""
    async with connection.transaction():
        # The API and the worker start together; one loads, the other waits and finds it done.
        await connection.execute("SELECT pg_advisory_xact_lock($1)", REFERENCE_DATA_LOCK_KEY)
        await _insert_missing_incident_types(connection)
        if await _loaded_version(connection, GEOGRAPHY_DATASET) != geothai.DATA_VERSION:
            await _load_geography(connection)
            await _mark_loaded(connection, GEOGRAPHY_DATASET, geothai.DATA_VERSION)
            logger.info("loaded Thailand's geography, data version %s", geothai.DATA_VERSION)
        if include_demo_stations and await _loaded_version(connection, DEMO_STATIONS_DATASET) != geothai.DATA_VERSION:
            await _insert_demo_stations(connection)
            await _mark_loaded(connection, DEMO_STATIONS_DATASET, geothai.DATA_VERSION)
            logger.info("added demonstration police stations")


async def _insert_missing_incident_types(connection: asyncpg.Connection) -> None:
    await connection.executemany(
        """
        INSERT INTO incident_types (code, label_th, label_en, sort_order)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (code) DO NOTHING
        """,
        [(code, th, en, (index + 1) * 10) for index, (code, th, en) in enumerate(INCIDENT_TYPES)],
    )


async def _load_geography(connection: asyncpg.Connection) -> None:
    provinces = [(p.code, p.name_th, p.name_en) for p in geothai.provinces()]
    districts = [(d.code, d.province_code, d.name_th, d.name_en) for p in geothai.provinces() for d in geothai.districts(p.code)]
    subdistricts = [
        (s.code, s.district_code, s.name_th, s.name_en, list(s.postal_codes))
        for d in districts
        for s in geothai.subdistricts(d[0])
    ]
    # Parents first, so the foreign keys hold at every step.
    await _upsert(connection, "provinces", ["code", "name_th", "name_en"], provinces)
    await _upsert(connection, "districts", ["code", "province_code", "name_th", "name_en"], districts)
    await _upsert(
        connection, "subdistricts", ["code", "district_code", "name_th", "name_en", "postal_codes"], subdistricts
    )


async def _upsert(connection: asyncpg.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Bulk insert-or-update by code: COPY into a scratch table, then one INSERT ... ON CONFLICT."""
    scratch = f"incoming_{table}"
    await connection.execute(
        f"CREATE TEMPORARY TABLE {scratch} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    await connection.copy_records_to_table(scratch, records=rows, columns=columns)
    column_list = ", ".join(columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "code")
    changed = " OR ".join(f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in columns if c != "code")
    await connection.execute(
        f"""
        INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {scratch}
        ON CONFLICT (code) DO UPDATE SET {updates} WHERE {changed}
        """
    )


async def _insert_demo_stations(connection: asyncpg.Connection) -> None:
    """One synthetic station per district, clearly named as sample data; placed at the district's
    main town when the bundled place data knows it."""
    seats = district_seats()
    stations = []
    for province in geothai.provinces():
        for district in geothai.districts(province.code):
            latitude, longitude = seats.get(district.code, (None, None))
            stations.append(
                (
                    DEMO_STATION_PREFIX + district.code,
                    f"สถานีตำรวจ{geothai.normalize(district.name_th)} (ข้อมูลตัวอย่าง)",
                    f"{district.name_en} Police Station (demo)",
                    province.code,
                    latitude,
                    longitude,
                    district.code,
                )
            )
    await connection.execute(
        """
        CREATE TEMPORARY TABLE incoming_stations (
            code text, name_th text, name_en text, province_code text,
            latitude double precision, longitude double precision, district_code text
        ) ON COMMIT DROP
        """
    )
    await connection.copy_records_to_table("incoming_stations", records=stations)
    await connection.execute(
        """
        INSERT INTO stations (code, name_th, name_en, province_code, latitude, longitude, is_demo)
        SELECT code, name_th, name_en, province_code, latitude, longitude, true FROM incoming_stations
        ON CONFLICT (code) DO NOTHING
        """
    )
    await connection.execute(
        """
        INSERT INTO station_districts (station_id, district_code)
        SELECT stations.id, incoming.district_code
        FROM incoming_stations AS incoming JOIN stations USING (code)
        ON CONFLICT DO NOTHING
        """
    )


async def _loaded_version(connection: asyncpg.Connection, dataset: str) -> str | None:
    return await connection.fetchval("SELECT version FROM reference_data_loads WHERE dataset = $1", dataset)


async def _mark_loaded(connection: asyncpg.Connection, dataset: str, version: str) -> None:
    await connection.execute(
        """
        INSERT INTO reference_data_loads (dataset, version) VALUES ($1, $2)
        ON CONFLICT (dataset) DO UPDATE SET version = EXCLUDED.version, loaded_at = now()
        """,
        dataset,
        version,
    )
