"""Reference activities: incident types from the database, places and phone numbers from libraries."""

from __future__ import annotations

import asyncpg
import pytest

from activities.reference import ReferenceData
from domain.escalation import DEFAULT_LADDER
from domain.models import Language, Location, PhoneNumber


@pytest.fixture
def reference(pool: asyncpg.Pool) -> ReferenceData:
    return ReferenceData(pool)


async def test_the_five_incident_types_come_in_order_in_thai_and_english(reference: ReferenceData) -> None:
    types = await reference.list_incident_types()
    assert [t.code for t in types] == [
        "THREAT_ASSAULT", "DETENTION", "SEXUAL_ABUSE_RISK", "DERANGED_PERSON", "GATHERING"]
    assert (types[1].label_th, types[1].label_en) == ("กักขังหน่วงเหนี่ยว", "Unlawfully detained or confined")
    assert types[1].escalation == DEFAULT_LADDER  # seeded with the default ladder, editable per type
    assert types[0].label(Language.THAI) == "ข่มขู่จะทำร้าย / ทำร้าย"


async def test_retired_types_are_not_offered_and_the_administrators_order_is_kept(
    reference: ReferenceData, pool: asyncpg.Pool
) -> None:
    gathering_order = await pool.fetchval("SELECT sort_order FROM incident_types WHERE code = 'GATHERING'")
    await pool.execute("UPDATE incident_types SET active = false WHERE code = 'DERANGED_PERSON'")
    await pool.execute("UPDATE incident_types SET sort_order = -1 WHERE code = 'GATHERING'")
    try:
        codes = [t.code for t in await reference.list_incident_types()]
        assert codes == ["GATHERING", "THREAT_ASSAULT", "DETENTION", "SEXUAL_ABUSE_RISK"]
    finally:
        await pool.execute("UPDATE incident_types SET active = true WHERE code = 'DERANGED_PERSON'")
        await pool.execute("UPDATE incident_types SET sort_order = $1 WHERE code = 'GATHERING'", gathering_order)


async def test_a_pinned_location_is_placed_in_province_and_district(reference: ReferenceData) -> None:
    place = await reference.locate_place(Location(latitude=18.7883, longitude=98.9853))
    assert place.inside_thailand
    assert place.describe(Language.THAI) == "เมืองเชียงใหม่, เชียงใหม่"


async def test_a_location_abroad_is_reported_as_outside_thailand(reference: ReferenceData) -> None:
    assert not (await reference.locate_place(Location(latitude=13.36, longitude=103.86))).inside_thailand


async def test_a_typed_phone_number_is_read(reference: ReferenceData) -> None:
    assert await reference.read_phone_number("๐๘๑ ๒๓๔ ๕๖๗๘") == PhoneNumber(
        valid=True, e164="+66812345678", national="081-234-5678"
    )
    assert await reference.read_phone_number("191") == PhoneNumber(valid=False)


async def test_a_phone_number_inside_what_the_reporter_wrote_is_read(reference: ReferenceData) -> None:
    assert (await reference.read_phone_number("my number is +44 7700 900123")).e164 == "+447700900123"


async def test_an_administrators_escalation_ladder_comes_with_its_incident_type(
    reference: ReferenceData, pool: asyncpg.Pool
) -> None:
    before = await pool.fetchval("SELECT escalation FROM incident_types WHERE code = 'SEXUAL_ABUSE_RISK'")
    ladder = [{"after": 0, "audiences": ["STATION", "CENTRE_191"]}, {"after": 60, "audiences": ["COMMANDERS"]}]
    await pool.execute("UPDATE incident_types SET escalation = $1 WHERE code = 'SEXUAL_ABUSE_RISK'", ladder)
    try:
        [risk] = [t for t in await reference.list_incident_types() if t.code == "SEXUAL_ABUSE_RISK"]
        assert [(rung.after.total_seconds(), [a.value for a in rung.audiences]) for rung in risk.escalation] == [
            (0, ["STATION", "CENTRE_191"]), (60, ["COMMANDERS"])
        ]
    finally:
        await pool.execute("UPDATE incident_types SET escalation = $1 WHERE code = 'SEXUAL_ABUSE_RISK'", before)
