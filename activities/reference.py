"""Reference knowledge: incident types (PostgreSQL), places and phone numbers (libraries)."""

from __future__ import annotations

import asyncio

import asyncpg
from temporalio import activity

from domain import phone
from domain.models import IncidentType, Location, PhoneNumber, Place
from places import geography


class ReferenceData:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="list_incident_types")
    async def list_incident_types(self) -> list[IncidentType]:
        """The types a reporter may choose, in the administrators' order, each with its escalation
        ladder (it travels with the case, so a later edit applies to new cases only)."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT code, label_th, label_en, escalation FROM incident_types WHERE active ORDER BY sort_order, code"
            )
        return [IncidentType(**dict(row)) for row in rows]

    @activity.defn(name="locate_place")
    async def locate_place(self, location: Location) -> Place:
        # The first call reads the bundled place data (about half a second): off the event loop.
        return await asyncio.to_thread(geography.locate, location)

    @activity.defn(name="read_phone_number")
    async def read_phone_number(self, text: str) -> PhoneNumber:
        """What the reporter wrote: a number alone or inside a sentence (the name is the one
        recorded histories carry)."""
        return phone.find_phone_number(text)
