"""Names for the ids the timelines and the audit log keep (officers, stations, accounts), read for a
whole page in one query.

An officer's name as people read it: their rank, then their name, once. The directory keeps the
rank apart (rank_title) and a name that may already begin with it (the demo directory's, and many
imported sheets'), so the rank is added only to a name that does not start with it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import asyncpg


def officer_display_name(alias: str = "o") -> str:
    """SQL for the officer's rank and name, the rank once (the officers table under `alias`)."""
    return (f"CASE WHEN coalesce({alias}.rank_title, '') = '' OR {alias}.name LIKE {alias}.rank_title || '%' "
            f"THEN {alias}.name ELSE {alias}.rank_title || ' ' || {alias}.name END")


@dataclass(frozen=True)
class OfficerName:
    name: str
    station_id: int | None


@dataclass
class DirectoryNames:
    """Officers by id (their name with rank and their station) and stations by id (Thai, English)."""

    officers: dict[int, OfficerName] = field(default_factory=dict)
    stations: dict[int, tuple[str, str]] = field(default_factory=dict)

    def station(self, station_id: int | None) -> tuple[str, str] | None:
        return self.stations.get(station_id) if station_id is not None else None


async def directory_names(connection: asyncpg.Connection, officer_ids: Iterable[int],
                          station_ids: Iterable[int]) -> DirectoryNames:
    """The names of these officers and stations, and of the officers' stations: one query."""
    officers = sorted({int(i) for i in officer_ids})
    stations = sorted({int(i) for i in station_ids})
    names = DirectoryNames()
    if not officers and not stations:
        return names
    rows = await connection.fetch(
        f"""
        SELECT 'officer' AS what, o.id, {officer_display_name()} AS name_th, NULL AS name_en, o.station_id
        FROM officers o WHERE o.id = ANY($1::bigint[])
        UNION ALL
        SELECT 'station', s.id, s.name_th, s.name_en, NULL FROM stations s
        WHERE s.id = ANY($2::bigint[]) OR s.id IN (SELECT station_id FROM officers WHERE id = ANY($1::bigint[]))
        """,
        officers, stations,
    )
    for row in rows:
        if row["what"] == "officer":
            names.officers[row["id"]] = OfficerName(row["name_th"], row["station_id"])
        else:
            names.stations[row["id"]] = (row["name_th"], row["name_en"] or row["name_th"])
    return names
