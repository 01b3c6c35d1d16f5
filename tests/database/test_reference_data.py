"""Reference data: complete on the first start, cheap and respectful of edits on every later one."""

from __future__ import annotations

import time

import asyncpg

from database.reference_data import load_reference_data


async def test_all_of_thailands_geography_is_loaded(pool: asyncpg.Pool) -> None:
    assert await pool.fetchval("SELECT count(*) FROM provinces") == 77
    assert await pool.fetchval("SELECT count(*) FROM districts") == 928
    assert await pool.fetchval("SELECT count(*) FROM subdistricts") == 7436


async def test_subdistricts_carry_their_postal_codes(pool: asyncpg.Pool) -> None:
    names = await pool.fetch(
        "SELECT name_en FROM subdistricts WHERE postal_codes @> ARRAY['84280'] ORDER BY code"
    )
    assert [row["name_en"] for row in names] == ["Ko Pha-ngan", "Ban Tai"]
    bangkok = await pool.fetchrow("SELECT name_th, name_en FROM provinces WHERE code = '10'")
    assert dict(bangkok) == {"name_th": "กรุงเทพมหานคร", "name_en": "Bangkok"}


async def test_the_five_incident_types_are_there_in_order(pool: asyncpg.Pool) -> None:
    codes = [row["code"] for row in await pool.fetch("SELECT code FROM incident_types ORDER BY sort_order")]
    assert codes[:5] == ["THREAT_ASSAULT", "DETENTION", "SEXUAL_ABUSE_RISK", "DERANGED_PERSON", "GATHERING"]


async def test_an_administrators_label_survives_a_restart(pool: asyncpg.Pool) -> None:
    original = await pool.fetchval("SELECT label_th FROM incident_types WHERE code = 'GATHERING'")
    await pool.execute("UPDATE incident_types SET label_th = 'มั่วสุม (แก้ไขโดยผู้ดูแล)' WHERE code = 'GATHERING'")
    try:
        async with pool.acquire() as connection:
            await load_reference_data(connection)
        edited = await pool.fetchval("SELECT label_th FROM incident_types WHERE code = 'GATHERING'")
        assert edited == "มั่วสุม (แก้ไขโดยผู้ดูแล)"
    finally:
        await pool.execute("UPDATE incident_types SET label_th = $1 WHERE code = 'GATHERING'", original)


async def test_a_retired_incident_type_stays_retired_after_a_restart(pool: asyncpg.Pool) -> None:
    await pool.execute("UPDATE incident_types SET active = false WHERE code = 'DETENTION'")
    try:
        async with pool.acquire() as connection:
            await load_reference_data(connection)
        assert await pool.fetchval("SELECT active FROM incident_types WHERE code = 'DETENTION'") is False
    finally:
        await pool.execute("UPDATE incident_types SET active = true WHERE code = 'DETENTION'")


async def test_every_district_has_one_demo_station_marked_as_sample_data(pool: asyncpg.Pool) -> None:
    assert await pool.fetchval("SELECT count(*) FROM stations WHERE is_demo") == 928
    uncovered = await pool.fetchval(
        """
        SELECT count(*) FROM districts
        WHERE NOT EXISTS (SELECT 1 FROM station_districts WHERE district_code = districts.code)
        """
    )
    assert uncovered == 0
    khlong_toei = await pool.fetchrow(
        """
        SELECT s.name_th, s.name_en, s.province_code, s.latitude, s.longitude
        FROM stations s JOIN station_districts sd ON sd.station_id = s.id
        WHERE sd.district_code = '1033'
        """
    )
    assert khlong_toei["name_th"] == "สถานีตำรวจคลองเตย (ข้อมูลตัวอย่าง)"
    assert khlong_toei["name_en"] == "Khlong Toei Police Station (demo)"
    assert khlong_toei["province_code"] == "10"
    # Placed at a known place of the district: Khlong Toei lies around 13.72 N, 100.57 E.
    assert abs(khlong_toei["latitude"] - 13.72) < 0.05 and abs(khlong_toei["longitude"] - 100.57) < 0.05


async def test_most_demo_stations_have_coordinates(pool: asyncpg.Pool) -> None:
    placed = await pool.fetchval("SELECT count(*) FROM stations WHERE is_demo AND latitude IS NOT NULL")
    assert placed >= 900


async def test_loading_again_changes_nothing_and_is_quick(pool: asyncpg.Pool) -> None:
    before = await pool.fetchval("SELECT count(*) FROM stations")
    async with pool.acquire() as connection:
        started = time.perf_counter()
        await load_reference_data(connection)
        elapsed = time.perf_counter() - started
    assert await pool.fetchval("SELECT count(*) FROM stations") == before
    assert await pool.fetchval("SELECT count(*) FROM subdistricts") == 7436
    assert elapsed < 0.5
