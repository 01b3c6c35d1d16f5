"""A case over a long life: it continues in a fresh run when its history grows long, without losing
what comes during the hand-over; its status moves only under its lock; a hand-off that never starts or
ends without an answer gives the case back; a timeline entry the store refuses does not end the case."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from domain.handoff import TeamRole, handoff_id_of
from domain.models import ActionKind, CaseStatus, Officer, OfficerAction, ReporterMessage
from orchestration.ids import case_workflow_id, handoff_workflow_id
from tests.conversation import text_of
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually
from workflows.case import CaseWorkflow


def act(kind: ActionKind, officer: Officer, note: str | None = None) -> OfficerAction:
    return OfficerAction(kind=kind, officer=officer, note=note)


def words(case_no: str, n: int) -> ReporterMessage:
    return ReporterMessage(event_id=f"event-{uuid.uuid4()}", message_type="text", text=f"{case_no} ข้อความที่ {n}",
                           received_at=datetime.now(UTC))


def latest(client: Client, case_no: str) -> WorkflowHandle:
    """The case as the API addresses it: by id, whatever run it is in."""
    return client.get_workflow_handle(case_workflow_id(case_no))


async def runs_of(client: Client, case_no: str, first_run_id: str) -> int:
    """How many runs the case has had: follows each run's continued-as-new to the next."""
    runs, run_id = 1, first_run_id
    while True:
        history = await client.get_workflow_handle(case_workflow_id(case_no), run_id=run_id).fetch_history()
        last = history.events[-1]
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return runs
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
        runs += 1


async def test_a_long_case_continues_in_a_fresh_run_and_loses_nothing_that_came_during_the_hand_over(
        scene: Scene) -> None:
    case_no, first = await scene.open_case(history_budget=120)
    inspector = scene.officer_hears(scene.station_line)
    await inspector.hears()  # the alert
    case = latest(scene.client, case_no)
    await case.execute_update(CaseWorkflow.act, act(ActionKind.ACKNOWLEDGE, scene.station_officer))

    # Words and notes together, so some arrive while the case is handing over to its next run.
    async def note(n: int) -> None:
        await case.execute_update(CaseWorkflow.act, act(ActionKind.ADD_NOTE, scene.station_officer, f"บันทึก {n}"))

    sent = 60
    await asyncio.gather(*(case.signal(CaseWorkflow.reporter_message, words(case_no, n)) for n in range(sent)),
                         *(note(n) for n in range(5)))

    async def all_kept() -> bool:
        count = await scene.pool.fetchval(
            "select count(*) from case_events where case_no = $1 and kind = 'REPORTER_MESSAGE'", case_no)
        return count == sent
    await eventually(all_kept, timeout=60)
    texts = [r["text"] for r in await scene.pool.fetch(
        "select details->>'text' as text from case_events where case_no = $1 and kind = 'REPORTER_MESSAGE'", case_no)]
    assert sorted(texts) == sorted(f"{case_no} ข้อความที่ {n}" for n in range(sent))  # each once
    notes = await scene.pool.fetch(
        "select details->>'note' as note from case_events where case_no = $1 and kind = 'OFFICER_ADD_NOTE'", case_no)
    assert sorted(r["note"] for r in notes) == [f"บันทึก {n}" for n in range(5)]
    # The officer who holds the case heard every word, once, whichever run relayed it.
    heard = [text_of(m) for m in await inspector.hears(count=sent, timeout=60)]
    assert sorted(n for n in range(sent) for text in heard if f"ข้อความที่ {n}\n" in text + "\n") == list(range(sent))

    async def handed_over() -> bool:
        return await runs_of(scene.client, case_no, first.result_run_id or "") >= 2
    await eventually(handed_over)

    async def status_now() -> CaseStatus | None:
        """The latest run's answer (on a loaded machine its first task may still be on its way)."""
        try:
            return await case.query(CaseWorkflow.status)
        except RPCError:
            return None
    assert await eventually(status_now, timeout=60) == CaseStatus.ACKNOWLEDGED  # carried into the new run

    await case.execute_update(CaseWorkflow.act, act(ActionKind.CLOSE, scene.station_officer, "จบเรื่อง"))
    assert await case.result() == CaseStatus.CLOSED
    # Timeline keys went on counting across runs: no entry overwrote another.
    kinds = [r["kind"] for r in await scene.pool.fetch(
        "select kind from case_events where case_no = $1 order by id", case_no)]
    assert kinds.count("STATUS_CHANGED") == 2


async def test_an_acknowledged_case_without_news_never_hands_over_for_nothing(scene: Scene) -> None:
    case_no, first = await scene.open_case(history_budget=120)
    await scene.officer_hears(scene.station_line).hears()
    case = latest(scene.client, case_no)
    await case.execute_update(CaseWorkflow.act, act(ActionKind.ACKNOWLEDGE, scene.station_officer))
    await case.execute_update(CaseWorkflow.act, act(ActionKind.CLOSE, scene.station_officer, "จบ"))
    assert await case.result() == CaseStatus.CLOSED
    assert await runs_of(scene.client, case_no, first.result_run_id or "") == 1


async def test_a_hand_off_that_cannot_start_leaves_the_case_where_it_was_and_says_so(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears()
    await handle.execute_update(CaseWorkflow.act, act(ActionKind.ACKNOWLEDGE, live_scene.station_officer))
    # Something already holds the hand-off's id (nothing polls its queue): its start will fail.
    squatter = await live_scene.client.start_workflow(
        "Squatter", id=handoff_workflow_id(handoff_id_of(case_no, 1)), task_queue=f"nobody-{uuid.uuid4()}")
    forward = act(ActionKind.FORWARD, live_scene.station_officer, "ต้องการที่พักพิง")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(CaseWorkflow.act, forward)
    assert "hand-off could not be started" in str(refused.value.cause)
    assert await handle.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED
    assert await live_scene.pool.fetchval("select status from cases where case_no = $1", case_no) == "ACKNOWLEDGED"
    await squatter.terminate("test over")

    # Forwarded again, the next hand-off starts, and only then does the case read FORWARDED.
    outcome = await handle.execute_update(CaseWorkflow.act, forward)
    assert outcome.status == CaseStatus.FORWARDED
    await live_scene.client.get_workflow_handle(handoff_workflow_id(handoff_id_of(case_no, 2))).describe()
    await handle.terminate("test over")


async def test_a_hand_off_terminated_without_an_answer_gives_the_case_back_to_its_station(
        live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    await inspector.hears()
    await handle.execute_update(CaseWorkflow.act, act(ActionKind.ACKNOWLEDGE, live_scene.station_officer))
    coordinator, _ = await linked_team_member(live_scene.pool, live_scene.platform, TeamRole.COORDINATOR,
                                              live_scene.district["province_code"])
    await handle.execute_update(CaseWorkflow.act, act(ActionKind.FORWARD, live_scene.station_officer, "ส่งต่อ"))
    handoff = live_scene.client.get_workflow_handle(handoff_workflow_id(handoff_id_of(case_no, 1)))
    await eventually(handoff.describe)
    await handoff.terminate("an operator ended it")

    async def returned() -> bool:
        return await handle.query(CaseWorkflow.status) == CaseStatus.RETURNED
    await eventually(returned)
    row = await eventually(lambda: live_scene.pool.fetchrow(
        "select details from case_events where case_no = $1 and kind = 'STATUS_CHANGED'"
        " and details->>'status' = 'RETURNED'", case_no))
    assert "TerminatedError" in row["details"]["note"]
    notices = [text_of(e.message) for e in live_scene.platform.bot_messages(live_scene.station_line)]
    assert await eventually(lambda: asyncio.sleep(0, [t for t in (
        text_of(e.message) for e in live_scene.platform.bot_messages(live_scene.station_line))
        if "ไม่มีคำตอบจากทีม" in t])), notices
    # Back at its station, the case may be forwarded again.
    again = act(ActionKind.FORWARD, live_scene.station_officer, "อีกครั้ง")
    outcome = await handle.execute_update(CaseWorkflow.act, again)
    assert outcome.status == CaseStatus.FORWARDED
    await live_scene.client.get_workflow_handle(handoff_workflow_id(handoff_id_of(case_no, 2))).terminate("test over")
    await let_go(live_scene.pool, [coordinator])
    await handle.terminate("test over")


async def test_an_entry_the_store_refuses_is_recorded_as_a_failed_step_and_the_case_hears_on(
        live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears()
    await handle.execute_update(CaseWorkflow.act, act(ActionKind.ACKNOWLEDGE, live_scene.station_officer))
    # Our own bug, played by the database: it refuses this one entry for good.
    refuse = f"refuse_{uuid.uuid4().hex[:8]}"
    await live_scene.pool.execute(f"""
        create function {refuse}() returns trigger language plpgsql as $$
        begin
          if new.details->>'text' = 'boom {case_no}' then
            raise exception 'refused' using errcode = 'check_violation';
          end if;
          return new;
        end $$;
        create trigger {refuse} before insert on case_events for each row execute function {refuse}();""")
    try:
        await handle.signal(CaseWorkflow.reporter_message, ReporterMessage(
            event_id=f"event-{uuid.uuid4()}", message_type="text", text=f"boom {case_no}",
            received_at=datetime.now(UTC)))
        failed = await eventually(lambda: live_scene.pool.fetchrow(
            "select actor, details from case_events where case_no = $1 and kind = 'STEP_FAILED'", case_no), timeout=30)
    finally:
        await live_scene.pool.execute(f"drop trigger {refuse} on case_events; drop function {refuse}();")
    assert failed["details"] == {"step": "REPORTER_MESSAGE", "error": "UnrecordableEntry"}
    assert "boom" not in str(failed["details"])  # the failure never repeats what the reporter said

    await handle.signal(CaseWorkflow.reporter_message, words(case_no, 1))
    await eventually(lambda: live_scene.pool.fetchrow(
        "select 1 from case_events where case_no = $1 and kind = 'REPORTER_MESSAGE'", case_no))
    await handle.execute_update(CaseWorkflow.act, act(ActionKind.CLOSE, live_scene.station_officer, "จบ"))
    assert await handle.result() == CaseStatus.CLOSED
    description = await handle.describe()
    assert description.status == WorkflowExecutionStatus.COMPLETED

