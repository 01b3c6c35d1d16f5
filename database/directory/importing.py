"""The directory written to the database: every row is checked first (checks.py) and one bad row
means nothing is imported. Otherwise stations, officers, team members and agencies are inserted or
updated by their code, and each officer or active team member new to the directory gets a one-time
registration code, listed in the report for the administrator to hand out. A row missing from a
sheet is left as it is: only its own active column retires a team member or an agency."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from database.directory.checks import Known, check_directory
from database.directory.report import ImportReport, IssuedCode, IssuedTeamCode
from database.directory.sheets import Sheet
from database.officer_codes import DEFAULT_VALIDITY, issue_registration_code, issue_team_registration_code
from domain.models import StationKind


async def import_directory(
    connection: asyncpg.Connection,
    stations: Sheet | None,
    officers: Sheet | None,
    team_members: Sheet | None = None,
    agencies: Sheet | None = None,
    *,
    codes_valid_for: timedelta = DEFAULT_VALIDITY,
) -> ImportReport:
    """All rows or none, in one transaction."""
    async with connection.transaction():
        checked = check_directory(stations, officers, team_members, await _known(connection), agencies)
        if checked.problems:
            return ImportReport(imported=False, problems=checked.problems)
        report = ImportReport(imported=True)
        await _write_stations(connection, checked.stations, report)
        await _write_officers(connection, checked.officers, codes_valid_for, report)
        await _write_team_members(connection, checked.team_members, codes_valid_for, report)
        await _write_agencies(connection, checked.agencies, report)
        return report


async def _known(connection: asyncpg.Connection) -> Known:
    return Known(
        provinces={row["code"] for row in await connection.fetch("SELECT code FROM provinces")},
        districts={
            row["code"]: row["province_code"]
            for row in await connection.fetch("SELECT code, province_code FROM districts")
        },
        stations={
            row["code"]: (StationKind(row["kind"]), row["province_code"])
            for row in await connection.fetch("SELECT code, kind, province_code FROM stations")
        },
    )


async def _write_stations(connection: asyncpg.Connection, stations: list[dict], report: ImportReport) -> None:
    for station in stations:
        row = await connection.fetchrow(
            """
            INSERT INTO stations (code, kind, name_th, name_en, province_code, latitude, longitude, phone, is_demo)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false)
            ON CONFLICT (code) DO UPDATE SET
                kind = EXCLUDED.kind, name_th = EXCLUDED.name_th, name_en = EXCLUDED.name_en,
                province_code = EXCLUDED.province_code, latitude = EXCLUDED.latitude,
                longitude = EXCLUDED.longitude, phone = EXCLUDED.phone, is_demo = false
            RETURNING id, (xmax = 0) AS created
            """,
            station["code"], station["kind"], station["name_th"], station["name_en"], station["province_code"],
            station["latitude"], station["longitude"], station["phone"],
        )
        if row["created"]:
            report.stations_created += 1
        else:
            report.stations_updated += 1
        if station["has_districts"]:
            # The sheet lists the districts a station covers: they replace the ones it had.
            await connection.execute("DELETE FROM station_districts WHERE station_id = $1", row["id"])
            await connection.executemany(
                "INSERT INTO station_districts (station_id, district_code) VALUES ($1, $2)",
                [(row["id"], district) for district in station["district_codes"]],
            )


async def _write_officers(
    connection: asyncpg.Connection, officers: list[dict], valid_for: timedelta, report: ImportReport
) -> None:
    for officer in officers:
        created = await connection.fetchval(
            """
            INSERT INTO officers (code, name, rank_title, role, station_id, province_code, phone, active, is_demo)
            VALUES ($1, $2, $3, $4, (SELECT id FROM stations WHERE code = $5), $6, $7, true, false)
            ON CONFLICT (code) DO UPDATE SET
                name = EXCLUDED.name, rank_title = EXCLUDED.rank_title, role = EXCLUDED.role,
                station_id = EXCLUDED.station_id, province_code = EXCLUDED.province_code,
                phone = EXCLUDED.phone, active = true, is_demo = false
            RETURNING (xmax = 0) AS created
            """,
            officer["code"], officer["name"], officer["rank_title"], officer["role"], officer["station_code"],
            officer["province_code"], officer["phone"],
        )
        if created:
            report.officers_created += 1
            code = await issue_registration_code(connection, officer["code"], valid_for)
            report.registration_codes.append(IssuedCode(officer_code=officer["code"], registration_code=code))
        else:
            report.officers_updated += 1


async def _write_team_members(
    connection: asyncpg.Connection, members: list[dict], valid_for: timedelta, report: ImportReport
) -> None:
    for member in members:
        created = await connection.fetchval(
            """
            INSERT INTO team_members (code, name, role, province_code, organisation, phone, active, is_demo)
            VALUES ($1, $2, $3, $4, $5, $6, $7, false)
            ON CONFLICT (code) DO UPDATE SET
                name = EXCLUDED.name, role = EXCLUDED.role, province_code = EXCLUDED.province_code,
                organisation = EXCLUDED.organisation, phone = EXCLUDED.phone, active = EXCLUDED.active,
                is_demo = false
            RETURNING (xmax = 0) AS created
            """,
            member["code"], member["name"], member["role"], member["province_code"], member["organisation"],
            member["phone"], member["active"],
        )
        if created:
            report.team_members_created += 1
            if member["active"]:  # an inactive member could not use it
                code = await issue_team_registration_code(connection, member["code"], valid_for)
                report.team_registration_codes.append(
                    IssuedTeamCode(member_code=member["code"], registration_code=code))
        else:
            report.team_members_updated += 1


async def _write_agencies(connection: asyncpg.Connection, agencies: list[dict], report: ImportReport) -> None:
    for agency in agencies:
        created = await connection.fetchval(
            """
            INSERT INTO agencies (code, kind, province_code, name_th, name_en, phone, note, active, is_demo)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false)
            ON CONFLICT (code) DO UPDATE SET
                kind = EXCLUDED.kind, province_code = EXCLUDED.province_code, name_th = EXCLUDED.name_th,
                name_en = EXCLUDED.name_en, phone = EXCLUDED.phone, note = EXCLUDED.note, active = EXCLUDED.active,
                is_demo = false
            RETURNING (xmax = 0) AS created
            """,
            agency["code"], agency["kind"], agency["province_code"], agency["name_th"], agency["name_en"],
            agency["phone"], agency["note"], agency["active"],
        )
        if created:
            report.agencies_created += 1
        else:
            report.agencies_updated += 1
