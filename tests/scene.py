"""A dispatch scene for tests: a district with its station, a reporter, and officers on LINE at
every rung of the escalation ladder; cases opened straight into the case workflow."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
from temporalio.client import Client, WorkflowHandle

from activities.cases import CaseStore
from configuration.settings import Settings
from database.officer_tokens import issue_token
from domain.models import (
    CaseNumberRequest,
    CaseOpening,
    IncidentType,
    Location,
    Officer,
    OfficerRole,
    PhoneNumber,
    Place,
    Report,
    Reporter,
)
from domain.pseudonyms import reporter_key
from line_simulator.line_platform import FakeLinePlatform
from orchestration.ids import case_workflow_id
from tests.conversation import Citizen, SendEvent
from tests.officers import centre_for, fresh_district, linked_officer, station_for
from workflows.case import CaseWorkflow
from workflows.intake import case_search_attributes

DETENTION = IncidentType(code="DETENTION", label_th="กักขังหน่วงเหนี่ยว", label_en="Unlawfully detained or confined")


class Scene:
    """A district with its station, a reporter, and officers on LINE at every rung of the ladder."""

    def __init__(self, client: Client, settings: Settings, pool: asyncpg.Pool, platform: FakeLinePlatform,
                 new_citizen: Callable[[], Citizen], send: SendEvent) -> None:
        self.client = client
        self.settings = settings
        self.pool = pool
        self.platform = platform
        self.new_citizen = new_citizen
        self._send = send

    async def set_up(self) -> Scene:
        self.district = await fresh_district(self.pool)
        self.station_id = await station_for(self.pool, self.district["code"])
        self.centre_id = await centre_for(self.pool, self.district["province_code"])
        platform = self.platform
        self.station_officer, self.station_line = await linked_officer(
            self.pool, platform, OfficerRole.INSPECTOR, station_id=self.station_id)
        self.superintendent, self.superintendent_line = await linked_officer(
            self.pool, platform, OfficerRole.SUPERINTENDENT, station_id=self.station_id)
        self.centre_officer, self.centre_line = await linked_officer(
            self.pool, platform, OfficerRole.CENTRE_191, station_id=self.centre_id)
        self.commander, self.commander_line = await linked_officer(
            self.pool, platform, OfficerRole.COMMANDER, province_code=self.district["province_code"])
        self.national, self.national_line = await linked_officer(self.pool, platform, OfficerRole.NATIONAL_DESK)
        self.reporter = self.new_citizen()
        return self

    def officer_hears(self, line_user_id: str) -> Citizen:
        """Read an officer's chat through the same helper as a citizen's."""
        return Citizen(self.platform, self._send, user_id=line_user_id)

    async def token_for(self, officer: Officer) -> str:
        """A new bearer token for the officers' API, speaking for this officer."""
        async with self.pool.acquire() as connection:
            code = await connection.fetchval("select code from officers where id = $1", officer.officer_id)
            return await issue_token(connection, code)

    async def open_case(self, incident_type: IncidentType = DETENTION,
                        history_budget: int | None = None) -> tuple[str, WorkflowHandle]:
        opening = await self.recorded_case(incident_type)
        opening.history_budget = history_budget
        handle = await self.client.start_workflow(
            CaseWorkflow.run,
            opening,
            id=case_workflow_id(opening.case_no),
            task_queue=self.settings.temporal_task_queue,
            search_attributes=case_search_attributes(opening),
        )
        return opening.case_no, handle

    async def recorded_case(self, incident_type: IncidentType = DETENTION) -> CaseOpening:
        """A case in the case store only, with no workflow: a test then plays the workflow's part."""
        store = CaseStore(self.pool, download_content=None)
        conversation_id = f"test-{uuid.uuid4()}"
        case_no = await store.allocate_case_number(CaseNumberRequest(conversation_id=conversation_id, year=2026))
        d = self.district
        opening = CaseOpening(
            case_no=case_no, conversation_id=conversation_id,
            reporter=Reporter(user_id=self.reporter.user_id,
                              reporter_key=reporter_key(self.reporter.user_id, self.settings.pseudonym_key)),
            report=Report(
                incident_type=incident_type,
                location=Location(latitude=15.0, longitude=100.5, address="ที่เกิดเหตุทดสอบ"),
                place=Place(inside_thailand=True, province_code=d["province_code"], province_name_th=d["province_th"],
                            province_name_en=d["province_en"], district_code=d["code"], district_name_th=d["name_th"],
                            district_name_en=d["name_en"]),
                phone=PhoneNumber(valid=True, e164="+66812345678", national="081-234-5678"),
                complete=True,
                reported_at=datetime.now(UTC),
            ),
        )
        await store.record_case_opened(opening)
        return opening
