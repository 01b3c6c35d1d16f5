"""The officer dashboard: active officers registered on LINE and not yet, in all and per role, for a
province (the station's for station officers, their own for commanders) or all of them.

Demonstration officers and other tests' officers share the database, so each test compares the
counts before and after adding its own officers; registrations are dated in 2001 or 2002, years
no other test registers in."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import asyncpg
import pytest

from database.officer_statistics import OfficerCounts, officer_counts
from domain.clock import THAILAND
from domain.models import OfficerRole

CHIANG_MAI = "50"
PHUKET = "83"


async def add_station(connection: asyncpg.Connection, province_code: str) -> int:
    return await connection.fetchval(
        "INSERT INTO stations (code, name_th, name_en, province_code) VALUES ($1, 'สถานีทดสอบ', 'Test station', $2)"
        " RETURNING id",
        f"TEST-{uuid.uuid4().hex[:10]}", province_code,
    )


async def add_officer(
    connection: asyncpg.Connection,
    role: OfficerRole,
    *,
    station_id: int | None = None,
    province_code: str | None = None,
    registered_at: datetime | None = None,
    active: bool = True,
) -> None:
    await connection.execute(
        "INSERT INTO officers (code, name, role, station_id, province_code, line_user_id, registered_at, active)"
        " VALUES ($1, 'ร.ต.อ. ทดสอบ', $2, $3, $4, $5, $6, $7)",
        f"TEST-{uuid.uuid4().hex[:10]}", role.value, station_id, province_code,
        None if registered_at is None else f"U{uuid.uuid4().hex}", registered_at, active,
    )


def per_role(counts: OfficerCounts) -> dict[OfficerRole, tuple[int, int]]:
    return {role.role: (role.registered, role.not_registered) for role in counts.roles}


def added(before: OfficerCounts, after: OfficerCounts) -> dict[OfficerRole, tuple[int, int]]:
    """What the test's own officers added, per role, leaving out roles it did not touch."""
    was, now = per_role(before), per_role(after)
    return {
        role: (now[role][0] - was[role][0], now[role][1] - was[role][1])
        for role in OfficerRole
        if now[role] != was[role]
    }


def thai(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=THAILAND)


async def test_every_role_is_listed_with_thai_and_english_labels(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        counts = await officer_counts(connection, None, None, None)
    assert [role.role for role in counts.roles] == list(OfficerRole)
    labels = {role.role: (role.label_th, role.label_en) for role in counts.roles}
    assert labels[OfficerRole.RADIO_ROOM] == ("ตำรวจห้องวิทยุ", "Radio-room police")
    assert labels[OfficerRole.CENTRE_191] == ("ตำรวจศูนย์ 191", "191 centre police")
    assert labels[OfficerRole.PATROL][0] == "พ.บ."
    assert counts.registered == sum(role.registered for role in counts.roles)
    assert counts.not_registered == sum(role.not_registered for role in counts.roles)


async def test_demonstration_officers_count_like_any_others(pool: asyncpg.Pool) -> None:
    # The reference data staffs every district's demo station with a radio-room officer, unregistered.
    async with pool.acquire() as connection:
        counts = await officer_counts(connection, CHIANG_MAI, None, None)
        demo, others = await connection.fetchrow(
            """
            SELECT count(*) FILTER (WHERE o.is_demo), count(*) FILTER (WHERE NOT o.is_demo)
            FROM officers o JOIN stations s ON s.id = o.station_id
            WHERE o.active AND o.role = 'RADIO_ROOM' AND o.registered_at IS NULL AND s.province_code = $1
            """,
            CHIANG_MAI,
        )
    assert demo > 0
    assert per_role(counts)[OfficerRole.RADIO_ROOM][1] == demo + others


async def test_active_officers_count_per_role_in_the_province_they_belong_to(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        chiang_mai_station = await add_station(connection, CHIANG_MAI)
        before = {province: await officer_counts(connection, province, None, None) for province in (CHIANG_MAI, PHUKET)}
        before_all = await officer_counts(connection, None, None, None)

        registered = thai(date(2002, 1, 15))
        await add_officer(connection, OfficerRole.RADIO_ROOM, station_id=chiang_mai_station, registered_at=registered)
        await add_officer(connection, OfficerRole.RADIO_ROOM, station_id=chiang_mai_station)
        await add_officer(connection, OfficerRole.PATROL, station_id=chiang_mai_station)
        # The station decides the province, whatever the officer's own column says.
        await add_officer(connection, OfficerRole.INSPECTOR, station_id=chiang_mai_station, province_code=PHUKET)
        # No station: a commander belongs to their own province.
        await add_officer(connection, OfficerRole.COMMANDER, province_code=PHUKET, registered_at=registered)
        await add_officer(connection, OfficerRole.DEPUTY_COMMANDER, province_code=PHUKET)
        # Inactive officers do not count at all.
        await add_officer(connection, OfficerRole.RADIO_ROOM, station_id=chiang_mai_station, active=False)
        await add_officer(connection, OfficerRole.COMMANDER, province_code=PHUKET, registered_at=registered,
                          active=False)
        # The national desk belongs to no province.
        await add_officer(connection, OfficerRole.NATIONAL_DESK, registered_at=registered)

        after = {province: await officer_counts(connection, province, None, None) for province in (CHIANG_MAI, PHUKET)}
        after_all = await officer_counts(connection, None, None, None)

    assert added(before[CHIANG_MAI], after[CHIANG_MAI]) == {
        OfficerRole.RADIO_ROOM: (1, 1), OfficerRole.PATROL: (0, 1), OfficerRole.INSPECTOR: (0, 1)}
    assert added(before[PHUKET], after[PHUKET]) == {
        OfficerRole.COMMANDER: (1, 0), OfficerRole.DEPUTY_COMMANDER: (0, 1)}
    assert added(before_all, after_all) == {
        OfficerRole.RADIO_ROOM: (1, 1), OfficerRole.PATROL: (0, 1), OfficerRole.INSPECTOR: (0, 1),
        OfficerRole.COMMANDER: (1, 0), OfficerRole.DEPUTY_COMMANDER: (0, 1), OfficerRole.NATIONAL_DESK: (1, 0)}
    assert (after_all.registered - before_all.registered, after_all.not_registered - before_all.not_registered) == (
        3, 4)


async def test_the_registration_dates_choose_registered_officers_by_thailand_day(pool: asyncpg.Pool) -> None:
    may_2001 = (date(2001, 5, 1), date(2001, 5, 10))
    async with pool.acquire() as connection:
        station_id = await add_station(connection, PHUKET)
        before = await officer_counts(connection, PHUKET, *may_2001)
        await add_officer(connection, OfficerRole.CENTRE_191, station_id=station_id,
                          registered_at=thai(date(2001, 5, 1), 0, 10))  # first day, just after midnight
        await add_officer(connection, OfficerRole.CENTRE_191, station_id=station_id,
                          registered_at=thai(date(2001, 5, 10), 23, 30))  # last day, late (16:30 UTC)
        await add_officer(connection, OfficerRole.CENTRE_191, station_id=station_id,
                          registered_at=thai(date(2001, 5, 11), 0, 10))  # the next day (still the 10th in UTC)
        await add_officer(connection, OfficerRole.CENTRE_191, station_id=station_id,
                          registered_at=thai(date(2001, 4, 30), 23, 50))  # the day before
        await add_officer(connection, OfficerRole.SUPERINTENDENT, station_id=station_id)  # not registered
        after = await officer_counts(connection, PHUKET, *may_2001)
        in_may_only = await officer_counts(connection, None, *may_2001)
        everything = await officer_counts(connection, PHUKET, None, None)

    # The range picks registered officers; the unregistered have no date and always count.
    assert added(before, after) == {OfficerRole.CENTRE_191: (2, 0), OfficerRole.SUPERINTENDENT: (0, 1)}
    assert in_may_only.registered == 2  # no one else registers in 2001
    assert per_role(everything)[OfficerRole.CENTRE_191][0] >= 4


@pytest.mark.parametrize(("first", "last", "registered"), [
    (date(2001, 5, 11), None, 1),  # from a day on: the 11th
    (None, date(2001, 4, 30), 1),  # up to a day: the 30th of April
])
async def test_an_open_ended_registration_range(
    pool: asyncpg.Pool, first: date | None, last: date | None, registered: int
) -> None:
    async with pool.acquire() as connection:
        station_id = await add_station(connection, CHIANG_MAI)
        before = await officer_counts(connection, CHIANG_MAI, first, last)
        await add_officer(connection, OfficerRole.PATROL, station_id=station_id, registered_at=thai(date(2001, 4, 30)))
        await add_officer(connection, OfficerRole.PATROL, station_id=station_id, registered_at=thai(date(2001, 5, 11)))
        after = await officer_counts(connection, CHIANG_MAI, first, last)
    assert added(before, after) == {OfficerRole.PATROL: (registered, 0)}
