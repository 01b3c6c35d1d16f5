"""The back-office benchmark (python -m bench.back_office): on a small load it runs end to end,
prints every figure beside its target, and stops and removes the database it started; its
synthetic cases are the ones its description promises."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bench.synthetic_cases import CASE_PREFIX, SYNTHETIC_PHONE, insert_cases
from database.case_statistics import CaseFilter, case_counters, time_to_acknowledge
from database.migrate import migrate
from database.reference_data import load_reference_data
from domain.clock import THAILAND
from domain.scope import CaseScope

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TARGET_LINE = r"^  {name} +\S+ (ms|s|MB)  ≤ {target} +(PASS|FAIL)$"
FIGURE_LINES = [
    r"^  database: own embedded PostgreSQL \S+, 2,000 synthetic cases over 182 days \(written in \d+ s\)$",
    r"^  each figure: median of 1 runs after a warm-up$",
    (r"^  every province +\d+ ms  \(counters \d+ ms, per day \d+ ms, per type \d+ ms, per province \d+ ms, "
     r"acknowledge \d+ ms\)$"),
    r"^  Bangkok \(10\) +\d+ ms  \(counters \d+ ms, .*acknowledge \d+ ms\)$",
    r"^  station officer, Khlong Toei +\d+ ms  \(\d+ rows\)$",
    r"^  province administrator, Bangkok +\d+ ms  \(\d+ rows\)$",
    r"^  national administrator +\d+ ms  \(\d+ rows\)$",
    r"^  [\d,]+ cases \(the last \d+ days\), [\d.]+ s, peak RSS \d+ MB \(before the export \d+ MB\), file [\d.]+ MB$",
    (r"^  baseline, the same cases through XlsxWriter \(constant memory\): [\d.]+ s; "
     r"the download takes [\d.]+ of its time$"),
    r"^Targets \(stated for 1,000,000 cases\)$",
    TARGET_LINE.format(name="dashboard, every province", target="200 ms"),
    TARGET_LINE.format(name="dashboard, one province", target="50 ms"),
    TARGET_LINE.format(name="case list page, station officer, Khlong Toei", target="100 ms"),
    TARGET_LINE.format(name="case list page, province administrator, Bangkok", target="100 ms"),
    TARGET_LINE.format(name="case list page, national administrator", target="100 ms"),
    TARGET_LINE.format(name=r"Excel of [\d,]+ cases, time", target="10 s"),
    TARGET_LINE.format(name=r"Excel of [\d,]+ cases, peak RSS", target="200 MB"),
]


def test_a_small_run_prints_every_figure_beside_its_target_and_removes_its_database() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.back_office", "--cases", "2000", "--repeat", "1", "--export-cases", "300"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    missing = [line for line in FIGURE_LINES if not re.search(line, run.stdout, re.MULTILINE)]
    assert not missing, f"no line matches {missing} in:\n{run.stdout}"
    exported = int(re.search(r"^  ([\d,]+) cases \(the last", run.stdout, re.MULTILINE).group(1).replace(",", ""))
    assert 200 <= exported <= 400  # about the --export-cases asked for
    folder = re.search(r"starting PostgreSQL in (\S+) …", run.stdout).group(1)
    assert run.stdout.rstrip().endswith("stopped")
    assert not Path(folder).exists()


@pytest.fixture
async def fresh_database(postgres_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A database of its own on the session's server (the synthetic cases would crowd the shared
    one's national figures), migrated, with the reference data and demo stations."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_url)
    await admin.execute(f"CREATE DATABASE {name}")
    connection = await asyncpg.connect(postgres_url, database=name)
    try:
        await migrate(connection)
        await load_reference_data(connection, include_demo_stations=True)
        yield connection
    finally:
        await connection.close()
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


async def test_synthetic_cases_look_as_described(fresh_database: asyncpg.Connection) -> None:
    connection = fresh_database
    started = datetime.now(THAILAND)
    batches = []

    assert await insert_cases(connection, 3000, 182, progress=batches.append) == 3000

    facts = await connection.fetchrow(
        """
        SELECT count(*) AS cases,
               count(*) FILTER (WHERE c.case_no NOT LIKE $1 || '%') AS foreign_numbers,
               count(*) FILTER (WHERE (c.acknowledged_at IS NOT NULL) <> (c.status <> 'NEW')) AS wrong_acknowledgement,
               count(*) FILTER (WHERE c.acknowledged_at <= c.reported_at) AS acknowledged_first,
               count(*) FILTER (WHERE s.code <> 'DEMO-' || c.district_code OR s.province_code <> c.province_code)
                   AS elsewhere,
               count(*) FILTER (WHERE c.reported_at < $2 OR c.reported_at > now()) AS out_of_range,
               count(*) FILTER (WHERE c.phone_e164 <> $3) AS other_phones,
               count(DISTINCT c.province_code) AS provinces,
               count(*) FILTER (WHERE c.status = 'NEW')::float / count(*) AS new_share,
               count(*) FILTER (WHERE c.status = 'CLOSED')::float / count(*) AS closed_share,
               count(*) FILTER (WHERE c.status = 'FORWARDED') AS forwarded,
               count(*) FILTER (WHERE c.incident_type_code IS NULL)::float / count(*) AS unstated_share
        FROM cases c JOIN stations s ON s.id = c.station_id
        """,
        CASE_PREFIX, started - timedelta(days=182, minutes=1), SYNTHETIC_PHONE,
    )
    assert (facts["cases"], facts["foreign_numbers"], facts["wrong_acknowledgement"], facts["acknowledged_first"],
            facts["elsewhere"], facts["out_of_range"], facts["other_phones"], facts["forwarded"]) == (
        3000, 0, 0, 0, 0, 0, 0, 0)
    assert facts["provinces"] >= 70
    assert facts["new_share"] == pytest.approx(183 / 596, abs=0.04)  # the brief's proportions
    assert facts["closed_share"] == pytest.approx(303 / 596, abs=0.04)
    assert facts["unstated_share"] < 0.07
    assert batches == [3000]

    waits = await time_to_acknowledge(connection, CaseFilter(scope=CaseScope.national()))
    assert 100 <= waits.median_seconds <= 220  # a median wait of 2.5 minutes
    today = started.date()
    country = CaseFilter(scope=CaseScope.national())
    assert await case_counters(connection, country, today) == await case_counters(
        connection, country, today, precounted=False)
