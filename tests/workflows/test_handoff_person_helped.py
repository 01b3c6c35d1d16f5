"""The person helped (issue 17): once in care, the case worker records who is being helped — who may
not be the reporter — after they or their guardian agreed. Every answer may stay unknown; the record
is the hand-off's latest PERSON_DESCRIBED entry, and it is refused before acceptance and without the
agreement (a closed care's workflow has ended: tests/domain/test_handoff_rules.py)."""

from __future__ import annotations

from collections.abc import Awaitable

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.handoff import HandoffStatus, TeamAction, TeamActionKind
from domain.person_helped import AgeBand, HarmerRelation, Known, PersonHelped, Sex
from tests.scene import Scene
from tests.waiting import eventually
from tests.workflows.handoff_team import Team, forwarded_case, started_handoff, team, team_action
from workflows.handoff import HandoffWorkflow

__all__ = ["team"]  # the fixture

A_CHILD = PersonHelped(is_reporter=Known.NO, age_band=AgeBand.FROM_6_TO_11, sex=Sex.FEMALE, disability=Known.NO,
                       nationality="เมียนมา", language="พม่า", harmer_relation=HarmerRelation.PARENT_OR_GUARDIAN,
                       household="อยู่กับแม่และพ่อเลี้ยง")


async def refused(handoff: WorkflowHandle, action: TeamAction) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refusal:
        await handoff.execute_update(HandoffWorkflow.act, action)
    return refusal.value.cause.type


async def both(entries: Awaitable[list[dict]]) -> list[dict]:
    found = await entries
    return found if len(found) == 2 else []


def describe(team: Team, person: PersonHelped | None = A_CHILD, agreed: bool = True) -> TeamAction:
    return team_action(TeamActionKind.DESCRIBE_PERSON, team.social_worker, person=person, person_agreed=agreed)


async def person_entries(scene: Scene, case_no: str) -> list[dict]:
    rows = await scene.pool.fetch(
        "SELECT e.actor, e.details FROM handoff_events e JOIN handoffs h USING (handoff_id)"
        " WHERE h.case_no = $1 AND e.kind = 'PERSON_DESCRIBED' ORDER BY e.at, e.id", case_no)
    return [{"actor": row["actor"], **row["details"]} for row in rows]


@pytest.mark.records_history("person_helped")
async def test_in_care_the_case_worker_records_who_is_helped_and_a_later_record_replaces_it(
        scene: Scene, team: Team) -> None:
    case_no, _case, handoff = await forwarded_case(scene)  # a real case: its histories are recorded
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.social_worker))

    outcome = await handoff.execute_update(HandoffWorkflow.act, describe(team))
    assert outcome.status == HandoffStatus.IN_CARE
    [entry] = await eventually(lambda: person_entries(scene, case_no))
    assert entry["actor"] == f"member:{team.social_worker.member_id}"
    assert PersonHelped.model_validate(entry["person"]) == A_CHILD

    # Learned later: she is 12; nothing else known about the household any more than before.
    older = A_CHILD.model_copy(update={"age_band": AgeBand.FROM_12_TO_17, "household": None})
    await handoff.execute_update(HandoffWorkflow.act, describe(team, older))
    entries = await eventually(lambda: both(person_entries(scene, case_no)))
    assert PersonHelped.model_validate(entries[-1]["person"]) == older


async def test_unknown_is_always_an_answer(scene: Scene, team: Team) -> None:
    case_no, handoff = await started_handoff(scene)
    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.coordinator))

    await handoff.execute_update(HandoffWorkflow.act, describe(team, PersonHelped()))

    [entry] = await eventually(lambda: person_entries(scene, case_no))
    assert entry["person"] == {"is_reporter": "UNKNOWN", "age_band": "UNKNOWN", "sex": "UNKNOWN",
                               "disability": "UNKNOWN", "nationality": None, "language": None,
                               "harmer_relation": "UNKNOWN", "household": None}


async def test_no_record_without_agreement_or_before_acceptance(scene: Scene, team: Team) -> None:
    case_no, handoff = await started_handoff(scene)
    assert await refused(handoff, describe(team)) == "IllegalTeamAction"  # nobody has accepted yet

    await handoff.execute_update(HandoffWorkflow.act, team_action(TeamActionKind.ACCEPT, team.social_worker))
    assert await refused(handoff, describe(team, agreed=False)) == "InvalidAction"
    assert await refused(handoff, describe(team, person=None)) == "InvalidAction"
    assert await person_entries(scene, case_no) == []
