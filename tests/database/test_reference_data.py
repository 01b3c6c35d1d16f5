"""Reference data: complete on the first start, cheap and respectful of edits on every later one."""

from __future__ import annotations

import time

import asyncpg
from pydantic import TypeAdapter

from database.reference_data import DEMO_OFFICER_PREFIX, INCIDENT_TYPES, ladder_as_json, load_reference_data
from domain.escalation import DEFAULT_LADDER
from domain.models import EscalationRung, IncidentType


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
    assert await pool.fetchval("SELECT count(*) FROM stations WHERE is_demo AND kind = 'STATION'") == 928
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
    placed = await pool.fetchval(
        "SELECT count(*) FROM stations WHERE is_demo AND kind = 'STATION' AND latitude IS NOT NULL"
    )
    assert placed >= 900


async def test_loading_again_changes_nothing_and_is_quick(pool: asyncpg.Pool) -> None:
    before = await pool.fetchval("SELECT count(*) FROM stations")
    officers = await pool.fetchval("SELECT count(*) FROM officers")
    async with pool.acquire() as connection:
        started = time.perf_counter()
        await load_reference_data(connection)
        elapsed = time.perf_counter() - started
    assert await pool.fetchval("SELECT count(*) FROM stations") == before
    assert await pool.fetchval("SELECT count(*) FROM officers") == officers
    assert await pool.fetchval("SELECT count(*) FROM subdistricts") == 7436
    assert elapsed < 0.5


async def test_every_province_has_one_demo_191_centre_at_its_capital(pool: asyncpg.Pool) -> None:
    centres = await pool.fetch("SELECT * FROM stations WHERE kind = 'CENTRE_191' AND is_demo ORDER BY province_code")
    provinces = await pool.fetch("SELECT code FROM provinces ORDER BY code")
    assert [c["province_code"] for c in centres] == [r["code"] for r in provinces]
    chiang_mai = next(c for c in centres if c["province_code"] == "50")
    assert chiang_mai["name_th"] == "ศูนย์ 191 จังหวัดเชียงใหม่ (ข้อมูลตัวอย่าง)"
    assert chiang_mai["name_en"] == "Chiang Mai 191 Command Centre (demo)"
    capital = await pool.fetchrow("SELECT latitude, longitude FROM stations WHERE code = 'DEMO-5001'")
    assert (chiang_mai["latitude"], chiang_mai["longitude"]) == (capital["latitude"], capital["longitude"])
    assert sum(c["latitude"] is not None for c in centres) >= 70
    # A centre covers no district: the district's station answers for it.
    assert await pool.fetchval(
        "SELECT count(*) FROM station_districts JOIN stations ON stations.id = station_id WHERE kind = 'CENTRE_191'"
    ) == 0


# The reference data's demo officers, by their codes: a spec may mark an officer of its own as demo
# (tests/database/test_line_accounts.py), and the specs share one database.
DEMO_OFFICERS = f"is_demo AND code LIKE '{DEMO_OFFICER_PREFIX}%'"


async def test_demo_officers_staff_every_centre_province_and_station_and_are_not_on_line(pool: asyncpg.Pool) -> None:
    by_role = dict(await pool.fetch(f"SELECT role, count(*) FROM officers WHERE {DEMO_OFFICERS} GROUP BY role"))
    assert by_role == {
        "CENTRE_191": 2 * 77, "COMMANDER": 77, "DEPUTY_COMMANDER": 77,
        "SUPERINTENDENT": 928, "INSPECTOR": 928, "RADIO_ROOM": 928, "NATIONAL_DESK": 2,
    }
    at_centres = await pool.fetchval(
        f"""
        SELECT count(DISTINCT s.id) FROM officers o JOIN stations s ON s.id = o.station_id
        WHERE o.is_demo AND o.code LIKE '{DEMO_OFFICER_PREFIX}%' AND o.role = 'CENTRE_191' AND s.kind = 'CENTRE_191'
        """
    )
    assert at_centres == 77
    commanders = await pool.fetch(
        f"SELECT station_id, province_code FROM officers WHERE {DEMO_OFFICERS} "
        "AND role IN ('COMMANDER', 'DEPUTY_COMMANDER')"
    )
    assert all(c["station_id"] is None and c["province_code"] for c in commanders)
    assert len({c["province_code"] for c in commanders}) == 77
    desk = await pool.fetch(
        f"SELECT station_id, province_code FROM officers WHERE {DEMO_OFFICERS} AND role = 'NATIONAL_DESK'")
    assert all(d["station_id"] is None and d["province_code"] is None for d in desk)
    stations_fully_staffed = await pool.fetchval(
        f"""
        SELECT count(*) FROM stations s WHERE s.is_demo AND s.kind = 'STATION' AND (
            SELECT array_agg(role ORDER BY role) FROM officers WHERE station_id = s.id AND {DEMO_OFFICERS}
        ) = ARRAY['INSPECTOR', 'RADIO_ROOM', 'SUPERINTENDENT']
        """
    )
    assert stations_fully_staffed == 928
    names = [r["name"] for r in await pool.fetch(f"SELECT name FROM officers WHERE {DEMO_OFFICERS} LIMIT 50")]
    assert all(name.startswith("ร.ต.อ. ทดสอบ ") and name.endswith(" (ตัวอย่าง)") for name in names)
    assert await pool.fetchval(f"SELECT count(DISTINCT name) FROM officers WHERE {DEMO_OFFICERS}") == 3094
    assert await pool.fetchval(
        f"SELECT count(*) FROM officers WHERE {DEMO_OFFICERS} AND registered_at IS NOT NULL") == 0


async def test_incident_types_carry_the_default_ladder_which_reads_back_as_rungs(pool: asyncpg.Pool) -> None:
    # The types the reference data brings (tests add types of their own with other ladders).
    ladders = await pool.fetch(
        "SELECT code, escalation::text AS escalation FROM incident_types WHERE code = any($1::text[])",
        [code for code, _, _ in INCIDENT_TYPES],
    )
    assert len(ladders) == len(INCIDENT_TYPES)
    rungs = TypeAdapter(list[EscalationRung])
    for row in ladders:
        assert rungs.validate_json(row["escalation"]) == DEFAULT_LADDER
    row = await pool.fetchrow(
        "SELECT code, label_th, label_en, escalation::text AS escalation FROM incident_types WHERE code = 'DETENTION'"
    )
    incident = IncidentType.model_validate_json(
        f'{{"code": "{row["code"]}", "label_th": "{row["label_th"]}", "label_en": "{row["label_en"]}", '
        f'"escalation": {row["escalation"]}}}'
    )
    assert incident.escalation[1].after.total_seconds() == 180
    assert rungs.validate_json(ladder_as_json(DEFAULT_LADDER)) == DEFAULT_LADDER


async def test_an_administrators_ladder_survives_a_restart(pool: asyncpg.Pool) -> None:
    custom = '[{"after": 0, "audiences": ["STATION", "CENTRE_191"]}]'
    await pool.execute("UPDATE incident_types SET escalation = $1::text::jsonb WHERE code = 'GATHERING'", custom)
    try:
        async with pool.acquire() as connection:
            await load_reference_data(connection)
        stored = await pool.fetchval("SELECT escalation::text FROM incident_types WHERE code = 'GATHERING'")
        assert TypeAdapter(list[EscalationRung]).validate_json(stored)[0].audiences == ["STATION", "CENTRE_191"]
    finally:
        await pool.execute(
            "UPDATE incident_types SET escalation = $1::text::jsonb WHERE code = 'GATHERING'",
            ladder_as_json(DEFAULT_LADDER),
        )
