"""Degrade, never die: a step of the hand-off that fails for good (the hand-off store refuses a write
whatever the retries) is recorded on the timeline where it can be, counted in
`ess_workflow_step_failures` and logged, and the hand-off goes on. The failures are real: a timeline
entry naming a team member the directory does not have, and a hand-off whose row was deleted under it.
The server's runtime keeps the workflows' metrics in a buffer, so the specs read the counter itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment

from devstack.binaries import temporal_test_server
from domain.handoff import HandoffStatus, TeamActionKind, TeamMember, TeamRole, handoff_id_of
from orchestration import search_attributes
from tests.conftest import encrypting_converter
from tests.scene import Scene
from tests.waiting import eventually
from tests.workflows.handoff_team import Team, hears, started_handoff, team, team_action
from workflows.handoff import HandoffWorkflow

__all__ = ["team"]  # the fixture

HOUR = timedelta(hours=1)
ACCEPT_WITHIN = 24 * HOUR
# No team member has this id (ids are an identity column counting from 1).
NOBODY = 2_000_000_000
METRICS = MetricBuffer(10_000)
RUNTIME: Runtime | None = None


def _runtime() -> Runtime:
    """One runtime for this module's servers: its metrics go to METRICS."""
    global RUNTIME
    if RUNTIME is None:
        RUNTIME = Runtime(telemetry=TelemetryConfig(metrics=METRICS))
    return RUNTIME


@pytest.fixture
async def time_skipping_server() -> AsyncIterator[WorkflowEnvironment]:
    """As tests/conftest.py's, on a runtime whose metrics the spec reads."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server()), data_converter=encrypting_converter(),
        runtime=_runtime(),
    )
    await env.client.operator_service.add_search_attributes(AddSearchAttributesRequest(
        namespace=env.client.namespace,
        search_attributes={key.name: key.indexed_value_type for key in search_attributes.ALL},
    ))
    yield env
    await env.shutdown()


def step_failures() -> dict[str, int]:
    """ess_workflow_step_failures of the hand-off so far, by step."""
    counted: dict[str, int] = {}
    for update in METRICS.retrieve_updates():
        if update.metric.name == "ess_workflow_step_failures":
            assert update.attributes["workflow"] == "handoff"
            step = str(update.attributes["step"])
            counted[step] = counted.get(step, 0) + int(update.value)
    return counted


async def _entries(scene: Scene, handoff_id: str, kind: str) -> list:
    return await scene.pool.fetch(
        "select actor, details from handoff_events where handoff_id = $1 and kind = $2 order by at, id",
        handoff_id, kind)


async def _running(handoff: WorkflowHandle) -> bool:
    return (await handoff.describe()).status == WorkflowExecutionStatus.RUNNING


async def test_a_write_the_store_refuses_for_good_is_recorded_counted_and_the_handoff_goes_on(
        scene: Scene, team: Team) -> None:
    case_no, handoff = await started_handoff(scene)
    handoff_id = handoff_id_of(case_no, 1)
    await hears(scene, team, team.coordinator).hears()
    step_failures()  # from here on

    # A member the directory does not know (removed meanwhile): the store refuses the note for good.
    ghost = TeamMember(member_id=NOBODY, name="ไม่มีในทะเบียน", role=TeamRole.COORDINATOR,
                       province_code=scene.district["province_code"])
    outcome = await handoff.execute_update(HandoffWorkflow.act, team_action(
        TeamActionKind.ADD_NOTE, ghost, note="บันทึกที่เขียนไม่ได้"))
    assert outcome.status == HandoffStatus.AWAITING
    [failed] = await eventually(lambda: _entries(scene, handoff_id, "STEP_FAILED"))
    assert failed["details"] == {"step": "append_handoff_event:NOTE", "error": "UnknownTeamMember"}
    assert "บันทึก" not in str(failed["details"])  # the error's type, never what was written
    assert step_failures() == {"append_handoff_event": 1}

    # It goes on: a real member accepts, and the care starts.
    assert await _running(handoff)
    accepted = await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.coordinator))
    assert accepted.status == HandoffStatus.IN_CARE
    row = await eventually(lambda: scene.pool.fetchrow(
        "select status from handoffs where handoff_id = $1 and status = 'IN_CARE'", handoff_id))
    assert row is not None


async def test_a_handoff_whose_row_is_gone_keeps_reminding_and_can_still_be_accepted(
        scene: Scene, team: Team) -> None:
    case_no, handoff = await started_handoff(scene)
    handoff_id = handoff_id_of(case_no, 1)
    coordinator = hears(scene, team, team.coordinator)
    await coordinator.hears()
    await eventually(lambda: _entries(scene, handoff_id, "ALERTED"))
    step_failures()
    _COUNTED.clear()
    await scene.pool.execute("delete from handoffs where handoff_id = $1", handoff_id)

    # Half the time to accept: the reminder goes out, its timeline entry has nowhere to go.
    await scene.env.sleep(ACCEPT_WITHIN / 2 + HOUR)
    [reminder] = await coordinator.hears()
    assert case_no in reminder["altText"]
    assert await eventually(lambda: _counted("append_handoff_event"))
    assert await _running(handoff)

    accepted = await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.coordinator))
    assert accepted.status == HandoffStatus.IN_CARE
    assert await _running(handoff)
    assert await handoff.query(HandoffWorkflow.status) == HandoffStatus.IN_CARE


_COUNTED: dict[str, int] = {}


async def _counted(step: str) -> bool:
    for name, count in step_failures().items():
        _COUNTED[name] = _COUNTED.get(name, 0) + count
    return _COUNTED.get(step, 0) > 0
