"""The officers' case API: each officer sees exactly the cases of their jurisdiction (the rule the case
workflow applies), the list keeps personal data out, a read of a case is audited, and actions reach
the case workflow as updates whose rejections become clear HTTP answers, applied once per key."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg
import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.case_actions import ACTION_WAIT
from database.officer_tokens import issue_token, officer_for_token
from devstack.binaries import temporal_cli
from domain.case_rules import within_jurisdiction
from domain.clock import THAILAND
from domain.models import CaseStatus, Officer, OfficerRole
from tests.api.conftest import RunningApi
from tests.conversation import text_of
from tests.fake_line import serve
from tests.officers import linked_officer
from tests.scene import Scene
from workflows.case import CaseWorkflow

CHIANG_MAI = "50"
PHUKET = "83"
CHIANG_MAI_DISTRICT = "5001"
PHONE = "+66812345678"
SUMMARY_KEYS = {
    "case_no", "status", "incident_type_code", "province_code", "district_code", "station_id", "reported_at",
    "acknowledged_at", "escalation_level", "complete", "review_flag",
}


# --- A small world: two provinces, three stations, a 191 centre, five officers, four cases -----------


@dataclass
class World:
    prefix: str  # every case number of this test starts with it
    stations: dict[str, int] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)  # name -> case_no
    case_places: dict[str, tuple[str, int]] = field(default_factory=dict)  # case_no -> (province, station)

    def auth(self, officer: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[officer]}"}


async def add_station(connection: asyncpg.Connection, province_code: str, kind: str = "STATION") -> int:
    return await connection.fetchval(
        "INSERT INTO stations (code, name_th, name_en, province_code, kind)"
        " VALUES ($1, 'สถานีทดสอบ', 'Test station', $2, $3) RETURNING id",
        f"TEST-{uuid.uuid4().hex[:10]}", province_code, kind,
    )


async def add_officer(
    connection: asyncpg.Connection, role: OfficerRole, *, station_id: int | None = None,
    province_code: str | None = None,
) -> str:
    """A new officer; their API token."""
    code = f"TEST-{uuid.uuid4().hex[:10]}"
    await connection.execute(
        "INSERT INTO officers (code, name, role, station_id, province_code) VALUES ($1, 'ทดสอบ', $2, $3, $4)",
        code, role.value, station_id, province_code,
    )
    return await issue_token(connection, code)


async def add_case(
    connection: asyncpg.Connection, case_no: str, *, province_code: str, station_id: int, reported_at: datetime,
    status: CaseStatus = CaseStatus.NEW, incident_type_code: str = "THREAT_ASSAULT",
) -> None:
    await connection.execute(
        """
        INSERT INTO cases (case_no, conversation_id, reporter_key, line_user_id, incident_type_code, status,
                           complete, phone_e164, latitude, longitude, location_title, location_address,
                           province_code, district_code, reported_at, station_id)
        VALUES ($1, $2, $3, $4, $5, $6, true, $7, 18.79, 98.98, 'ตลาดวโรรส', '90 ถ.วิชยานนท์', $8, $9, $10, $11)
        """,
        case_no, f"conversation-{case_no}", f"reporter-{case_no}", f"U{uuid.uuid4().hex}", incident_type_code,
        status.value, PHONE, province_code, CHIANG_MAI_DISTRICT if province_code == CHIANG_MAI else None,
        reported_at, station_id,
    )


def thai_time(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=THAILAND)


@pytest.fixture
async def world(pool: asyncpg.Pool) -> World:
    world = World(prefix=f"ESS-T{uuid.uuid4().hex[:8].upper()}-")
    async with pool.acquire() as connection:
        s1, s2 = await add_station(connection, CHIANG_MAI), await add_station(connection, CHIANG_MAI)
        s3 = await add_station(connection, PHUKET)
        centre = await add_station(connection, CHIANG_MAI, kind="CENTRE_191")
        world.stations = {"s1": s1, "s2": s2, "s3": s3, "centre": centre}
        world.tokens = {
            "station": await add_officer(connection, OfficerRole.INSPECTOR, station_id=s1),
            "centre": await add_officer(connection, OfficerRole.CENTRE_191, station_id=centre),
            "commander": await add_officer(connection, OfficerRole.COMMANDER, province_code=CHIANG_MAI),
            "national": await add_officer(connection, OfficerRole.NATIONAL_DESK),
            "foreign": await add_officer(connection, OfficerRole.COMMANDER, province_code=PHUKET),
        }
        places = {"a1": (CHIANG_MAI, s1, 1, CaseStatus.NEW, "THREAT_ASSAULT"),
                  "a2": (CHIANG_MAI, s2, 2, CaseStatus.CLOSED, "DETENTION"),
                  "b1": (PHUKET, s3, 3, CaseStatus.ACKNOWLEDGED, "THREAT_ASSAULT"),
                  "a3": (CHIANG_MAI, s1, 4, CaseStatus.ACKNOWLEDGED, "GATHERING")}
        for number, (name, (province, station, day, status, incident)) in enumerate(places.items(), start=1):
            case_no = f"{world.prefix}{number:06d}"
            await add_case(connection, case_no, province_code=province, station_id=station,
                           reported_at=thai_time(day), status=status, incident_type_code=incident)
            world.cases[name] = case_no
            world.case_places[case_no] = (province, station)
    async with pool.acquire() as connection:
        for name, token in world.tokens.items():
            officer = await officer_for_token(connection, token)
            assert officer is not None
            world.officers[name] = officer
    return world


async def listed(api: RunningApi, world: World, officer: str, **params) -> set[str]:
    response = await api.http.get("/api/cases", params={"q": world.prefix, **params}, headers=world.auth(officer))
    assert response.status_code == 200, response.text
    return {item["case_no"] for item in response.json()["items"]}


def names(world: World, *case_names: str) -> set[str]:
    return {world.cases[name] for name in case_names}


# --- Scoping -----------------------------------------------------------------------------------


async def test_a_station_officer_lists_only_their_stations_cases(api: RunningApi, world: World) -> None:
    assert await listed(api, world, "station") == names(world, "a1", "a3")


@pytest.mark.parametrize("officer", ["centre", "commander"])
async def test_a_191_centre_officer_and_a_commander_list_their_provinces_cases(
    api: RunningApi, world: World, officer: str
) -> None:
    assert await listed(api, world, officer) == names(world, "a1", "a2", "a3")


async def test_the_national_desk_lists_every_case(api: RunningApi, world: World) -> None:
    assert await listed(api, world, "national") == names(world, "a1", "a2", "a3", "b1")


@pytest.mark.parametrize("officer", ["station", "centre", "commander", "national", "foreign"])
async def test_the_list_and_the_workflows_rule_agree_for_every_officer(
    api: RunningApi, world: World, officer: str
) -> None:
    expected = {
        case_no for case_no, (province, station) in world.case_places.items()
        if within_jurisdiction(world.officers[officer], province, station)
    }
    assert await listed(api, world, officer) == expected


async def test_a_foreign_province_officer_gets_404_for_a_case_as_for_an_unknown_one(
    api: RunningApi, world: World
) -> None:
    foreign = await api.http.get(f"/api/cases/{world.cases['a1']}", headers=world.auth("foreign"))
    unknown = await api.http.get(f"/api/cases/{world.prefix}999999", headers=world.auth("foreign"))
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()
    own = await api.http.get(f"/api/cases/{world.cases['b1']}", headers=world.auth("foreign"))
    assert own.status_code == 200


async def test_a_station_officer_cannot_read_another_stations_case(api: RunningApi, world: World) -> None:
    response = await api.http.get(f"/api/cases/{world.cases['a2']}", headers=world.auth("station"))
    assert response.status_code == 404


async def test_filtering_by_a_foreign_province_is_403_except_for_the_national_desk(
    api: RunningApi, world: World
) -> None:
    response = await api.http.get("/api/cases", params={"province": CHIANG_MAI}, headers=world.auth("foreign"))
    assert response.status_code == 403
    assert await listed(api, world, "foreign", province=PHUKET) == names(world, "b1")
    assert await listed(api, world, "national", province=PHUKET) == names(world, "b1")
    assert await listed(api, world, "national", province=CHIANG_MAI) == names(world, "a1", "a2", "a3")


# --- The list --------------------------------------------------------------------------------------


async def test_the_list_shows_no_phone_number_and_no_line_user_id(
    api: RunningApi, world: World, pool: asyncpg.Pool
) -> None:
    response = await api.http.get("/api/cases", params={"q": world.prefix}, headers=world.auth("national"))
    items = response.json()["items"]
    assert items and all(set(item) == SUMMARY_KEYS for item in items)
    async with pool.acquire() as connection:
        line_ids = await connection.fetch("SELECT line_user_id FROM cases WHERE case_no LIKE $1", world.prefix + "%")
    assert PHONE not in response.text and "812345678" not in response.text
    assert not any(row["line_user_id"] in response.text for row in line_ids)


async def test_the_list_is_newest_first_and_pages_with_a_cursor(api: RunningApi, world: World) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        params = {"q": world.prefix, "limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await api.http.get("/api/cases", params=params, headers=world.auth("national"))).json()
        seen += [item["case_no"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [world.cases[name] for name in ("a3", "b1", "a2", "a1")]


async def test_the_list_filters_by_status_type_station_dates_and_case_number(api: RunningApi, world: World) -> None:
    assert await listed(api, world, "national", status=["NEW", "CLOSED"]) == names(world, "a1", "a2")
    assert await listed(api, world, "national", incident_type="THREAT_ASSAULT") == names(world, "a1", "b1")
    assert await listed(api, world, "national", station_id=world.stations["s1"]) == names(world, "a1", "a3")
    assert await listed(api, world, "national", reported_from="2026-03-02", reported_to="2026-03-03") == names(
        world, "a2", "b1")
    assert await listed(api, world, "national", q=world.cases["a2"].lower()) == names(world, "a2")
    # A station filter never widens a station officer's view.
    assert await listed(api, world, "station", station_id=world.stations["s2"]) == set()


async def test_the_date_filter_follows_thai_days(api: RunningApi, world: World, pool: asyncpg.Pool) -> None:
    late_night = f"{world.prefix}000099"  # 23:30 Thai time on 5 March is still 5 March in Thailand
    async with pool.acquire() as connection:
        await add_case(connection, late_night, province_code=CHIANG_MAI, station_id=world.stations["s1"],
                       reported_at=thai_time(5, 23).replace(minute=30))
    assert await listed(api, world, "national", reported_from="2026-03-05", reported_to="2026-03-05") == {late_night}


@pytest.mark.parametrize("params", [{"limit": 201}, {"limit": 0}, {"status": "OPEN"}, {"cursor": "%%%"},
                                    {"reported_from": "05/03/2026"}])
async def test_bad_list_parameters_are_422(api: RunningApi, world: World, params: dict) -> None:
    response = await api.http.get("/api/cases", params=params, headers=world.auth("national"))
    assert response.status_code == 422


# --- One case --------------------------------------------------------------------------------------


async def test_the_detail_has_location_phone_and_timeline_in_order(
    api: RunningApi, world: World, pool: asyncpg.Pool
) -> None:
    case_no = world.cases["a1"]
    async with pool.acquire() as connection:
        for key, kind, hour in [("b", "ROUTED", 11), ("a", "REPORTED", 10)]:
            await connection.execute(
                "INSERT INTO case_events (case_no, event_key, kind, at, actor, details)"
                " VALUES ($1, $2, $3, $4, $5, $6)",
                case_no, f"{case_no}-{key}", kind, thai_time(1, hour), "system", {"note": "ทดสอบ"},
            )
    response = await api.http.get(f"/api/cases/{case_no}", headers=world.auth("station"))
    assert response.status_code == 200
    detail = response.json()
    assert detail["phone"] == {"e164": PHONE, "national": "081-234-5678"}
    assert detail["location"] == {"latitude": 18.79, "longitude": 98.98, "title": "ตลาดวโรรส",
                                  "address": "90 ถ.วิชยานนท์"}
    assert [(entry["kind"], entry["actor"], entry["details"]) for entry in detail["timeline"]] == [
        ("REPORTED", "system", {"note": "ทดสอบ"}), ("ROUTED", "system", {"note": "ทดสอบ"})]
    assert "line_user_id" not in detail


async def test_reading_a_case_is_written_to_the_audit_log(api: RunningApi, world: World, pool: asyncpg.Pool) -> None:
    case_no = world.cases["a2"]
    await api.http.get(f"/api/cases/{case_no}", headers=world.auth("commander"))
    await api.http.get(f"/api/cases/{case_no}", headers=world.auth("station"))  # 404: not a read
    async with pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT officer_id, action FROM audit_log WHERE case_no = $1 ORDER BY id", case_no
        )
    assert [(row["officer_id"], row["action"]) for row in rows] == [
        (world.officers["commander"].officer_id, "CASE_VIEWED")]


# --- Actions, through the real case workflow --------------------------------------------------------


OUTSIDER_PROVINCE = "10"  # Bangkok: a scene's district is never there (tests/officers.py)


@dataclass
class Desk:
    """A scene's officers holding API tokens, and a commander of another province."""

    scene: Scene
    tokens: dict[str, str] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)

    def auth(self, officer: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[officer]}"}

    async def alerted_case(self) -> tuple[str, WorkflowHandle]:
        """A new case, once its station has heard the alert: routed, and so in the station's list."""
        case_no, handle = await self.scene.open_case()
        [alert] = await self.scene.officer_hears(self.scene.station_line).hears()
        assert case_no in alert["altText"]
        return case_no, handle


@pytest.fixture
async def desk(scene: Scene, pool: asyncpg.Pool) -> Desk:
    outsider, _ = await linked_officer(pool, scene.platform, OfficerRole.COMMANDER, province_code=OUTSIDER_PROVINCE)
    desk = Desk(scene, officers={"station": scene.station_officer, "centre": scene.centre_officer,
                                 "commander": scene.commander, "national": scene.national, "foreign": outsider})
    for name, officer in desk.officers.items():
        desk.tokens[name] = await scene.token_for(officer)
    return desk


async def act(api: RunningApi, desk: Desk, officer: str, case_no: str, key: str, **body) -> httpx.Response:
    return await api.http.post(f"/api/cases/{case_no}/actions", json=body,
                               headers=desk.auth(officer) | {"Idempotency-Key": key})


async def actions_applied(pool: asyncpg.Pool, case_no: str) -> list[str]:
    """The officers' actions in the case's timeline, in order: what the workflow applied."""
    rows = await pool.fetch(
        "SELECT details->>'action' AS action FROM case_events WHERE case_no = $1 AND details ? 'action' ORDER BY id",
        case_no,
    )
    return [row["action"] for row in rows]


async def updates_accepted(handle: WorkflowHandle) -> int:
    """Updates the workflow took in; a validator's refusal leaves no trace in the history."""
    history = await handle.fetch_history()
    return sum(event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED for event in history.events)


async def test_an_acknowledgement_reaches_the_workflow_and_answers_its_outcome(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool
) -> None:
    case_no, handle = await desk.alerted_case()
    response = await act(api, desk, "station", case_no, "ack-1", kind="ACKNOWLEDGE")
    assert response.status_code == 200, response.text
    assert response.json() == {"case_no": case_no, "status": "ACKNOWLEDGED", "station_id": desk.scene.station_id}
    assert await handle.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED
    assert await actions_applied(pool, case_no) == ["ACKNOWLEDGE"]


async def test_a_retried_action_with_the_same_key_is_applied_once(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool
) -> None:
    case_no, handle = await desk.alerted_case()
    first = await act(api, desk, "centre", case_no, "same-key", kind="ACKNOWLEDGE")
    again = await act(api, desk, "centre", case_no, "same-key", kind="ACKNOWLEDGE")
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert first.json() == again.json()
    assert await actions_applied(pool, case_no) == ["ACKNOWLEDGE"]
    assert await updates_accepted(handle) == 1
    # A new key is a new action: acknowledging twice is not allowed.
    another = await act(api, desk, "centre", case_no, "other-key", kind="ACKNOWLEDGE")
    assert another.status_code == 409
    assert await actions_applied(pool, case_no) == ["ACKNOWLEDGE"]
    assert await updates_accepted(handle) == 1


async def test_a_retried_note_is_recorded_once_and_a_new_key_adds_another(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool
) -> None:
    case_no, _ = await desk.alerted_case()
    for key in ("note-1", "note-1", "note-2"):
        response = await act(api, desk, "station", case_no, key, kind="ADD_NOTE", note="ประสานรถสายตรวจแล้ว")
        assert response.status_code == 200, response.text
    assert await actions_applied(pool, case_no) == ["ADD_NOTE", "ADD_NOTE"]


async def test_an_illegal_transition_is_409_with_the_workflows_reason(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool
) -> None:
    case_no, _ = await desk.alerted_case()
    assert (await act(api, desk, "station", case_no, "first", kind="ACKNOWLEDGE")).status_code == 200
    response = await act(api, desk, "station", case_no, "second", kind="ACKNOWLEDGE")
    assert response.status_code == 409
    assert response.json()["type"] == "IllegalTransition"
    assert "ACKNOWLEDGE is not possible on a case that is ACKNOWLEDGED" in response.json()["detail"]
    assert await actions_applied(pool, case_no) == ["ACKNOWLEDGE"]


async def test_an_invalid_action_is_422_with_the_reason_in_thai_and_english(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool
) -> None:
    case_no, handle = await desk.alerted_case()
    response = await act(api, desk, "station", case_no, "k", kind="CLOSE")  # closing needs a note
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "InvalidAction"
    assert "ต้องมีบันทึก" in body["detail"] and "needs a note" in body["detail"]
    assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW
    assert await actions_applied(pool, case_no) == []


async def test_the_workflows_jurisdiction_rejection_is_403(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool
) -> None:
    scene = desk.scene
    case_no, _ = await desk.alerted_case()
    neighbour = await pool.fetchval(
        "SELECT id FROM stations WHERE province_code = $1 AND kind = 'STATION' AND id <> $2 ORDER BY id LIMIT 1",
        scene.district["province_code"], scene.station_id)
    moved = await act(api, desk, "centre", case_no, "move", kind="REASSIGN", station_id=neighbour)
    assert moved.status_code == 200, moved.text
    assert moved.json()["station_id"] == neighbour
    # The workflow has reassigned the case; the read model has not caught up and still names the old
    # station, so the API lets the old station's officer through and the workflow refuses.
    await pool.execute("UPDATE cases SET station_id = $2 WHERE case_no = $1", case_no, scene.station_id)
    response = await act(api, desk, "station", case_no, "k", kind="ACKNOWLEDGE")
    assert response.status_code == 403
    assert response.json()["type"] == "OutsideJurisdiction"
    assert await actions_applied(pool, case_no) == ["REASSIGN"]


async def test_an_action_on_a_case_outside_the_officers_scope_is_404_and_never_sent(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool
) -> None:
    case_no, handle = await desk.alerted_case()
    response = await act(api, desk, "foreign", case_no, "k", kind="ACKNOWLEDGE")
    # Had it reached the workflow, its validator would have answered 403.
    assert response.status_code == 404
    assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW
    assert await actions_applied(pool, case_no) == []
    assert await updates_accepted(handle) == 0


async def test_an_action_on_a_case_whose_workflow_has_ended_is_409(api: RunningApi, desk: Desk) -> None:
    case_no, handle = await desk.alerted_case()
    closed = await act(api, desk, "station", case_no, "close", kind="CLOSE", note="ส่งผู้เสียหายถึงบ้านแล้ว")
    assert closed.status_code == 200, closed.text
    assert await handle.result() == CaseStatus.CLOSED
    response = await act(api, desk, "national", case_no, "k", kind="ADD_NOTE", note="โทรแล้ว")
    assert response.status_code == 409, response.text
    assert response.json()["type"] == "CaseNotActive"


async def test_an_action_while_line_answers_500_answers_at_once_and_its_message_goes_out_once_after(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool
) -> None:
    case_no, _handle = await desk.alerted_case()
    api.line.platform.fail_for("push", seconds=6, status=500)
    started = time.monotonic()
    response = await act(api, desk, "station", case_no, "ack-line-down", kind="ACKNOWLEDGE")
    assert response.status_code == 200, response.text
    assert time.monotonic() - started < 1.5  # not a 503 "try again" for an action that was applied
    assert await actions_applied(pool, case_no) == ["ACKNOWLEDGE"]
    [news] = await desk.scene.reporter.hears(timeout=30)  # after LINE recovers
    assert case_no in text_of(news)
    await desk.scene.reporter.hears_nothing(within=1)


@pytest.mark.parametrize("key", [None, "", "x" * 101])
async def test_an_action_needs_an_idempotency_key_of_1_to_100_characters(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool, key: str | None
) -> None:
    case_no, handle = await desk.alerted_case()
    headers = desk.auth("station") | ({"Idempotency-Key": key} if key is not None else {})
    response = await api.http.post(f"/api/cases/{case_no}/actions", json={"kind": "ACKNOWLEDGE"}, headers=headers)
    assert response.status_code == 422
    assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW
    assert await actions_applied(pool, case_no) == []


async def test_every_action_attempt_is_written_to_the_audit_log(
    api: RunningApi, desk: Desk, pool: asyncpg.Pool
) -> None:
    case_no, _ = await desk.alerted_case()
    await act(api, desk, "station", case_no, "first", kind="ACKNOWLEDGE")
    await act(api, desk, "station", case_no, "second", kind="ACKNOWLEDGE")
    await act(api, desk, "foreign", case_no, "probe", kind="CLOSE", note="x")
    rows = await pool.fetch(
        "SELECT officer_id, action, details FROM audit_log WHERE case_no = $1 ORDER BY id", case_no
    )
    station, foreign = desk.officers["station"].officer_id, desk.officers["foreign"].officer_id
    assert [(row["officer_id"], row["action"], row["details"]["kind"], row["details"]["http_status"])
            for row in rows] == [(station, "CASE_ACTION", "ACKNOWLEDGE", 200),
                                 (station, "CASE_ACTION", "ACKNOWLEDGE", 409),
                                 (foreign, "CASE_ACTION", "CLOSE", 404)]


# --- The schema --------------------------------------------------------------------------------------


async def test_the_case_routes_are_documented_in_thai_and_english_with_their_errors(api: RunningApi) -> None:
    schema = (await api.http.get("/openapi.json")).json()
    expected = {("/api/cases", "get"): {"401", "403"}, ("/api/cases/{case_no}", "get"): {"401", "404"},
                ("/api/cases/{case_no}/actions", "post"): {"401", "403", "404", "409", "422", "503"}}
    for (path, method), errors in expected.items():
        operation = schema["paths"][path][method]
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in operation["summary"]), operation["summary"]
        assert any(ch.isascii() and ch.isalpha() for ch in operation["summary"])
        assert errors <= set(operation["responses"])
        assert "$ref" in str(operation["responses"]["200"])
    summary = schema["components"]["schemas"]["CaseSummary"]["properties"]
    assert "phone" not in summary and "line_user_id" not in summary


@pytest.fixture
async def api_without_temporal(api: RunningApi, database_url: str) -> AsyncIterator[RunningApi]:
    """The app as `api` serves it, but its Temporal server stops right after the app has started."""
    doomed = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()), data_converter=pydantic_data_converter, ui=False,
    )
    settings = api.settings.model_copy(
        update={"temporal_address": doomed.client.service_client.config.target_host}
    )
    async with (serve(create_app(settings), lifespan="on") as base_url,
                httpx.AsyncClient(base_url=base_url, timeout=30) as http):
        await doomed.shutdown()
        yield RunningApi(base_url, http, settings, api.env, api.line)


async def test_an_action_while_temporal_is_unreachable_is_503(api_without_temporal: RunningApi, world: World) -> None:
    started = time.monotonic()
    response = await act(api_without_temporal, world, "station", world.cases["a1"], "k", kind="ACKNOWLEDGE")
    assert response.status_code == 503
    assert response.json()["type"] == "Unavailable"
    assert time.monotonic() - started < ACTION_WAIT.total_seconds() + 2  # the officer is not left waiting
