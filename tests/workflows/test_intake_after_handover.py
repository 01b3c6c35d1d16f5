"""After the province's team accepted a reporter's case (the police part over), what the reporter
writes reaches someone, on the time-skipping server with the real activities: with their consent to
contact it goes to the team's hand-off (its `reporter_message` signal) and they hear quietly that it
was passed on; without it the bot says who looks after them now and offers a new report."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle

from domain.handoff import TeamAction, TeamActionKind, TeamMember, TeamRole, handoff_id_of
from domain.models import ActionKind, OfficerAction
from domain.postbacks import Postback
from orchestration.ids import HANDOFF_PREFIX, handoff_workflow_id
from tests.conversation import Citizen, actions_of, text_of
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow


@pytest.fixture
async def coordinator(scene: Scene) -> AsyncIterator[tuple[TeamMember, str]]:
    """The province's coordinator and their LINE user id; whoever accepts is the case worker."""
    member, line_user_id = await linked_team_member(scene.pool, scene.platform, TeamRole.COORDINATOR,
                                                    scene.district["province_code"])
    assert line_user_id is not None
    yield member, line_user_id
    await let_go(scene.pool, [member])


async def accepted_case(scene: Scene, coordinator: TeamMember, consent: str | None) -> tuple[str, WorkflowHandle]:
    """The reporter's case forwarded, their answer to the consent question (None: none), and the
    team's acceptance, with the case's workflow ended and its row read as the team's."""
    case_no, case = await scene.open_case()
    await case.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.FORWARD, officer=scene.station_officer,
                                                              note="ผู้เสียหายต้องการที่พักพิง"))
    handoff = scene.client.get_workflow_handle(handoff_workflow_id(handoff_id_of(case_no, 1)))
    await eventually(handoff.describe)
    [question] = await scene.reporter.hears()
    if consent is not None:
        [answer] = [a for a in actions_of(question)
                    if a["type"] == "postback" and Postback.decode(a["data"]).code == consent]
        await scene.reporter.taps_postback(answer["data"])
        await scene.reporter.hears()  # thanks
        given = "GIVEN" if consent == "YES" else "REFUSED"
        await eventually(lambda: scene.pool.fetchval(
            "select consent = $2 from handoffs where case_no = $1", case_no, given))
    await handoff.execute_update(HandoffWorkflow.act, TeamAction(kind=TeamActionKind.ACCEPT, member=coordinator))
    # The police part is over (awaiting the result would let the test server skip time).
    await eventually(lambda: _ended(case))
    await eventually(lambda: scene.pool.fetchval(
        "select c.status in ('HANDED_OVER', 'FORWARDED') and h.accepted_at is not null "
        "from cases c join handoffs h using (case_no) where case_no = $1", case_no))
    if consent == "YES":
        await scene.reporter.hears()  # someone will contact you
    return case_no, handoff


async def _ended(case: WorkflowHandle) -> bool:
    return (await case.describe()).status != WorkflowExecutionStatus.RUNNING


async def heard_with(person: Citizen, words: str) -> dict:
    """The first message of theirs (from the start of their chat) that holds the words."""
    for _ in range(10):
        for message in await person.hears():
            if words in str(message):
                return message
    raise AssertionError(f"no message with {words!r}")


async def signals_of(handoff: WorkflowHandle, name: str) -> list:
    history = await handoff.fetch_history()
    return [event.workflow_execution_signaled_event_attributes for event in history.events
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
            and event.workflow_execution_signaled_event_attributes.signal_name == name]


async def test_with_consent_what_the_reporter_writes_goes_to_the_team(
        scene: Scene, coordinator: tuple[TeamMember, str]) -> None:
    member, member_line = coordinator
    case_no, handoff = await accepted_case(scene, member, consent="YES")

    await scene.reporter.says("เขากลับมาอีกแล้ว")
    [passed_on] = await scene.reporter.hears()
    assert text_of(passed_on) == f"ส่งต่อให้เจ้าหน้าที่ด้านสังคมที่ดูแลเรื่อง {case_no} แล้ว"
    assert scene.reporter.last_entries[0].notification_disabled  # quietly
    [signal] = await eventually(lambda: signals_of(handoff, "reporter_message"))
    [message] = await scene.client.data_converter.decode(signal.input.payloads)
    assert message["text"] == "เขากลับมาอีกแล้ว" and message["message_type"] == "text"
    # The team's: on the hand-off's timeline, and to its case worker.
    relayed = await heard_with(scene.officer_hears(member_line), "เขากลับมาอีกแล้ว")
    assert case_no in str(relayed)
    assert await eventually(lambda: scene.pool.fetchval(
        "select count(*) from handoff_events where handoff_id = $1 and kind = 'REPORTER_MESSAGE'",
        handoff.id.removeprefix(HANDOFF_PREFIX)))


async def test_without_consent_the_bot_says_who_looks_after_them_and_offers_a_new_report(
        scene: Scene, coordinator: tuple[TeamMember, str]) -> None:
    case_no, handoff = await accepted_case(scene, coordinator[0], consent="NO")

    await scene.reporter.says("เขากลับมาอีกแล้ว")
    [explained] = await scene.reporter.hears()
    assert case_no in text_of(explained) and "เจ้าหน้าที่ด้านสังคมของจังหวัด" in text_of(explained)
    assert await signals_of(handoff, "reporter_message") == []
    await scene.reporter.taps("แจ้งเหตุ")
    [question] = await scene.reporter.hears()
    assert text_of(question) == "เกิดเหตุอะไร เลือกหนึ่งข้อ"

