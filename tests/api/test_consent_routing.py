"""The reporter's yes / no to the consent question, through the real webhook: it goes straight to its
hand-off while that runs; once the hand-off has ended, the reporter's conversation answers the tap
(calmly, without starting a report).

A stand-in hand-off workflow, with the real one's signal name, takes the answers: routing is the
gateway's job, whatever the hand-off then does with them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHandle
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from api.simulator import events
from domain.models import LineEvent
from domain.postbacks import Postback
from tests.api.conftest import RunningApi
from tests.api.test_webhook import conversation_started, signals_received
from tests.conversation import Citizen, text_of
from workflows.ids import handoff_workflow_id


@workflow.defn(name="StandInHandoff")
class StandInHandoff:
    """Takes one consent answer, then ends, as a hand-off that is over no longer listens."""

    def __init__(self) -> None:
        self._answers: list[LineEvent] = []

    @workflow.signal(name="reporter_consent")
    def reporter_consent(self, event: LineEvent) -> None:
        self._answers.append(event)

    @workflow.run
    async def run(self) -> list[LineEvent]:
        await workflow.wait_condition(lambda: bool(self._answers))
        return self._answers


@pytest.fixture
async def running_handoff(api: RunningApi) -> AsyncIterator[tuple[str, WorkflowHandle]]:
    """(handoff id, handle) of a stand-in hand-off waiting for the reporter's answer."""
    handoff_id = f"ESS-2569-{uuid.uuid4().int % 1_000_000:06d}-1"
    task_queue = f"stand-in-{uuid.uuid4()}"
    async with Worker(api.env.client, task_queue=task_queue, workflows=[StandInHandoff],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        handle = await api.env.client.start_workflow(
            StandInHandoff.run, id=handoff_workflow_id(handoff_id), task_queue=task_queue, result_type=list[LineEvent]
        )
        yield handoff_id, handle


def webhook_citizen(api: RunningApi) -> Citizen:
    async def send(event: dict[str, Any]) -> None:
        body, headers = events.signed_webhook(api.line.platform, [event], api.settings.line_channel_secret)
        response = await api.http.post("/line/webhook", content=body, headers=headers)
        assert response.json() == {"received": 1, "delivered": 1}

    return Citizen(api.line.platform, send)


def consent(handoff_id: str, code: str) -> str:
    return Postback(action="consent", code=code, handoff_id=handoff_id).encode()


async def test_a_consent_answer_goes_to_its_running_handoff_not_to_the_conversation(
    api: RunningApi, running_handoff: tuple[str, WorkflowHandle],
) -> None:
    handoff_id, handoff = running_handoff
    reporter = webhook_citizen(api)

    tapped = await reporter.taps_postback(consent(handoff_id, "YES"))

    [answer] = await asyncio.wait_for(handoff.result(), timeout=10)
    assert (answer.event_id, answer.user_id, answer.postback_data) == (
        tapped["webhookEventId"], reporter.user_id, consent(handoff_id, "YES"))
    assert not await conversation_started(api, reporter.user_id)


async def test_a_consent_answer_for_no_running_handoff_reaches_the_conversation(api: RunningApi) -> None:
    reporter = webhook_citizen(api)
    await reporter.taps_postback(consent("ESS-2569-000000-9", "NO"))  # never forwarded, or long over
    assert await signals_received(api, reporter.user_id) == 1


async def test_once_the_handoff_has_ended_the_conversation_answers_the_tap_without_starting_a_report(
    api: RunningApi, case_worker: None, running_handoff: tuple[str, WorkflowHandle],
) -> None:
    handoff_id, handoff = running_handoff
    reporter = webhook_citizen(api)
    await reporter.taps_postback(consent(handoff_id, "YES"))
    await asyncio.wait_for(handoff.result(), timeout=10)  # the hand-off took its answer and is over

    await reporter.taps_postback(consent(handoff_id, "NO"))  # an old chip, tapped again

    [answer] = await reporter.hears()
    # The bot's help: how to report, and 191 in immediate danger; the report itself waits for a tap.
    assert text_of(answer).startswith("กด “แจ้งเหตุ” เพื่อแจ้งเหตุ") and "191" in text_of(answer)
    assert "แจ้งเหตุ" in [item["action"]["label"] for item in answer["quickReply"]["items"]]
    await reporter.hears_nothing(within=1.0)  # no incident-type question: no report was started
    assert await signals_received(api, reporter.user_id) == 1
