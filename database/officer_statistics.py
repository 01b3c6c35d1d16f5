"""The officer dashboard: how many active officers have registered on LINE and how many have not,
in all and per role, for one province or all of them.

An officer's province is their station's for station and 191-centre officers, and their own
province_code for province-level officers (commanders) who have no station. The national desk has
neither, so it only appears when every province is counted. Demonstration officers count like any
others; inactive officers do not count at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import asyncpg

from database.sql import Conditions
from domain.clock import thai_midnight
from domain.models import OfficerRole
from domain.officer_messages import OFFICER_ROLE_LABELS

@dataclass(frozen=True)
class RoleCount:
    role: OfficerRole
    label_th: str
    label_en: str
    registered: int
    not_registered: int


@dataclass(frozen=True)
class OfficerCounts:
    registered: int
    not_registered: int
    roles: list[RoleCount]  # every role, in OfficerRole's order, zeros included


async def officer_counts(
    connection: asyncpg.Connection,
    province_code: str | None,
    registered_from: date | None,
    registered_to: date | None,
) -> OfficerCounts:
    """Active officers registered on LINE (registered_at within the Thailand days given, both
    inclusive, when given) and not registered yet.

    The registration-date range applies to registered officers only: an officer who has not
    registered has no registration date, so every one of them counts whatever the range."""
    where = Conditions()
    where.add("o.active")
    if province_code is not None:
        # A station officer's province is the station's; the officers' own column is for those without one.
        where.add("coalesce(s.province_code, o.province_code) = {}", province_code)
    registered = Conditions()
    registered.parameters = where.parameters  # one statement, one list of parameters
    registered.add("o.registered_at IS NOT NULL")
    if registered_from is not None:
        registered.add("o.registered_at >= {}", thai_midnight(registered_from))
    if registered_to is not None:
        registered.add("o.registered_at < {}", thai_midnight(registered_to + timedelta(days=1)))
    rows = await connection.fetch(
        f"""
        SELECT o.role,
               count(*) FILTER (WHERE {registered.sql()}) AS registered,
               count(*) FILTER (WHERE o.registered_at IS NULL) AS not_registered
        FROM officers o LEFT JOIN stations s ON s.id = o.station_id
        WHERE {where.sql()}
        GROUP BY o.role
        """,
        *where.parameters,
    )
    counted = {OfficerRole(row["role"]): (row["registered"], row["not_registered"]) for row in rows}
    roles = [
        RoleCount(role, *OFFICER_ROLE_LABELS[role], *counted.get(role, (0, 0)))
        for role in OfficerRole
    ]
    return OfficerCounts(
        registered=sum(role.registered for role in roles),
        not_registered=sum(role.not_registered for role in roles),
        roles=roles,
    )
