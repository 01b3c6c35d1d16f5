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
from domain.escalation import ON_DUTY_ROLES
from domain.models import OfficerRole
from domain.role_names import OFFICER_ROLE_LABELS


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


@dataclass(frozen=True)
class StationLinks:
    """A station's active officers linked to LINE and not, and how many of those the first rung
    alerts (the officers on duty, domain.escalation.ON_DUTY_ROLES) are linked."""

    province_code: str
    province_th: str
    province_en: str
    station_id: int
    station_code: str
    station_th: str
    station_en: str
    linked: int
    not_linked: int
    on_duty_linked: int

    @property
    def reaches_nobody(self) -> bool:
        return self.on_duty_linked == 0


@dataclass(frozen=True)
class ProvinceLinks:
    province_code: str
    province_th: str
    province_en: str
    linked: int
    not_linked: int
    stations_reaching_nobody: int


async def station_links(connection: asyncpg.Connection, province_code: str | None) -> list[StationLinks]:
    """Every police station (not 191 centres) of the province, or of all provinces, by province and
    name, with its officers' LINE links. A station whose officers on duty have no LINE link would
    reach nobody tonight: its cases' first rung alerts no one (activities.directory.officers_for_audiences)."""
    where = Conditions()
    where.add("s.kind = 'STATION'")
    if province_code is not None:
        where.add("s.province_code = {}", province_code)
    where.parameters.append(sorted(role.value for role in ON_DUTY_ROLES))
    rows = await connection.fetch(
        f"""
        SELECT s.province_code, p.name_th AS province_th, p.name_en AS province_en, s.id AS station_id,
               s.code AS station_code, s.name_th AS station_th, s.name_en AS station_en,
               count(o.id) FILTER (WHERE o.line_user_id IS NOT NULL) AS linked,
               count(o.id) FILTER (WHERE o.line_user_id IS NULL) AS not_linked,
               count(o.id) FILTER (WHERE o.line_user_id IS NOT NULL
                                   AND o.role = ANY(${len(where.parameters)}::text[])) AS on_duty_linked
        FROM stations s JOIN provinces p ON p.code = s.province_code
        LEFT JOIN officers o ON o.station_id = s.id AND o.active
        WHERE {where.sql()}
        GROUP BY s.id, p.code
        ORDER BY p.name_th, s.name_th, s.id
        """,
        *where.parameters,
    )
    return [StationLinks(**dict(row)) for row in rows]


def province_links(stations: list[StationLinks]) -> list[ProvinceLinks]:
    """The stations' figures added up per province, in the stations' order."""
    totals: dict[str, ProvinceLinks] = {}
    for s in stations:
        before = totals.get(s.province_code) or ProvinceLinks(s.province_code, s.province_th, s.province_en, 0, 0, 0)
        totals[s.province_code] = ProvinceLinks(
            s.province_code, s.province_th, s.province_en, before.linked + s.linked, before.not_linked + s.not_linked,
            before.stations_reaching_nobody + s.reaches_nobody)
    return list(totals.values())
