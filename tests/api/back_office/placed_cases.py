"""Cases placed on the incident map for its specs: a type, a status and a day of report, in the
scene's station or another, as the case store keeps them once routed (no workflow runs them)."""

from __future__ import annotations

from domain.accounts import AccountRole
from domain.models import IncidentType, OfficerRole
from tests.api.back_office.conftest import Person, add_account
from tests.officers import linked_officer
from tests.scene import DETENTION, Scene

ASSAULT = IncidentType(code="THREAT_ASSAULT", label_th="ข่มขู่จะทำร้าย / ทำร้าย",
                       label_en="Threatened with harm, or assaulted")


async def placed_case(scene: Scene, *, incident_type: IncidentType = DETENTION, status: str = "NEW",
                      days_ago: int = 0, station_id: int | None = None) -> str:
    opening = await scene.recorded_case(incident_type)
    await scene.pool.execute(
        "UPDATE cases SET station_id = $2, status = $3, reported_at = now() - make_interval(days => $4) "
        "WHERE case_no = $1", opening.case_no, station_id or scene.station_id, status, days_ago)
    return opening.case_no


async def another_station(scene: Scene) -> int:
    """Another station of the scene's province."""
    return await scene.pool.fetchval(
        "SELECT id FROM stations WHERE province_code = $1 AND kind = 'STATION' AND id <> $2 ORDER BY id LIMIT 1",
        scene.district["province_code"], scene.station_id)


async def officer_of_another_station(scene: Scene) -> Person:
    officer, _ = await linked_officer(scene.pool, scene.platform, OfficerRole.INSPECTOR,
                                      station_id=await another_station(scene))
    return await add_account(scene.pool, AccountRole.STATION_OFFICER, officer_id=officer.officer_id)
