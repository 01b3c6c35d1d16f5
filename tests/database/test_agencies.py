"""The directory of agencies a team refers people to: a province's list (its own and the national ones,
active only, by kind then name), one agency by id, and the demonstration agencies: three for every
province with a demo team, the national 1300 hotline once, seeded once, taken out with the demo data."""

from __future__ import annotations

import uuid

import asyncpg

from database.agencies import agencies_for_province, agency_by_id
from database.demo_data import active_demo_data, remove_demo_data
from database.migrate import migrate
from database.reference_data import DEMO_HOTLINE_CODE, demo_agency_code, load_reference_data
from domain.agencies import AGENCY_KIND_LABELS, Agency, AgencyKind
from tests.production import NewDatabase

# The kinds every province with a demo team gets.
DEMO_KINDS = (AgencyKind.OSCC, AgencyKind.CHILDRENS_HOME, AgencyKind.LEGAL_AID)


async def add_agency(pool: asyncpg.Pool, kind: AgencyKind, province_code: str | None, name_th: str, *,
                     active: bool = True, phone: str | None = None) -> tuple[int, str]:
    """An agency in the directory: (id, code)."""
    code = f"AGENCY-{uuid.uuid4().hex[:10]}"
    agency_id = await pool.fetchval(
        """
        INSERT INTO agencies (code, kind, province_code, name_th, name_en, phone, active)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
        """,
        code, kind.value, province_code, name_th, f"{name_th} (en)", phone, active,
    )
    return agency_id, code


# --- reading the directory -----------------------------------------------------------------------


async def test_a_province_sees_its_active_agencies_and_the_national_ones_by_kind_then_name(
        pool: asyncpg.Pool) -> None:
    _, shelter = await add_agency(pool, AgencyKind.SHELTER, "57", "ก บ้านพักพิงทดสอบ")
    _, second_oscc = await add_agency(pool, AgencyKind.OSCC, "57", "ข ศูนย์พึ่งได้ทดสอบ")
    _, first_oscc = await add_agency(pool, AgencyKind.OSCC, "57", "ก ศูนย์พึ่งได้ทดสอบ")
    _, national = await add_agency(pool, AgencyKind.HOTLINE, None, "ก สายด่วนทดสอบ")
    _, retired = await add_agency(pool, AgencyKind.OSCC, "57", "ก ศูนย์ที่ปิดแล้ว", active=False)
    _, elsewhere = await add_agency(pool, AgencyKind.OSCC, "50", "ก ศูนย์พึ่งได้เชียงใหม่")
    async with pool.acquire() as connection:
        listed = await agencies_for_province(connection, "57")
    codes = [agency.code for agency in listed]
    mine = [code for code in codes if code in {shelter, second_oscc, first_oscc, national, retired, elsewhere}]
    assert mine == [first_oscc, second_oscc, shelter, national]
    # The whole list keeps the kinds' declared order, crisis centres first.
    order = list(AgencyKind)
    assert [order.index(a.kind) for a in listed] == sorted(order.index(a.kind) for a in listed)
    assert all(a.province_code in ("57", None) for a in listed)


async def test_without_a_province_only_the_national_agencies_are_listed(pool: asyncpg.Pool) -> None:
    _, national = await add_agency(pool, AgencyKind.HOTLINE, None, "สายด่วนทดสอบ")
    async with pool.acquire() as connection:
        listed = await agencies_for_province(connection, None)
    assert national in {a.code for a in listed}
    assert listed and all(a.is_national for a in listed)


async def test_an_agency_is_read_by_id_and_a_retired_one_only_when_asked(pool: asyncpg.Pool) -> None:
    agency_id, code = await add_agency(pool, AgencyKind.LEGAL_AID, "57", "สำนักงานช่วยเหลือทางกฎหมายทดสอบ",
                                       phone="+6653150123")
    retired_id, _ = await add_agency(pool, AgencyKind.SHELTER, "57", "บ้านพักพิงที่ปิดแล้ว", active=False)
    async with pool.acquire() as connection:
        assert await agency_by_id(connection, agency_id) == Agency(
            agency_id=agency_id, code=code, kind=AgencyKind.LEGAL_AID, province_code="57",
            name_th="สำนักงานช่วยเหลือทางกฎหมายทดสอบ", name_en="สำนักงานช่วยเหลือทางกฎหมายทดสอบ (en)",
            phone="+6653150123", note=None)
        assert await agency_by_id(connection, retired_id) is None
        assert (await agency_by_id(connection, retired_id, active_only=False)).agency_id == retired_id
        assert await agency_by_id(connection, 2_000_000_000) is None


def test_every_kind_has_thai_and_english_words() -> None:
    assert set(AGENCY_KIND_LABELS) == set(AgencyKind)
    assert all(thai and english and thai != english for thai, english in AGENCY_KIND_LABELS.values())


# --- the demonstration agencies ------------------------------------------------------------------


async def test_every_province_with_a_demo_team_has_its_demo_agencies_named_for_it(pool: asyncpg.Pool) -> None:
    team_provinces = {row["province_code"] for row in await pool.fetch(
        "SELECT DISTINCT province_code FROM team_members WHERE is_demo AND province_code IS NOT NULL")}
    assert len(team_provinces) == 77
    rows = await pool.fetch(
        """
        SELECT a.code, a.kind, a.province_code, a.name_th, a.name_en, a.phone, a.active, p.name_th AS province_th,
               p.name_en AS province_en
        FROM agencies AS a JOIN provinces AS p ON p.code = a.province_code
        WHERE a.is_demo AND a.code LIKE 'DEMO-AGENCY-%'  -- the reference data's (specs add demo rows of their own)
        """
    )
    assert {(r["province_code"], r["kind"]) for r in rows} == {
        (province, kind.value) for province in team_provinces for kind in DEMO_KINDS}
    assert len(rows) == len(team_provinces) * len(DEMO_KINDS)
    for row in rows:
        assert row["code"] == demo_agency_code(row["province_code"], AgencyKind(row["kind"]))
        assert row["province_th"] in row["name_th"] and row["name_th"].endswith("(ข้อมูลตัวอย่าง)")
        assert row["province_en"] in row["name_en"] and row["name_en"].endswith("(demo)")
        assert row["active"] and row["phone"] is None  # a made-up number could be someone's
    chiang_rai = {r["kind"]: r["name_th"] for r in rows if r["province_code"] == "57"}
    assert chiang_rai == {
        "OSCC": "ศูนย์พึ่งได้ (OSCC) โรงพยาบาลประจำจังหวัดเชียงราย (ข้อมูลตัวอย่าง)",
        "CHILDRENS_HOME": "บ้านพักเด็กและครอบครัวจังหวัดเชียงราย (ข้อมูลตัวอย่าง)",
        "LEGAL_AID": "สำนักงานคุ้มครองสิทธิและช่วยเหลือทางกฎหมายแก่ประชาชนประจำจังหวัดเชียงราย (ข้อมูลตัวอย่าง)",
    }
    bangkok = await pool.fetchval("SELECT name_th FROM agencies WHERE code = $1",
                                  demo_agency_code("10", AgencyKind.CHILDRENS_HOME))
    assert bangkok == "บ้านพักเด็กและครอบครัวกรุงเทพมหานคร (ข้อมูลตัวอย่าง)"  # Bangkok is not a changwat


async def test_the_national_1300_hotline_is_seeded_once_and_every_province_sees_it(pool: asyncpg.Pool) -> None:
    hotlines = await pool.fetch(
        "SELECT * FROM agencies WHERE is_demo AND province_code IS NULL AND code LIKE 'DEMO-AGENCY-%'")
    assert len(hotlines) == 1
    hotline = hotlines[0]
    assert (hotline["code"], hotline["kind"], hotline["phone"]) == (DEMO_HOTLINE_CODE, "HOTLINE", "1300")
    assert hotline["name_th"] == "ศูนย์ช่วยเหลือสังคม สายด่วน 1300 (ข้อมูลตัวอย่าง)"
    async with pool.acquire() as connection:
        for province in ("10", "57", "96"):
            listed = await agencies_for_province(connection, province)
            assert DEMO_HOTLINE_CODE in {a.code for a in listed}
            demo = {a.kind for a in listed if a.code.startswith(f"DEMO-AGENCY-{province}-")}
            assert demo == set(DEMO_KINDS)


async def test_loading_the_reference_data_again_adds_no_second_demo_agency(pool: asyncpg.Pool) -> None:
    before = await pool.fetchval("SELECT count(*) FROM agencies WHERE is_demo AND code LIKE 'DEMO-AGENCY-%'")
    await pool.execute("DELETE FROM reference_data_loads WHERE dataset = 'demo-agencies'")  # as after a version bump
    async with pool.acquire() as connection:
        await load_reference_data(connection)
        await load_reference_data(connection)
    assert await pool.fetchval("SELECT count(*) FROM agencies WHERE is_demo AND code LIKE 'DEMO-AGENCY-%'"
                               ) == before == 77 * len(DEMO_KINDS) + 1
    assert await pool.fetchval("SELECT version FROM reference_data_loads WHERE dataset = 'demo-agencies'") is not None


async def test_the_demo_agencies_are_counted_and_taken_out_of_service_with_the_demo_data(
        new_database: NewDatabase) -> None:
    connection = await asyncpg.connect(await new_database())
    try:
        await migrate(connection)
        await load_reference_data(connection)
        real_id = await connection.fetchval(
            "INSERT INTO agencies (code, kind, province_code, name_th, name_en) "
            "VALUES ('REAL-OSCC-57', 'OSCC', '57', 'ศูนย์พึ่งได้ จริง', 'A real OSCC') RETURNING id")
        assert (await active_demo_data(connection)).agencies == 77 * len(DEMO_KINDS) + 1

        removed = await remove_demo_data(connection)

        assert removed.agencies == 77 * len(DEMO_KINDS) + 1
        assert (await active_demo_data(connection)).agencies == 0
        # Deactivated, not deleted; the real agency stays in the province's list.
        assert await connection.fetchval("SELECT count(*) FROM agencies WHERE is_demo") == 77 * len(DEMO_KINDS) + 1
        assert [a.agency_id for a in await agencies_for_province(connection, "57")] == [real_id]
    finally:
        await connection.close()
