"""A case's timeline in words: who did it (an officer by rank, name and station, not `officer:102`),
and what it amounted to (the station a case was routed to, how many officers of which station an
alert reached, whom an escalation called). Every id on the page is named with one query
(database.directory_names)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import asyncpg

from database.directory_names import DirectoryNames, directory_names
from domain.models import Audience
from rendering.audience_labels import AUDIENCE_LABELS

Words = tuple[str, str]  # (Thai, English)

ACTORS: dict[str, Words] = {
    "system": ("ระบบ", "System"),
    "reporter": ("ผู้แจ้ง", "Reporter"),
    "team": ("ทีมสหวิชาชีพ", "The team"),
    "officer": ("เจ้าหน้าที่", "An officer"),
}
UNKNOWN_OFFICER: Words = ("เจ้าหน้าที่ (ไม่อยู่ในทำเนียบแล้ว)", "An officer no longer in the directory")
NO_STATION: Words = ("ไม่สังกัดสถานี", "no station")


def _officer_ids(event: Mapping[str, Any]) -> Iterable[int]:
    actor, _, number = str(event["actor"] or "").partition(":")
    if actor == "officer" and number.isdigit():
        yield int(number)
    details = event["details"] or {}
    if isinstance(details.get("officer_id"), int):
        yield details["officer_id"]
    for key in ("officer_ids", "undelivered_ids"):
        yield from (i for i in details.get(key) or [] if isinstance(i, int))


def _station_ids(event: Mapping[str, Any]) -> Iterable[int]:
    details = event["details"] or {}
    yield from (details[key] for key in ("station_id", "centre_id") if isinstance(details.get(key), int))


def _officer(names: DirectoryNames, officer_id: int) -> Words:
    officer = names.officers.get(officer_id)
    if officer is None:
        return UNKNOWN_OFFICER
    station = names.station(officer.station_id)
    if station is None:
        return officer.name, officer.name
    return f"{officer.name} ({station[0]})", f"{officer.name} ({station[1]})"


def _who(event: Mapping[str, Any], names: DirectoryNames) -> Words:
    actor, _, number = str(event["actor"] or "").partition(":")
    if actor == "officer" and number.isdigit():
        return _officer(names, int(number))
    return ACTORS.get(actor, (actor or "—", actor or "—"))


def _counted_by_station(officer_ids: list[int], names: DirectoryNames) -> Words:
    """'3 คน ของ สน.ชนะสงคราม, 1 คน ของ ศูนย์ 191' / '3 officers of …, 1 officer of …'."""
    per_station = Counter(names.officers[i].station_id if i in names.officers else None for i in officer_ids)
    thai, english = [], []
    for station_id, count in sorted(per_station.items(), key=lambda item: -item[1]):
        station = names.station(station_id) or NO_STATION
        thai.append(f"{count} คน ของ {station[0]}")
        english.append(f"{count} officer{'s' if count != 1 else ''} of {station[1]}")
    return ", ".join(thai), ", ".join(english)


def _audiences(values: Iterable[str]) -> Words:
    labels = [AUDIENCE_LABELS.get(Audience(v), (v, v)) if v in Audience.__members__ else (v, v) for v in values]
    return ", ".join(label[0] for label in labels), ", ".join(label[1] for label in labels)


def _what(kind: str, details: Mapping[str, Any], names: DirectoryNames) -> list[Words]:
    """The entry's particulars worth reading, each (Thai, English)."""
    said: list[Words] = []
    if kind in ("ROUTED", "REASSIGNED") and (station := names.station(details.get("station_id"))):
        said.append((f"ไปยัง {station[0]}", f"to {station[1]}"))
    if kind == "ROUTED":
        if centre := names.station(details.get("centre_id")):
            said.append((f"ศูนย์ 191: {centre[0]}", f"191 centre: {centre[1]}"))
        if details.get("method") == "nearest":
            said.append(("สถานีที่ใกล้ที่สุด", "the nearest station"))
    if kind == "ALERTED" and details.get("officer_ids"):
        counted = _counted_by_station(details["officer_ids"], names)
        said.append((f"แจ้งเตือนเจ้าหน้าที่ {counted[0]}", f"alerted {counted[1]}"))
    if kind == "ALERTED" and details.get("undelivered_ids"):
        missed = _counted_by_station(details["undelivered_ids"], names)
        said.append((f"LINE ส่งไม่ถึง {missed[0]}", f"LINE did not deliver to {missed[1]}"))
    if kind in ("ALERTED", "ESCALATED") and details.get("audiences"):
        audiences = _audiences(details["audiences"])
        said.append((f"ผู้รับแจ้ง: {audiences[0]}", f"for {audiences[1]}"))
    if kind == "REVIEW_FLAGGED" and details.get("earlier_pranks"):
        said.append((f"เคยแจ้งเล่น {details['earlier_pranks']} ครั้ง", f"{details['earlier_pranks']} earlier pranks"))
    return said


async def case_timeline_in_words(connection: asyncpg.Connection,
                                 events: list[asyncpg.Record]) -> list[dict[str, Any]]:
    """The timeline's entries, each with `who` and `what` in words (Thai, English)."""
    names = await directory_names(connection, (i for e in events for i in _officer_ids(e)),
                                  (i for e in events for i in _station_ids(e)))
    return [{"kind": e["kind"], "at": e["at"], "actor": e["actor"], "details": e["details"] or {},
             "who": _who(e, names), "what": _what(e["kind"], e["details"] or {}, names)} for e in events]
