"""The directory of stations, 191 centres and officers (PostgreSQL): who is responsible for a case,
whom to alert, who an officer on LINE is, and the registration of officers and team members with
one-time codes.

Reads only, except registration, which is keyed by the code so that a retry answers the same.
"""

from __future__ import annotations

import hashlib

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from database.officer_codes import hash_code
from database.officers import officer_by_id, officer_by_line_user
from database.sign_in_throttle import attempt_failed, attempt_succeeded, begin_attempt, minutes_to_wait
from database.team_members import team_member_by_id
from domain.escalation import ON_DUTY_ROLES
from domain.models import (
    Audience,
    AudienceRequest,
    CaseStatus,
    Officer,
    OfficerContact,
    OfficerRole,
    Route,
    RoutingRequest,
    Station,
    StationKind,
)
from domain.registration import (
    RegistrationFailure,
    RegistrationOutcome,
    RegistrationRequest,
)

STATION_COLUMNS = ("s.id AS station_id, s.code, s.kind, s.name_th, s.name_en, s.province_code, s.latitude, s.longitude,"
                   " s.phone")
# Great-circle distance in km from ($1, $2) to the station row s (haversine).
DISTANCE_KM = """
    2 * 6371 * asin(sqrt(
        power(sin(radians(s.latitude - $1) / 2), 2)
        + cos(radians($1)) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - $2) / 2), 2)
    ))
"""
COMMANDER_ROLES = (OfficerRole.COMMANDER, OfficerRole.DEPUTY_COMMANDER)
# The first key of the advisory locks on a LINE account while it registers (two-key locks do not
# meet the one-key locks used elsewhere).
REGISTRATION_LOCK_CLASS = 0x4C494E45  # "LINE"


def registration_sign_in(line_user_id: str) -> str:
    """Codes typed in LINE count as failed sign-ins of the LINE account, which is its own address
    too (LINE shows no other): the name it is throttled under, not the id itself."""
    return "line:" + hashlib.sha256(line_user_id.encode()).hexdigest()[:16]


class Directory:
    def __init__(self, pool: asyncpg.Pool, sign_in_failures_per_minute: int = 60) -> None:
        self._pool = pool
        self._failures_per_minute = sign_in_failures_per_minute

    @activity.defn(name="route_case")
    async def route_case(self, request: RoutingRequest) -> Route:
        """The station covering the case's district; else the nearest station, in the same province
        when that is known; with the province's 191 centre."""
        district = request.place.district_code
        province = request.place.province_code or (district[:2] if district else None)
        point = (request.location.latitude, request.location.longitude)
        async with self._pool.acquire() as connection:
            station, method = None, "district"
            if district:
                station = await _station_covering(connection, district, point)
            if station is None:
                station, method = await _nearest_station(connection, province, point), "nearest"
            if station is None:
                raise ApplicationError(
                    f"no police station in the directory for case {request.case_no}",
                    type="NoStation",
                    non_retryable=True,
                )
            centre = await _centre_of(connection, province or station.province_code)
        return Route(station=station, centre=centre, method=method)

    @activity.defn(name="get_station")
    async def get_station(self, station_id: int) -> Station:
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(f"SELECT {STATION_COLUMNS} FROM stations AS s WHERE s.id = $1", station_id)
        if row is None:
            raise ApplicationError(f"no station {station_id}", type="UnknownStation", non_retryable=True)
        return Station(**dict(row))

    @activity.defn(name="officers_for_audiences")
    async def officers_for_audiences(self, request: AudienceRequest) -> list[OfficerContact]:
        """Active officers linked to LINE in the given audiences, each once, audience by audience."""
        route = request.route
        province = (route.centre or route.station).province_code
        found: dict[int, OfficerContact] = {}
        async with self._pool.acquire() as connection:
            for audience in request.audiences:
                for row in await _audience_members(connection, audience, route, province):
                    found.setdefault(row["officer_id"], OfficerContact(**dict(row)))
        return list(found.values())

    @activity.defn(name="officer_contact")
    async def officer_contact(self, officer_id: int) -> OfficerContact | None:
        """How to reach this officer on LINE: None when they are inactive or not linked."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                "SELECT id AS officer_id, line_user_id FROM officers"
                " WHERE id = $1 AND active AND line_user_id IS NOT NULL",
                officer_id,
            )
        return OfficerContact(**dict(row)) if row else None

    @activity.defn(name="follow_up_contacts")
    async def follow_up_contacts(self, case_no: str) -> list[OfficerContact]:
        """Who hears what a reporter sends after their case ended: the officer who acknowledged it,
        while active and on LINE; else the officers on duty at its station."""
        async with self._pool.acquire() as connection:
            acknowledger = await connection.fetchrow(
                """
                SELECT o.id AS officer_id, o.line_user_id FROM cases AS c JOIN officers AS o ON o.id = c.acknowledged_by
                WHERE c.case_no = $1 AND o.active AND o.line_user_id IS NOT NULL
                """,
                case_no,
            )
            if acknowledger is not None:
                return [OfficerContact(**dict(acknowledger))]
            station = await connection.fetchrow(
                f"SELECT {STATION_COLUMNS} FROM cases AS c JOIN stations AS s ON s.id = c.station_id"
                " WHERE c.case_no = $1",
                case_no,
            )
            if station is None:
                return []
            route = Route(station=Station(**dict(station)), method="district")
            rows = await _audience_members(connection, Audience.STATION, route, station["province_code"])
        return [OfficerContact(**dict(row)) for row in rows]

    @activity.defn(name="find_officer_by_line_user")
    async def find_officer_by_line_user(self, line_user_id: str) -> Officer | None:
        """The active, registered officer using this LINE account, if any."""
        async with self._pool.acquire() as connection:
            return await officer_by_line_user(connection, line_user_id)

    @activity.defn(name="register_officer")
    async def register_officer(self, request: RegistrationRequest) -> RegistrationOutcome:
        """Links a LINE account to the officer or team member a one-time code was issued for. A
        LINE account belongs to one person, officer or team member. A retry with the same code
        from the same account answers "registered" again. Codes are short: guesses are slowed as
        password guesses are, per LINE account."""
        who = registration_sign_in(request.line_user_id)
        async with self._pool.acquire() as connection:
            if wait := await begin_attempt(connection, who, who, self._failures_per_minute):
                return RegistrationOutcome(registered=False, reason=RegistrationFailure.THROTTLED,
                                           wait_minutes=minutes_to_wait(wait))
            outcome = await self._register(connection, request)
            if outcome.registered:
                await attempt_succeeded(connection, who, who)
            else:
                await attempt_failed(connection, who, who)
        return outcome

    async def _register(self, connection: asyncpg.Connection, request: RegistrationRequest) -> RegistrationOutcome:
        async with connection.transaction():
            # Officers and team members are two tables, so their unique LINE links cannot stop two
            # codes linking one account to both at once: registrations of one account queue here.
            await connection.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))",
                                     REGISTRATION_LOCK_CLASS, request.line_user_id)
            code = await connection.fetchrow(
                """
                SELECT c.officer_id, c.team_member_id, c.used_at, c.expires_at <= now() AS expired,
                       coalesce(o.line_user_id, m.line_user_id) AS line_user_id
                FROM officer_registration_codes AS c
                LEFT JOIN officers AS o ON o.id = c.officer_id
                LEFT JOIN team_members AS m ON m.id = c.team_member_id
                WHERE c.code_hash = $1 AND coalesce(o.active, m.active)
                FOR UPDATE OF c
                """,
                hash_code(request.code),
            )
            if code is None:
                return _refused(RegistrationFailure.UNKNOWN_CODE)
            if code["used_at"] is not None:
                if code["line_user_id"] == request.line_user_id:
                    return await _registered(connection, code)
                return _refused(RegistrationFailure.ALREADY_USED)
            if code["expired"]:
                return _refused(RegistrationFailure.EXPIRED)
            if await _linked_to_someone_else(connection, request.line_user_id, code):
                return _refused(RegistrationFailure.LINE_ACCOUNT_TAKEN)
            table, holder_id = (
                ("officers", code["officer_id"]) if code["officer_id"] is not None
                else ("team_members", code["team_member_id"])
            )
            try:
                async with connection.transaction():  # a savepoint: the race below leaves the rest intact
                    await connection.execute(
                        f"UPDATE {table} SET line_user_id = $2, registered_at = now() WHERE id = $1",
                        holder_id,
                        request.line_user_id,
                    )
            except asyncpg.UniqueViolationError:  # another code linked this account a moment ago
                return _refused(RegistrationFailure.LINE_ACCOUNT_TAKEN)
            await connection.execute(
                "UPDATE officer_registration_codes SET used_at = now() WHERE code_hash = $1", hash_code(request.code)
            )
            return await _registered(connection, code)

    @activity.defn(name="count_prank_reports")
    async def count_prank_reports(self, reporter_key: str) -> int:
        """How many of this reporter's cases officers closed as pranks."""
        async with self._pool.acquire() as connection:
            pranks: int = await connection.fetchval(
                "SELECT count(*) FROM cases WHERE reporter_key = $1 AND status = $2",
                reporter_key,
                CaseStatus.PRANK.value,
            )
            return pranks


async def _station_covering(connection: asyncpg.Connection, district: str,
                            point: tuple[float, float]) -> Station | None:
    # Several stations may share a district: the nearest one with coordinates, then the oldest.
    row = await connection.fetchrow(
        f"""
        SELECT {STATION_COLUMNS} FROM stations AS s JOIN station_districts AS sd ON sd.station_id = s.id
        WHERE sd.district_code = $3 AND s.kind = $4
        ORDER BY {DISTANCE_KM} NULLS LAST, s.id
        LIMIT 1
        """,
        *point,
        district,
        StationKind.STATION.value,
    )
    return Station(**dict(row)) if row else None


async def _nearest_station(connection: asyncpg.Connection, province: str | None,
                           point: tuple[float, float]) -> Station | None:
    """Nearest by great-circle distance, the case's province first; stations without coordinates
    only when no station has any."""
    row = await connection.fetchrow(
        f"""
        SELECT {STATION_COLUMNS} FROM stations AS s
        WHERE s.kind = $4
        ORDER BY s.province_code IS NOT DISTINCT FROM $3 DESC, s.latitude IS NULL, {DISTANCE_KM}, s.id
        LIMIT 1
        """,
        *point,
        province,
        StationKind.STATION.value,
    )
    return Station(**dict(row)) if row else None


async def _centre_of(connection: asyncpg.Connection, province: str) -> Station | None:
    row = await connection.fetchrow(
        f"SELECT {STATION_COLUMNS} FROM stations AS s WHERE s.province_code = $1 AND s.kind = $2 ORDER BY s.id LIMIT 1",
        province,
        StationKind.CENTRE_191.value,
    )
    return Station(**dict(row)) if row else None


async def _audience_members(
    connection: asyncpg.Connection, audience: Audience, route: Route, province: str
) -> list[asyncpg.Record]:
    """officer_id and line_user_id of the audience's reachable officers, in a stable order."""
    if audience == Audience.STATION:
        where = "o.station_id = $1 AND o.role = ANY($2::text[])"
        arguments = [route.station.station_id, list(ON_DUTY_ROLES)]
    elif audience == Audience.SUPERINTENDENT:
        where, arguments = "o.station_id = $1 AND o.role = $2", [route.station.station_id, OfficerRole.SUPERINTENDENT]
    elif audience == Audience.CENTRE_191:
        if route.centre is None:
            return []
        where, arguments = "o.station_id = $1", [route.centre.station_id]
    elif audience == Audience.COMMANDERS:
        where, arguments = (
            "coalesce(s.province_code, o.province_code) = $1 AND o.role = ANY($2::text[])",
            [province, list(COMMANDER_ROLES)],
        )
    else:
        where, arguments = "o.role = $1", [OfficerRole.NATIONAL_DESK]
    rows: list[asyncpg.Record] = await connection.fetch(
        f"""
        SELECT o.id AS officer_id, o.line_user_id
        FROM officers AS o LEFT JOIN stations AS s ON s.id = o.station_id
        WHERE o.active AND o.line_user_id IS NOT NULL AND {where}
        ORDER BY o.role, o.id
        """,
        *[str(a) if isinstance(a, OfficerRole) else a for a in arguments],
    )
    return rows


async def _linked_to_someone_else(connection: asyncpg.Connection, line_user_id: str, code: asyncpg.Record) -> bool:
    """The LINE account is already linked to an officer or team member the code was not issued for."""
    linked: bool = await connection.fetchval(
        """
        SELECT EXISTS (SELECT 1 FROM officers WHERE line_user_id = $1 AND id IS DISTINCT FROM $2)
            OR EXISTS (SELECT 1 FROM team_members WHERE line_user_id = $1 AND id IS DISTINCT FROM $3)
        """,
        line_user_id,
        code["officer_id"],
        code["team_member_id"],
    )
    return linked


async def _registered(connection: asyncpg.Connection, code: asyncpg.Record) -> RegistrationOutcome:
    """The outcome naming whom the code linked: its officer or its team member."""
    if code["officer_id"] is not None:
        officer = await officer_by_id(connection, code["officer_id"], active_only=False)
        assert officer is not None  # the code's row references it
        return RegistrationOutcome(registered=True, officer=officer)
    member = await team_member_by_id(connection, code["team_member_id"], active_only=False)
    assert member is not None  # the code's row references it
    return RegistrationOutcome(registered=True, team_member=member)


def _refused(reason: RegistrationFailure) -> RegistrationOutcome:
    return RegistrationOutcome(registered=False, reason=reason)
