"""Officers for tests: rows in the directory, each linked to a LINE user on the fake platform."""

from __future__ import annotations

import itertools
import uuid

import asyncpg

from domain.models import Officer, OfficerRole
from line_simulator.line_platform import FakeLinePlatform

# Each test takes districts of its own, so officers linked in one never hear another's alerts.
_district_numbers = itertools.count(0)


async def fresh_district(pool: asyncpg.Pool) -> asyncpg.Record:
    """A district (outside Bangkok) with a demo station that no earlier test in this process used.
    Taken one province after another (each province's first district, then each one's second, ...),
    so that tests next to each other rarely share a province's centre or command. The provinces'
    capital districts (xx01) are left to the tests that pin them by name."""
    offset = next(_district_numbers)
    district = await pool.fetchrow(
        """select d.code, d.province_code, d.name_th, d.name_en, p.name_th as province_th, p.name_en as province_en
             from districts d join provinces p on p.code = d.province_code
            where d.province_code <> '10' and d.code not like '__01'
            order by row_number() over (partition by d.province_code order by d.code), d.code
           offset $1 limit 1""",
        offset,
    )
    assert district is not None, f"this test process has used all {offset} districts outside Bangkok"
    return district


async def station_for(pool: asyncpg.Pool, district_code: str) -> int:
    return await pool.fetchval(
        "select s.id from stations s join station_districts sd on sd.station_id = s.id "
        "where sd.district_code = $1 and s.kind = 'STATION'",
        district_code,
    )


async def centre_for(pool: asyncpg.Pool, province_code: str) -> int:
    return await pool.fetchval(
        "select id from stations where province_code = $1 and kind = 'CENTRE_191'", province_code
    )


async def linked_officer(
    pool: asyncpg.Pool, platform: FakeLinePlatform, role: OfficerRole, *, station_id: int | None = None,
    province_code: str | None = None, language: str = "th",
) -> tuple[Officer, str]:
    """An active officer registered on LINE: (the officer, their LINE user id)."""
    user = platform.add_user(display_name="เจ้าหน้าที่ทดสอบ", language=language)
    if station_id is not None:
        province_code = await pool.fetchval("select province_code from stations where id = $1", station_id)
    officer_id = await pool.fetchval(
        """insert into officers (code, name, rank_title, role, station_id, province_code, line_user_id, registered_at)
           values ($1, $2, 'ร.ต.อ.', $3, $4, $5, $6, now()) returning id""",
        f"TEST-{uuid.uuid4().hex[:12]}", f"ร.ต.อ. ทดสอบ {role.value}", role.value, station_id, province_code,
        user.user_id,
    )
    officer = Officer(officer_id=officer_id, name=f"ร.ต.อ. ทดสอบ {role.value}", role=role,
                      province_code=province_code, station_id=station_id)
    return officer, user.user_id
