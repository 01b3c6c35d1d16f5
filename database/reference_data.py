"""Reference data every installation starts with: incident types, Thailand's geography from
geothai, and (for development and demonstrations) a synthetic directory: one police station per
district, a 191 centre per province, officers for each of them, a multidisciplinary team per
province, and the agencies each team refers people to.

Runs at every start of the API and the worker, so the second run must cost almost nothing:
geography is reloaded only when the geothai data version changes.
"""

from __future__ import annotations

import json
import logging

import asyncpg
import geothai

from domain.agencies import AgencyKind
from domain.escalation import DEFAULT_LADDER
from domain.handoff import TeamRole
from domain.models import EscalationRung, OfficerRole
from places.geography import district_seats

logger = logging.getLogger(__name__)

REFERENCE_DATA_LOCK_KEY = 0x455353_52454644  # "ESS" "REFD"
GEOGRAPHY_DATASET = "geothai"
DEMO_STATIONS_DATASET = "demo-stations"
DEMO_STATION_PREFIX = "DEMO-"
DEMO_DIRECTORY_DATASET = "demo-directory"
# Bump the suffix when the demo directory changes, so existing installations get the new one.
DEMO_DIRECTORY_VERSION = f"{geothai.DATA_VERSION}+1"
DEMO_CENTRE_PREFIX = "DEMO-191-"
DEMO_OFFICER_PREFIX = "DEMO-OFFICER-"
DEMO_RANK = "ร.ต.อ."
DEMO_TEAM_DATASET = "demo-team"
# Bump when the demo team changes, so existing installations get the new one.
DEMO_TEAM_VERSION = "1"
DEMO_TEAM_PREFIX = "DEMO-TEAM-"
# (role, code suffix) of each province's demo team; the national desk is one more member.
DEMO_TEAM_POSTS: tuple[tuple[TeamRole, str], ...] = (
    (TeamRole.COORDINATOR, "COORDINATOR"),
    (TeamRole.SOCIAL_WORKER, "SOCIAL-WORKER-1"),
    (TeamRole.SOCIAL_WORKER, "SOCIAL-WORKER-2"),
    (TeamRole.CHILDRENS_HOME, "CHILDRENS-HOME"),
    (TeamRole.OFFICE_HEAD, "OFFICE-HEAD"),
)
DEMO_NATIONAL_DESK_CODE = DEMO_TEAM_PREFIX + "NATIONAL-DESK"
DEMO_AGENCIES_DATASET = "demo-agencies"
# Bump when the demo agencies change, so existing installations get the new ones.
DEMO_AGENCIES_VERSION = "1"
DEMO_AGENCY_PREFIX = "DEMO-AGENCY-"
DEMO_HOTLINE_CODE = DEMO_AGENCY_PREFIX + "HOTLINE-1300"

# DOMAIN.md's five types. Administrators may edit them later: only missing codes are inserted.
INCIDENT_TYPES: tuple[tuple[str, str, str], ...] = (
    ("THREAT_ASSAULT", "ข่มขู่จะทำร้าย / ทำร้าย", "Threatened with harm, or assaulted"),
    ("DETENTION", "กักขังหน่วงเหนี่ยว", "Unlawfully detained or confined"),
    ("SEXUAL_ABUSE_RISK", "เสี่ยงถูกล่วงละเมิดทางเพศ", "At risk of sexual abuse"),
    ("DERANGED_PERSON", "ผู้คลุ้มคลั่งก่อให้เกิดเหตุร้าย", "A deranged person causing danger"),
    ("GATHERING", "มั่วสุมจนก่อให้เกิดเหตุร้าย", "A gathering causing danger"),
)


async def load_reference_data(connection: asyncpg.Connection, *, include_demo_stations: bool = True) -> None:
    """Idempotent. Pass include_demo_stations=False where real stations and officers are maintained."""
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
        if (
            include_demo_stations
            and await _loaded_version(connection, DEMO_DIRECTORY_DATASET) != DEMO_DIRECTORY_VERSION
        ):
            await _insert_demo_centres(connection)
            await _insert_demo_officers(connection)
            await _mark_loaded(connection, DEMO_DIRECTORY_DATASET, DEMO_DIRECTORY_VERSION)
            logger.info("added demonstration 191 centres and officers")
        if include_demo_stations and await _loaded_version(connection, DEMO_TEAM_DATASET) != DEMO_TEAM_VERSION:
            await _insert_demo_team(connection)
            await _mark_loaded(connection, DEMO_TEAM_DATASET, DEMO_TEAM_VERSION)
            logger.info("added demonstration multidisciplinary teams")
        # After the teams: the agencies go to the provinces that have a demo team.
        if include_demo_stations and await _loaded_version(connection, DEMO_AGENCIES_DATASET) != DEMO_AGENCIES_VERSION:
            await _insert_demo_agencies(connection)
            await _mark_loaded(connection, DEMO_AGENCIES_DATASET, DEMO_AGENCIES_VERSION)
            logger.info("added demonstration agencies for the teams' referrals")


def ladder_as_json(ladder: list[EscalationRung]) -> str:
    """The stored form of a ladder: [{"after": seconds, "audiences": [...]}], which pydantic reads
    back into list[EscalationRung] (a number of seconds is a valid timedelta)."""
    return json.dumps(
        [{"after": int(rung.after.total_seconds()), "audiences": [a.value for a in rung.audiences]} for rung in ladder]
    )


async def _insert_missing_incident_types(connection: asyncpg.Connection) -> None:
    await connection.executemany(
        """
        INSERT INTO incident_types (code, label_th, label_en, sort_order, escalation)
        VALUES ($1, $2, $3, $4, $5::text::jsonb)
        ON CONFLICT (code) DO NOTHING
        """,
        [
            (code, th, en, (index + 1) * 10, ladder_as_json(DEFAULT_LADDER))
            for index, (code, th, en) in enumerate(INCIDENT_TYPES)
        ],
    )


async def _load_geography(connection: asyncpg.Connection) -> None:
    provinces = [(p.code, p.name_th, p.name_en) for p in geothai.provinces()]
    districts = [
        (d.code, d.province_code, d.name_th, d.name_en)
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
    ]
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


async def _insert_demo_centres(connection: asyncpg.Connection) -> None:
    """A synthetic 191 centre per province, at the demo station of the capital district (DOPA
    code <province>01, the "Mueang" district or Phra Nakhon) when that one has coordinates."""
    await connection.execute(
        """
        INSERT INTO stations (code, kind, name_th, name_en, province_code, latitude, longitude, is_demo)
        SELECT $1 || p.code, 'CENTRE_191',
               'ศูนย์ 191 จังหวัด' || p.name_th || ' (ข้อมูลตัวอย่าง)',
               p.name_en || ' 191 Command Centre (demo)',
               p.code, capital.latitude, capital.longitude, true
        FROM provinces AS p
        LEFT JOIN stations AS capital ON capital.code = $2 || p.code || '01'
        ON CONFLICT (code) DO NOTHING
        """,
        DEMO_CENTRE_PREFIX,
        DEMO_STATION_PREFIX,
    )


def _demo_officer_posts(stations: list[asyncpg.Record]) -> list[tuple[OfficerRole, str, str | None, str | None]]:
    """(role, officer code suffix, station code, province code) for every synthetic officer."""
    posts: list[tuple[OfficerRole, str, str | None, str | None]] = []
    for station in stations:
        code, province_code = station["code"], station["province_code"]
        short = code.removeprefix(DEMO_STATION_PREFIX)
        if station["kind"] == "CENTRE_191":
            posts += [(OfficerRole.CENTRE_191, f"{short}-{n}", code, None) for n in (1, 2)]
            posts.append((OfficerRole.COMMANDER, f"COMMANDER-{province_code}", None, province_code))
            posts.append((OfficerRole.DEPUTY_COMMANDER, f"DEPUTY-COMMANDER-{province_code}", None, province_code))
        else:
            for role in (OfficerRole.SUPERINTENDENT, OfficerRole.INSPECTOR, OfficerRole.RADIO_ROOM):
                posts.append((role, f"{short}-{role.value}", code, None))
    posts += [(OfficerRole.NATIONAL_DESK, f"NATIONAL-DESK-{n}", None, None) for n in (1, 2)]
    return posts


async def _insert_demo_officers(connection: asyncpg.Connection) -> None:
    """Synthetic officers: two at each 191 centre, a commander and a deputy per province, a
    superintendent, an inspector and a radio-room officer per demo station, and two at the national
    desk. Station officers carry their station's province too. None is linked to LINE: registering
    one needs a code (database.officer_codes)."""
    demo_stations = await connection.fetch(
        "SELECT code, kind, province_code FROM stations WHERE is_demo ORDER BY province_code, kind, code"
    )
    officers = [
        (DEMO_OFFICER_PREFIX + suffix, f"{DEMO_RANK} ทดสอบ {n} (ตัวอย่าง)", DEMO_RANK, role.value, station, province)
        for n, (role, suffix, station, province) in enumerate(_demo_officer_posts(demo_stations), start=1)
    ]
    await connection.execute(
        """
        CREATE TEMPORARY TABLE incoming_officers (
            code text, name text, rank_title text, role text, station_code text, province_code text
        ) ON COMMIT DROP
        """
    )
    await connection.copy_records_to_table("incoming_officers", records=officers)
    await connection.execute(
        """
        INSERT INTO officers (code, name, rank_title, role, station_id, province_code, is_demo)
        SELECT incoming.code, incoming.name, incoming.rank_title, incoming.role, stations.id,
               coalesce(incoming.province_code, stations.province_code), true
        FROM incoming_officers AS incoming LEFT JOIN stations ON stations.code = incoming.station_code
        ON CONFLICT (code) DO NOTHING
        """
    )


def demo_team_code(province_code: str, suffix: str) -> str:
    """DEMO-TEAM-10-COORDINATOR: a demo team member's directory code."""
    return f"{DEMO_TEAM_PREFIX}{province_code}-{suffix}"


async def _insert_demo_team(connection: asyncpg.Connection) -> None:
    """A synthetic team for each province with demo stations: a coordinator, two social workers,
    a children's-home officer and the head of the provincial office; and one member at the
    national desk. Like the demo officers, none is linked to LINE: registering one needs a code
    (database.officer_codes)."""
    provinces = await connection.fetch(
        """
        SELECT p.code, p.name_th FROM provinces AS p
        WHERE EXISTS (SELECT 1 FROM stations AS s WHERE s.province_code = p.code AND s.is_demo AND s.kind = 'STATION')
        ORDER BY p.code
        """
    )
    members: list[tuple[str, str, str, str | None, str]] = []
    for province in provinces:
        # Bangkok is not a changwat: its offices carry its name alone.
        place = province["name_th"] if province["code"] == "10" else f"จังหวัด{province['name_th']}"
        for role, suffix in DEMO_TEAM_POSTS:
            organisation = (
                f"บ้านพักเด็กและครอบครัว{place}" if role == TeamRole.CHILDRENS_HOME
                else f"สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์{place}"
            )
            members.append((
                demo_team_code(province["code"], suffix), f"ทดสอบ ทีมสหวิชาชีพ {len(members) + 1} (ตัวอย่าง)",
                role.value, province["code"], f"{organisation} (ข้อมูลตัวอย่าง)",
            ))
    members.append((
        DEMO_NATIONAL_DESK_CODE, "ทดสอบ ศูนย์ส่วนกลาง (ตัวอย่าง)", TeamRole.NATIONAL_DESK.value, None,
        "ศูนย์ช่วยเหลือสังคม กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์ (ข้อมูลตัวอย่าง)",
    ))
    await connection.executemany(
        """
        INSERT INTO team_members (code, name, role, province_code, organisation, is_demo)
        VALUES ($1, $2, $3, $4, $5, true)
        ON CONFLICT (code) DO NOTHING
        """,
        members,
    )


def demo_agency_code(province_code: str, kind: AgencyKind) -> str:
    """DEMO-AGENCY-10-OSCC: a demo agency's directory code."""
    return f"{DEMO_AGENCY_PREFIX}{province_code}-{kind.value.replace('_', '-')}"


async def _insert_demo_agencies(connection: asyncpg.Connection) -> None:
    """For each province with a demo team: a crisis centre (ศูนย์พึ่งได้) at the province's hospital,
    its children's and family home and its legal-aid office; and the national 1300 hotline once.
    Provincial ones have no phone: a made-up number could be someone's."""
    provinces = await connection.fetch(
        """
        SELECT p.code, p.name_th, p.name_en FROM provinces AS p
        WHERE EXISTS (SELECT 1 FROM team_members AS m WHERE m.province_code = p.code AND m.is_demo)
        ORDER BY p.code
        """
    )
    agencies: list[tuple[str, str, str | None, str, str, str | None, str | None]] = []
    for province in provinces:
        # Bangkok is not a changwat: its offices carry its name alone.
        place = province["name_th"] if province["code"] == "10" else f"จังหวัด{province['name_th']}"
        english = province["name_en"]
        for kind, name_th, name_en in (
            (AgencyKind.OSCC, f"ศูนย์พึ่งได้ (OSCC) โรงพยาบาลประจำ{place}",
             f"One Stop Crisis Centre (OSCC), {english} provincial hospital"),
            (AgencyKind.CHILDRENS_HOME, f"บ้านพักเด็กและครอบครัว{place}", f"{english} Children's and Family Home"),
            (AgencyKind.LEGAL_AID, f"สำนักงานคุ้มครองสิทธิและช่วยเหลือทางกฎหมายแก่ประชาชนประจำ{place}",
             f"{english} Office of Rights Protection and Legal Aid"),
        ):
            agencies.append((demo_agency_code(province["code"], kind), kind.value, province["code"],
                             f"{name_th} (ข้อมูลตัวอย่าง)", f"{name_en} (demo)", None, None))
    agencies.append((
        DEMO_HOTLINE_CODE, AgencyKind.HOTLINE.value, None, "ศูนย์ช่วยเหลือสังคม สายด่วน 1300 (ข้อมูลตัวอย่าง)",
        "Social Assistance Centre, hotline 1300 (demo)", "1300", "ทุกวัน ตลอด 24 ชั่วโมง / every day, 24 hours",
    ))
    await connection.executemany(
        """
        INSERT INTO agencies (code, kind, province_code, name_th, name_en, phone, note, is_demo)
        VALUES ($1, $2, $3, $4, $5, $6, $7, true)
        ON CONFLICT (code) DO NOTHING
        """,
        agencies,
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
