"""The directory: routing a case to its station and 191 centre, whom each escalation rung alerts,
officers found by their LINE account, registration with one-time codes, prank reputation."""

from __future__ import annotations

import asyncio
import math
import uuid
from datetime import timedelta

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError

from activities.cases import CaseStore
from activities.directory import Directory
from database.migrate import migrate
from database.officer_codes import (
    CODE_ALPHABET,
    UnknownTeamMember,
    issue_registration_code,
    issue_team_registration_code,
)
from database.reference_data import DEMO_OFFICER_PREFIX
from database.sign_in_throttle import FREE_FAILURES
from domain.handoff import TeamMember, TeamRole
from domain.models import (
    Audience,
    AudienceRequest,
    CaseEvent,
    CaseNumberRequest,
    CaseOpening,
    Language,
    Location,
    Officer,
    OfficerContact,
    OfficerRole,
    Place,
    Report,
    Reporter,
    Route,
    RoutingRequest,
    Station,
    StationKind,
)
from domain.registration import RegistrationOutcome, RegistrationRequest


@pytest.fixture
def directory(pool: asyncpg.Pool) -> Directory:
    return Directory(pool, sign_in_failures_per_minute=100_000)  # as tests.fake_line.line_settings


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def routing(latitude: float, longitude: float, province: str | None = None,
            district: str | None = None) -> RoutingRequest:
    return RoutingRequest(
        case_no="ESS-2026-000001",
        place=Place(inside_thailand=True, province_code=province, district_code=district),
        location=Location(latitude=latitude, longitude=longitude),
    )


def kilometres(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (map(math.radians, a), map(math.radians, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


# --- routing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("district", "latitude", "longitude", "station_name"),
    [
        ("1001", 13.756, 100.499, "สถานีตำรวจพระนคร (ข้อมูลตัวอย่าง)"),
        ("1033", 13.722, 100.585, "สถานีตำรวจคลองเตย (ข้อมูลตัวอย่าง)"),
        ("1039", 13.742, 100.585, "สถานีตำรวจวัฒนา (ข้อมูลตัวอย่าง)"),
        ("1043", 13.827, 100.679, "สถานีตำรวจคันนายาว (ข้อมูลตัวอย่าง)"),
        ("1050", 13.663, 100.408, "สถานีตำรวจบางบอน (ข้อมูลตัวอย่าง)"),
    ],
)
async def test_a_bangkok_case_goes_to_the_station_of_its_khet_and_bangkoks_191_centre(
    directory: Directory, district: str, latitude: float, longitude: float, station_name: str
) -> None:
    route = await directory.route_case(routing(latitude, longitude, "10", district))
    assert route.method == "district"
    assert route.station.name_th == station_name
    assert route.station.kind == StationKind.STATION
    assert route.station.province_code == "10"
    assert route.centre is not None
    assert route.centre.kind == StationKind.CENTRE_191
    assert route.centre.name_th == "ศูนย์ 191 จังหวัดกรุงเทพมหานคร (ข้อมูลตัวอย่าง)"


@pytest.mark.parametrize(
    ("province", "district", "latitude", "longitude"),
    [
        ("50", "5001", 18.788, 98.985),  # Mueang Chiang Mai
        ("40", "4001", 16.432, 102.836),  # Mueang Khon Kaen
        ("90", "9011", 7.008, 100.475),  # Hat Yai, Songkhla
        ("83", "8301", 7.884, 98.392),  # Mueang Phuket
        ("96", "9601", 6.426, 101.823),  # Mueang Narathiwat
        ("20", "2001", 13.361, 100.984),  # Mueang Chon Buri
    ],
)
async def test_a_provincial_case_goes_to_its_districts_station_and_its_provinces_centre(
    directory: Directory, province: str, district: str, latitude: float, longitude: float
) -> None:
    route = await directory.route_case(routing(latitude, longitude, province, district))
    assert (route.method, route.station.code, route.station.province_code) == ("district", f"DEMO-{district}", province)
    assert route.centre is not None and route.centre.province_code == province
    assert route.centre.code == f"DEMO-191-{province}"


async def test_a_district_whose_station_has_no_coordinates_still_gets_that_station(directory: Directory) -> None:
    # Bangkok's Prawet: the bundled place data does not place its demo station.
    route = await directory.route_case(routing(13.717, 100.694, "10", "1032"))
    assert (route.method, route.station.code) == ("district", "DEMO-1032")
    assert route.station.latitude is None


async def test_a_place_without_district_goes_to_the_nearest_station_of_its_province(
    directory: Directory, pool: asyncpg.Pool
) -> None:
    point = (18.80, 98.97)  # central Chiang Mai
    route = await directory.route_case(routing(*point, province="50"))
    assert route.method == "nearest"
    assert route.station.province_code == "50"
    others = await pool.fetch(
        "SELECT latitude, longitude FROM stations"
        " WHERE province_code = '50' AND kind = 'STATION' AND latitude IS NOT NULL"
    )
    nearest = min(kilometres(point, (row["latitude"], row["longitude"])) for row in others)
    assert kilometres(point, (route.station.latitude, route.station.longitude)) == pytest.approx(nearest)
    assert route.centre is not None and route.centre.code == "DEMO-191-50"


async def test_the_known_province_is_preferred_to_a_nearer_station_across_its_border(directory: Directory) -> None:
    # A point in Bangkok's Bang Sue, said to be in Nonthaburi: Nonthaburi's stations answer.
    assert (await directory.route_case(routing(13.83, 100.52))).station.province_code == "10"
    route = await directory.route_case(routing(13.83, 100.52, province="12"))
    assert (route.method, route.station.province_code) == ("nearest", "12")
    assert route.centre is not None and route.centre.province_code == "12"


async def test_a_place_known_only_by_its_coordinates_goes_to_the_nearest_station_anywhere(directory: Directory) -> None:
    route = await directory.route_case(routing(13.722, 100.585))
    assert route.method == "nearest"
    assert route.station.province_code == "10"
    assert kilometres((13.722, 100.585), (route.station.latitude, route.station.longitude)) < 5
    assert route.centre is not None and route.centre.province_code == "10"


async def test_routing_works_while_any_station_exists_even_without_coordinates(postgres_url: str) -> None:
    name = f"routing_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        pool = await asyncpg.create_pool(postgres_url, database=name, min_size=1, max_size=2)
        try:
            async with pool.acquire() as connection:
                await migrate(connection)
                await connection.execute("INSERT INTO provinces VALUES ('57', 'เชียงราย', 'Chiang Rai')")
                with pytest.raises(ApplicationError) as raised:
                    await Directory(pool).route_case(routing(19.9, 99.8, "57"))
                assert raised.value.non_retryable and raised.value.type == "NoStation"
                await connection.execute(
                    "INSERT INTO stations (code, name_th, name_en, province_code)"
                    " VALUES ('X', 'สภ.ทดสอบ', 'Test', '57')"
                )
            route = await Directory(pool).route_case(routing(19.9, 99.8, "57", "5701"))
            assert (route.station.code, route.method, route.centre) == ("X", "nearest", None)
        finally:
            await pool.close()
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


# --- stations ----------------------------------------------------------------------------------


async def test_a_station_is_read_by_its_id(directory: Directory) -> None:
    route = await directory.route_case(routing(13.722, 100.585, "10", "1033"))
    assert await directory.get_station(route.station.station_id) == route.station


async def test_an_unknown_station_is_refused_for_good(directory: Directory) -> None:
    with pytest.raises(ApplicationError) as raised:
        await directory.get_station(987654321)
    assert raised.value.type == "UnknownStation" and raised.value.non_retryable


# --- whom to alert -----------------------------------------------------------------------------


class Org:
    """A station and a 191 centre of their own, with officers, so other tests cannot interfere."""

    def __init__(self, pool: asyncpg.Pool, province: str) -> None:
        self.pool = pool
        self.province = province

    async def place(self, kind: StationKind) -> Station:
        row = await self.pool.fetchrow(
            """
            INSERT INTO stations (code, kind, name_th, name_en, province_code)
            VALUES ($1, $2, 'ทดสอบ', 'Test', $3)
            RETURNING id AS station_id, code, kind, name_th, name_en, province_code, latitude, longitude, phone
            """,
            unique("T"),
            kind.value,
            self.province,
        )
        return Station(**dict(row))

    async def officer(
        self, role: OfficerRole, station: Station | None = None, *, linked: bool = True, active: bool = True,
        province: str | None = None,
    ) -> int:
        return await self.pool.fetchval(
            """
            INSERT INTO officers (code, name, role, station_id, province_code, line_user_id, registered_at, active)
            VALUES ($1, 'ทดสอบ', $2, $3, $4, $5, CASE WHEN $5::text IS NULL THEN NULL ELSE now() END, $6)
            RETURNING id
            """,
            unique("O"),
            role.value,
            station.station_id if station else None,
            province,
            unique("U") if linked else None,
            active,
        )


@pytest.fixture
async def org(pool: asyncpg.Pool) -> Org:
    return Org(pool, "96")


async def alerted(directory: Directory, route: Route, *audiences: Audience) -> list[int]:
    contacts = await directory.officers_for_audiences(AudienceRequest(route=route, audiences=list(audiences)))
    assert all(contact.line_user_id and contact.language == Language.THAI for contact in contacts)
    return [contact.officer_id for contact in contacts]


async def test_each_audience_reaches_its_linked_active_officers_once(directory: Directory, org: Org) -> None:
    station = await org.place(StationKind.STATION)
    centre = await org.place(StationKind.CENTRE_191)
    elsewhere = await org.place(StationKind.STATION)
    superintendent = await org.officer(OfficerRole.SUPERINTENDENT, station)
    radio = await org.officer(OfficerRole.RADIO_ROOM, station)
    patrol = await org.officer(OfficerRole.PATROL, station)
    await org.officer(OfficerRole.INSPECTOR, station, linked=False)
    await org.officer(OfficerRole.INSPECTOR, station, active=False)
    await org.officer(OfficerRole.RADIO_ROOM, elsewhere)
    centre_officer = await org.officer(OfficerRole.CENTRE_191, centre)
    commander = await org.officer(OfficerRole.COMMANDER, province="96")
    deputy = await org.officer(OfficerRole.DEPUTY_COMMANDER, province="96")
    await org.officer(OfficerRole.COMMANDER, province="95")
    route = Route(station=station, centre=centre, method="district")

    # The officers on duty come first; their superintendent is the next rung up.
    assert sorted(await alerted(directory, route, Audience.STATION)) == sorted([radio, patrol])
    assert await alerted(directory, route, Audience.SUPERINTENDENT) == [superintendent]
    assert await alerted(directory, route, Audience.CENTRE_191) == [centre_officer]
    assert sorted(await alerted(directory, route, Audience.COMMANDERS)) == sorted([commander, deputy])
    both = await alerted(directory, route, Audience.SUPERINTENDENT, Audience.CENTRE_191, Audience.STATION)
    assert both[:2] == [superintendent, centre_officer]
    assert sorted(both) == sorted([superintendent, centre_officer, radio, patrol])
    assert both == await alerted(directory, route, Audience.SUPERINTENDENT, Audience.CENTRE_191, Audience.STATION)


async def test_the_national_desk_is_reached_wherever_the_case_is(directory: Directory, org: Org) -> None:
    station = await org.place(StationKind.STATION)
    desk = await org.officer(OfficerRole.NATIONAL_DESK)
    reached = await alerted(directory, Route(station=station, method="district"), Audience.NATIONAL_DESK)
    assert desk in reached and len(reached) == len(set(reached))


async def test_without_a_centre_the_centre_audience_is_empty(directory: Directory, org: Org) -> None:
    station = await org.place(StationKind.STATION)
    await org.officer(OfficerRole.RADIO_ROOM, station)
    assert await alerted(directory, Route(station=station, method="nearest"), Audience.CENTRE_191) == []


async def test_demo_officers_are_not_on_line_so_none_is_alerted(directory: Directory, pool: asyncpg.Pool) -> None:
    route = await directory.route_case(routing(18.788, 98.985, "50", "5001"))
    reached = await alerted(directory, route, *Audience)
    assert await pool.fetchval("SELECT count(*) FROM officers WHERE is_demo AND id = ANY($1::int[])", reached) == 0
    # The reference data's demo officers (a spec may mark an officer of its own as demo, on LINE).
    assert await pool.fetchval("SELECT count(*) FROM officers WHERE is_demo AND code LIKE $1 "
                               "AND line_user_id IS NOT NULL", DEMO_OFFICER_PREFIX + "%") == 0


# --- officers on LINE and registration ---------------------------------------------------------


async def issue(pool: asyncpg.Pool, officer_code: str, valid_for: timedelta = timedelta(days=1)) -> str:
    async with pool.acquire() as connection:
        return await issue_registration_code(connection, officer_code, valid_for)


async def new_officer(pool: asyncpg.Pool, role: OfficerRole = OfficerRole.INSPECTOR,
                      station_code: str = "DEMO-9601") -> str:
    code = unique("BADGE")
    await pool.execute(
        """
        INSERT INTO officers (code, name, role, station_id)
        SELECT $1, 'ร.ต.อ. ทดสอบ (ตัวอย่าง)', $2, id FROM stations WHERE code = $3
        """,
        code,
        role.value,
        station_code,
    )
    return code


async def test_codes_are_readable_and_only_their_hash_is_kept(pool: asyncpg.Pool) -> None:
    code = await issue(pool, await new_officer(pool))
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    assert not set(code) & set("0O1I")
    assert await pool.fetchval("SELECT count(*) FROM officer_registration_codes WHERE code_hash = $1", code) == 0


async def test_an_officer_registers_with_a_code_and_is_then_known_by_their_line_account(
    directory: Directory, pool: asyncpg.Pool
) -> None:
    officer_code = await new_officer(pool)
    line_user = unique("U")
    assert await directory.find_officer_by_line_user(line_user) is None
    code = await issue(pool, officer_code)
    typed = f" {code[:4].lower()}-{code[4:]} "  # as people type it
    outcome = await directory.register_officer(RegistrationRequest(code=typed, line_user_id=line_user))
    assert outcome.registered and outcome.reason is None
    station_id = await pool.fetchval("SELECT id FROM stations WHERE code = 'DEMO-9601'")
    expected = Officer(
        officer_id=outcome.officer.officer_id, name="ร.ต.อ. ทดสอบ (ตัวอย่าง)", role=OfficerRole.INSPECTOR,
        province_code="96", station_id=station_id,
    )
    assert outcome.officer == expected
    assert await directory.find_officer_by_line_user(line_user) == expected


async def test_a_retried_registration_answers_registered_again(directory: Directory, pool: asyncpg.Pool) -> None:
    request = RegistrationRequest(code=await issue(pool, await new_officer(pool)), line_user_id=unique("U"))
    first = await directory.register_officer(request)
    assert await directory.register_officer(request) == first
    assert first.registered


async def test_a_used_code_does_not_register_another_account(directory: Directory, pool: asyncpg.Pool) -> None:
    code = await issue(pool, await new_officer(pool))
    await directory.register_officer(RegistrationRequest(code=code, line_user_id=unique("U")))
    outcome = await directory.register_officer(RegistrationRequest(code=code, line_user_id=unique("U")))
    assert (outcome.registered, outcome.reason, outcome.officer) == (False, "already_used", None)


async def test_unknown_and_expired_codes_are_refused(directory: Directory, pool: asyncpg.Pool) -> None:
    unknown = await directory.register_officer(RegistrationRequest(code="ZZZZ2222", line_user_id=unique("U")))
    assert (unknown.registered, unknown.reason) == (False, "unknown_code")
    expired_code = await issue(pool, await new_officer(pool), timedelta(seconds=-1))
    expired = await directory.register_officer(RegistrationRequest(code=expired_code, line_user_id=unique("U")))
    assert (expired.registered, expired.reason) == (False, "expired")


async def test_guessing_registration_codes_from_one_line_account_is_slowed_like_sign_in_guesses(
        directory: Directory, pool: asyncpg.Pool) -> None:
    guesser, bystander = unique("U"), unique("U")
    refusals = [await directory.register_officer(RegistrationRequest(code=f"ZZZZ{n:04d}", line_user_id=guesser))
                for n in range(FREE_FAILURES)]
    assert {r.reason for r in refusals} == {"unknown_code"}
    code = await issue(pool, await new_officer(pool))
    # Even a right code waits.
    held = await directory.register_officer(RegistrationRequest(code=code, line_user_id=guesser))
    assert (held.registered, held.reason) == (False, "throttled") and held.wait_minutes == 1
    # The wait is this LINE account's alone; an officer elsewhere registers at once.
    other = await directory.register_officer(RegistrationRequest(code=code, line_user_id=bystander))
    assert other.registered


async def test_a_line_account_belongs_to_one_officer(directory: Directory, pool: asyncpg.Pool) -> None:
    line_user = unique("U")
    await directory.register_officer(RegistrationRequest(code=await issue(pool, await new_officer(pool)),
                                                         line_user_id=line_user))
    second = await new_officer(pool)
    outcome = await directory.register_officer(RegistrationRequest(code=await issue(pool, second),
                                                                   line_user_id=line_user))
    assert (outcome.registered, outcome.reason) == (False, "line_account_taken")
    assert await pool.fetchval("SELECT line_user_id FROM officers WHERE code = $1", second) is None


async def test_an_inactive_officer_is_not_found_by_their_line_account(directory: Directory, pool: asyncpg.Pool) -> None:
    officer_code, line_user = await new_officer(pool), unique("U")
    await directory.register_officer(RegistrationRequest(code=await issue(pool, officer_code), line_user_id=line_user))
    await pool.execute("UPDATE officers SET active = false WHERE code = $1", officer_code)
    assert await directory.find_officer_by_line_user(line_user) is None


async def test_a_commander_is_known_with_their_province(directory: Directory, pool: asyncpg.Pool) -> None:
    line_user = unique("U")
    code = await issue(pool, "DEMO-OFFICER-COMMANDER-57")
    try:
        outcome = await directory.register_officer(RegistrationRequest(code=code, line_user_id=line_user))
        found = await directory.find_officer_by_line_user(line_user)
        assert outcome.officer == found
        assert (found.role, found.province_code, found.station_id) == (OfficerRole.COMMANDER, "57", None)
    finally:
        await pool.execute(
            "UPDATE officers SET line_user_id = NULL, registered_at = NULL WHERE code = 'DEMO-OFFICER-COMMANDER-57'"
        )


# --- team members on LINE: the same codes ---------------------------------------------------------


async def new_team_member(pool: asyncpg.Pool, role: TeamRole = TeamRole.SOCIAL_WORKER,
                          province_code: str = "96") -> str:
    code = unique("TEAM")
    await pool.execute(
        "INSERT INTO team_members (code, name, role, province_code) VALUES ($1, 'นักสังคม ทดสอบ (ตัวอย่าง)', $2, $3)",
        code, role.value, province_code,
    )
    return code


async def issue_for_member(pool: asyncpg.Pool, member_code: str, valid_for: timedelta = timedelta(days=1)) -> str:
    async with pool.acquire() as connection:
        return await issue_team_registration_code(connection, member_code, valid_for)


async def test_a_team_member_registers_with_a_code_and_is_linked(directory: Directory, pool: asyncpg.Pool) -> None:
    member_code, line_user = await new_team_member(pool), unique("U")
    request = RegistrationRequest(code=(await issue_for_member(pool, member_code)).lower(), line_user_id=line_user)
    outcome = await directory.register_officer(request)
    member_id = await pool.fetchval("SELECT id FROM team_members WHERE code = $1", member_code)
    assert outcome == RegistrationOutcome(registered=True, team_member=TeamMember(
        member_id=member_id, name="นักสังคม ทดสอบ (ตัวอย่าง)", role=TeamRole.SOCIAL_WORKER, province_code="96"))
    linked = await pool.fetchrow("SELECT line_user_id, registered_at FROM team_members WHERE id = $1", member_id)
    assert linked["line_user_id"] == line_user and linked["registered_at"] is not None
    assert await directory.register_officer(request) == outcome  # a retry answers the same
    assert await directory.find_officer_by_line_user(line_user) is None  # a team member is not an officer


async def test_a_team_members_code_follows_the_officers_rules(directory: Directory, pool: asyncpg.Pool) -> None:
    used = await issue_for_member(pool, await new_team_member(pool))
    await directory.register_officer(RegistrationRequest(code=used, line_user_id=unique("U")))
    again = await directory.register_officer(RegistrationRequest(code=used, line_user_id=unique("U")))
    assert (again.registered, again.reason, again.team_member) == (False, "already_used", None)
    expired_code = await issue_for_member(pool, await new_team_member(pool), timedelta(seconds=-1))
    expired = await directory.register_officer(RegistrationRequest(code=expired_code, line_user_id=unique("U")))
    assert (expired.registered, expired.reason) == (False, "expired")
    inactive = await new_team_member(pool)
    inactive_code = await issue_for_member(pool, inactive)
    await pool.execute("UPDATE team_members SET active = false WHERE code = $1", inactive)
    refused = await directory.register_officer(RegistrationRequest(code=inactive_code, line_user_id=unique("U")))
    assert (refused.registered, refused.reason) == (False, "unknown_code")


async def test_a_line_account_belongs_to_one_person_officer_or_team_member(
        directory: Directory, pool: asyncpg.Pool) -> None:
    officers_account, members_account = unique("U"), unique("U")
    await directory.register_officer(RegistrationRequest(code=await issue(pool, await new_officer(pool)),
                                                         line_user_id=officers_account))
    await directory.register_officer(RegistrationRequest(code=await issue_for_member(pool, await new_team_member(pool)),
                                                 line_user_id=members_account))
    member = await new_team_member(pool)
    as_member = await directory.register_officer(RegistrationRequest(code=await issue_for_member(pool, member),
                                                             line_user_id=officers_account))
    assert (as_member.registered, as_member.reason) == (False, "line_account_taken")
    officer = await new_officer(pool)
    as_officer = await directory.register_officer(RegistrationRequest(code=await issue(pool, officer),
                                                                      line_user_id=members_account))
    assert (as_officer.registered, as_officer.reason) == (False, "line_account_taken")
    assert await pool.fetchval("SELECT line_user_id FROM team_members WHERE code = $1", member) is None
    assert await pool.fetchval("SELECT line_user_id FROM officers WHERE code = $1", officer) is None


async def test_codes_for_an_officer_and_a_member_typed_at_once_link_the_account_to_one_of_them(
    directory: Directory, pool: asyncpg.Pool
) -> None:
    line_user = unique("U")
    officer, member = await new_officer(pool), await new_team_member(pool)
    outcomes = await asyncio.gather(
        directory.register_officer(RegistrationRequest(code=await issue(pool, officer), line_user_id=line_user)),
        directory.register_officer(RegistrationRequest(code=await issue_for_member(pool, member),
                                                       line_user_id=line_user)),
    )
    assert sorted(outcome.registered for outcome in outcomes) == [False, True]
    linked = await pool.fetchval(
        "SELECT (SELECT count(*) FROM officers WHERE line_user_id = $1)"
        " + (SELECT count(*) FROM team_members WHERE line_user_id = $1)",
        line_user,
    )
    assert linked == 1


async def test_a_code_for_an_unknown_team_member_is_not_issued(pool: asyncpg.Pool) -> None:
    with pytest.raises(UnknownTeamMember):
        await issue_for_member(pool, "NO-SUCH-MEMBER")


# --- prank reputation --------------------------------------------------------------------------


async def test_pranks_are_counted_per_reporter(directory: Directory, pool: asyncpg.Pool) -> None:
    store = CaseStore(pool, download_content=None)  # type: ignore[arg-type]
    reporter_key = unique("reporter")
    assert await directory.count_prank_reports(reporter_key) == 0
    for status in ("PRANK", "PRANK", "CLOSED", None):
        case_no = await store.allocate_case_number(CaseNumberRequest(conversation_id=unique("c"), year=2026))
        await store.record_case_opened(
            CaseOpening(
                case_no=case_no,
                conversation_id=unique("c"),
                reporter=Reporter(user_id=unique("U"), reporter_key=reporter_key),
                report=Report(
                    location=Location(latitude=13.72, longitude=100.58),
                    place=Place(inside_thailand=True, province_code="10", district_code="1033"),
                    complete=False,
                    reported_at="2026-03-14T21:05:00Z",
                ),
            )
        )
        if status:
            await store.append_case_event(
                CaseEvent(key=unique("k"), case_no=case_no, kind="STATUS_CHANGED", at="2026-03-14T21:10:00Z",
                          actor="officer", details={"status": status})
            )
    assert await directory.count_prank_reports(reporter_key) == 2


async def test_two_codes_racing_for_one_line_account_link_only_one_officer(
        directory: Directory, pool: asyncpg.Pool) -> None:
    line_user = unique("U")
    codes = [await issue(pool, await new_officer(pool)) for _ in range(2)]
    outcomes = await asyncio.gather(
        *(directory.register_officer(RegistrationRequest(code=code, line_user_id=line_user)) for code in codes)
    )
    assert sorted(o.registered for o in outcomes) == [False, True]
    assert [o.reason for o in outcomes if not o.registered] == ["line_account_taken"]
    assert await pool.fetchval("SELECT count(*) FROM officers WHERE line_user_id = $1", line_user) == 1


async def test_an_officer_is_reached_by_their_own_line_account_only_while_linked_and_active(
        directory: Directory, pool: asyncpg.Pool) -> None:
    officer_code, line_user = await new_officer(pool), unique("U")
    officer_id = await pool.fetchval("SELECT id FROM officers WHERE code = $1", officer_code)
    assert await directory.officer_contact(officer_id) is None  # not linked yet
    await directory.register_officer(RegistrationRequest(code=await issue(pool, officer_code), line_user_id=line_user))
    assert await directory.officer_contact(officer_id) == OfficerContact(officer_id=officer_id, line_user_id=line_user)
    await pool.execute("UPDATE officers SET active = false WHERE id = $1", officer_id)
    assert await directory.officer_contact(officer_id) is None
