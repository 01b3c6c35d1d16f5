"""The simulator's example places: the first one lands where the demonstration station officer
works, so a report pinned there alerts the back office's `khlongtoei` account's station."""

from __future__ import annotations

import asyncpg

from activities.directory import Directory
from database.accounts import DEMO_ACCOUNTS
from domain.models import Location, RoutingRequest
from line_simulator.places import PRESETS
from places.geography import locate


async def test_the_first_preset_is_routed_to_the_station_the_demo_station_officer_acts_for(
    pool: asyncpg.Pool,
) -> None:
    preset = PRESETS[0]
    location = Location(latitude=preset["latitude"], longitude=preset["longitude"], address=preset["address"])
    place = locate(location)
    assert place.inside_thailand
    assert place == locate(location.model_copy(update={"address": None})), "its address and its pin agree"

    route = await Directory(pool).route_case(RoutingRequest(case_no="ESS-2026-000001", place=place, location=location))

    [officer_code] = [account[4] for account in DEMO_ACCOUNTS if account[0] == "khlongtoei"]
    officers_station = await pool.fetchval("SELECT station_id FROM officers WHERE code = $1", officer_code)
    assert route.method == "district"
    assert route.station.station_id == officers_station
    assert "คลองเตย" in route.station.name_th
