"""Synthetic cases for the back-office benchmark, written by the database itself (INSERT … SELECT
over generate_series), a batch per statement.

- Places: a district drawn uniformly from the 928 districts, so provinces are weighted by their
  number of districts (Bangkok, 50 districts, gets about 5.4 %); the case goes to the district's
  demo station and its province's demo 191 centre, pinned near the station.
- Report times: uniform over the --days before now.
- Statuses: the brief's dashboard proportions (596 cases over six months: 183 new, 57
  acknowledged, 303 closed, 41 not found, 12 pranks, 0 forwarded).
- Every case an officer took up (all but the new ones) was acknowledged after a log-normal wait
  (median 2.5 min, 10 % over about 9 min); the closed ones were closed some minutes after.
- Incident types: the five of the reference data evenly, 3 % not stated.

Case numbers start with BENCH- so the generated cases can be told from any other; every phone
number is the same obviously synthetic one.
"""

from __future__ import annotations

import asyncpg

from database.reference_data import DEMO_CENTRE_PREFIX, DEMO_STATION_PREFIX

CASE_PREFIX = "BENCH-"
SYNTHETIC_PHONE = "+66812345678"
BATCH = 100_000
# The brief's 596 cases per status; FORWARDED (0 in the brief) never comes up.
STATUS_SHARES = (("NEW", 183), ("ACKNOWLEDGED", 57), ("CLOSED", 303), ("NOT_FOUND", 41), ("PRANK", 12))
UNSTATED_TYPE_SHARE = 0.03
MEDIAN_WAIT_SECONDS = 150
WAIT_SPREAD = 1.0  # sigma of the wait's logarithm


def _status_case(draw: str) -> str:
    """The status a uniform draw in [0, 1) picks, as SQL."""
    total = sum(share for _, share in STATUS_SHARES)
    branches, cumulative = [], 0
    for status, share in STATUS_SHARES[:-1]:
        cumulative += share
        branches.append(f"WHEN {draw} < {cumulative / total:.6f} THEN '{status}'")
    return f"CASE {' '.join(branches)} ELSE '{STATUS_SHARES[-1][0]}' END"


PLACES_SQL = f"""
    CREATE TEMPORARY TABLE bench_places ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY d.code) AS place, d.code AS district_code, d.province_code,
           s.id AS station_id, centre.id AS centre_id,
           coalesce(s.latitude, 13.75) AS latitude, coalesce(s.longitude, 100.5) AS longitude
    FROM districts d
    JOIN stations s ON s.code = '{DEMO_STATION_PREFIX}' || d.code
    LEFT JOIN stations centre ON centre.code = '{DEMO_CENTRE_PREFIX}' || d.province_code
"""

TYPES_SQL = """
    CREATE TEMPORARY TABLE bench_types ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY sort_order, code) - 1 AS kind, code FROM incident_types WHERE active
"""

# $1, $2: the first and last case number of the batch; $3: the days the reports spread over;
# $4, $5: how many places and incident types there are.
INSERT_SQL = f"""
    INSERT INTO cases (
        case_no, conversation_id, reporter_key, line_user_id, language, incident_type_code, status, complete,
        phone_e164, latitude, longitude, location_title, location_address, province_code, district_code,
        reported_at, opened_at, station_id, centre_id, routing_method, acknowledged_at, closed_at, outcome_note
    )
    SELECT '{CASE_PREFIX}' || lpad(draw.n::text, 7, '0'), 'bench-conversation-' || draw.n,
           'bench-reporter-' || (draw.n % 250000), 'Ubench' || md5(draw.n::text), 'th',
           t.code, draw.status, true, '{SYNTHETIC_PHONE}',
           p.latitude + (random() - 0.5) * 0.05, p.longitude + (random() - 0.5) * 0.05,
           'จุดเกิดเหตุ (ข้อมูลตัวอย่าง)', 'ที่อยู่ตัวอย่างสำหรับทดสอบระบบ ไม่ใช่สถานที่จริง',
           p.province_code, p.district_code,
           draw.reported_at, draw.reported_at, p.station_id, p.centre_id, 'district',
           CASE WHEN draw.status <> 'NEW' THEN draw.reported_at + draw.wait END,
           CASE WHEN draw.status NOT IN ('NEW', 'ACKNOWLEDGED') THEN draw.reported_at + draw.wait * 4 END,
           CASE WHEN draw.status NOT IN ('NEW', 'ACKNOWLEDGED') THEN 'บันทึกผลการดำเนินการ (ข้อมูลตัวอย่าง)' END
    FROM (
        SELECT n,
               now() - random() * ($3::int * interval '1 day') AS reported_at,
               {_status_case('status_draw')} AS status,
               make_interval(secs => exp(ln({MEDIAN_WAIT_SECONDS}) + {WAIT_SPREAD} * random_normal())) AS wait,
               1 + floor(random() * $4::int)::bigint AS place,
               CASE WHEN random() >= {UNSTATED_TYPE_SHARE} THEN floor(random() * $5::int)::bigint END AS kind
        FROM (SELECT n, random() AS status_draw FROM generate_series($1::bigint, $2::bigint) AS n) AS numbered
    ) AS draw
    JOIN bench_places p USING (place)
    LEFT JOIN bench_types t USING (kind)
"""


async def insert_cases(connection: asyncpg.Connection, how_many: int, days: int, *, first: int = 1,
                       progress=None) -> int:
    """Inserts `how_many` synthetic cases numbered from `first`, `BATCH` per statement and
    transaction; returns the number inserted. `progress(done)` is called after each batch."""
    done = 0
    while done < how_many:
        size = min(BATCH, how_many - done)
        async with connection.transaction():
            await connection.execute(PLACES_SQL)
            await connection.execute(TYPES_SQL)
            places = await connection.fetchval("SELECT count(*) FROM bench_places")
            kinds = await connection.fetchval("SELECT count(*) FROM bench_types")
            if not places or not kinds:
                raise RuntimeError("no demo stations or incident types: load the reference data first")
            start = first + done
            await connection.execute(INSERT_SQL, start, start + size - 1, days, places, kinds)
        done += size
        if progress is not None:
            progress(done)
    return done
