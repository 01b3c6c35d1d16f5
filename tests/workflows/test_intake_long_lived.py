"""A conversation kept alive by a chatty reporter continues as new between reports, on the
time-skipping server with the real activities: events that arrive while one run hands over to the
next are carried (or reach the new run by the same workflow id), a report started by one of them
completes, nothing is answered twice or left unanswered, and the conversation's result names every
case it opened over all its runs."""

from __future__ import annotations

import asyncio

from temporalio.api.enums.v1 import EventType

from domain.conversation_state import ConversationState
from domain.models import ConversationStart, IntakeTimeouts
from domain.pseudonyms import reporter_key
from orchestration.ids import intake_workflow_id
from tests.conversation import BANGKOK_PIN, text_of
from tests.workflows.conftest import Reporting
from workflows.intake import IntakeWorkflow

# Low enough that a few answered messages pass it: each costs about ten events.
BUDGET = 60
CHATTER = 8


async def start_with_budget(reporting: Reporting, user_id: str, budget: int) -> str:
    """The conversation as the webhook would start it, but with a small history budget; the
    citizen's events then reach it by signal-with-start as always. Its workflow id."""
    s = reporting.settings
    key = reporter_key(user_id, s.pseudonym_key)
    start = ConversationStart(user_id=user_id, reporter_key=key, timeouts=IntakeTimeouts(
        reminder_after=s.intake_reminder_after, give_up_after=s.intake_give_up_after, idle_after=s.intake_idle_after,
        phone_wait=s.intake_phone_wait, follow_up_after_close=s.follow_up_after_close))
    handle = await reporting.env.client.start_workflow(
        IntakeWorkflow.run, args=[start, ConversationState(history_budget=budget)], id=intake_workflow_id(key),
        task_queue=s.temporal_task_queue)
    return handle.id


async def runs_of(reporting: Reporting, workflow_id: str) -> list[ConversationState]:
    """The state each run handed to the next, oldest first (followed from the first run)."""
    client = reporting.env.client
    first = await client.get_workflow_handle(workflow_id).describe()
    run_id: str | None = first.run_id
    # describe() gives the latest run: walk back from the first run instead, by its chain.
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    first_run = history.events[0].workflow_execution_started_event_attributes.first_execution_run_id
    states: list[ConversationState] = []
    run_id = first_run
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        last = history.events[-1]
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            break
        attributes = last.workflow_execution_continued_as_new_event_attributes
        _, state = await client.data_converter.decode(attributes.input.payloads,
                                                      [ConversationStart, ConversationState])
        states.append(state)
        run_id = attributes.new_execution_run_id
    return states


async def test_a_chatty_conversation_continues_as_new_and_a_report_racing_the_hand_over_completes(
        reporting: Reporting) -> None:
    citizen = reporting.citizen()
    workflow_id = await start_with_budget(reporting, citizen.user_id, BUDGET)

    # A burst: the conversation answers one at a time, so the budget is passed with some of it
    # still waiting, and the request to report arrives last, while a run hands over.
    await asyncio.gather(*(citizen.says(f"สวัสดี {n}") for n in range(CHATTER)))
    await citizen.says("แจ้งเหตุ")
    answers = await citizen.hears(count=CHATTER + 1)
    assert all("แจ้งเหตุ" in text_of(answer) for answer in answers[:CHATTER])  # each hello its help
    assert text_of(answers[-1]) == "เกิดเหตุอะไร เลือกหนึ่งข้อ"

    await citizen.taps("กักขังหน่วงเหนี่ยว")
    await citizen.hears()
    await citizen.pins(**BANGKOK_PIN)
    await citizen.hears()
    await citizen.taps("ถูกต้อง")
    await citizen.hears()
    await citizen.says("081-234-5678")
    case_no = await citizen.hears_case_number()
    assert (await reporting.case_row(case_no))["phone_e164"] == "+66812345678"
    await citizen.hears_nothing(within=0.5)  # nothing answered twice

    states = await runs_of(reporting, workflow_id)
    assert states, "the conversation never continued as new"
    assert any(state.pending for state in states), "no event was waiting at a hand-over"
    assert all(state.history_budget == BUDGET for state in states)

    # Later chatter reaches the newest run; the result names the case across runs.
    await citizen.says("ขอบคุณ")
    [received] = await citizen.hears()
    assert case_no in text_of(received)  # attached to the open case, known to the new run
    await reporting.env.sleep(reporting.settings.intake_idle_after * 2)
    assert await reporting.env.client.get_workflow_handle(workflow_id).result() == [case_no]
