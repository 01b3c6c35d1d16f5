"""Taps meant for a hand-off, through the real webhook: the reporter's yes / no to the consent
question, and a team member's accept button on a hand-off alert. Each goes straight to its
hand-off while that runs; once the hand-off has ended, the tapper's conversation answers the tap
(calmly, without starting a report).

A stand-in hand-off workflow, with the real one's signal names, takes the taps: routing is the
gateway's job, whatever the hand-off then does with them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from temporalio import workflow
from temporalio.client import WorkflowHandle
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from domain.models import LineEvent
from domain.postbacks import Postback
from line_simulator import events
from orchestration.ids import handoff_workflow_id
from tests.api.conftest import RunningApi
from tests.api.test_webhook import conversation_started, signals_received
from tests.conversation import Citizen, text_of


class Signalled(BaseModel):
    signal: str
    event: LineEvent


@workflow.defn(name="StandInHandoff")
class StandInHandoff:
    """Takes one tap, by either signal, then ends, as a hand-off that is over no longer listens."""

    def __init__(self) -> None:
        self._taps: list[Signalled] = []

    @workflow.signal(name="reporter_consent")
    def reporter_consent(self, event: LineEvent) -> None:
        self._taps.append(Signalled(signal="reporter_consent", event=event))

    @workflow.signal(name="team_tap")
    def team_tap(self, event: LineEvent) -> None:
        self._taps.append(Signalled(signal="team_tap", event=event))

    @workflow.run
    async def run(self) -> list[Signalled]:
        await workflow.wait_condition(lambda: bool(self._taps))
        return self._taps


@dataclass(frozen=True)
class Tap:
    signal: str
    action: str
    code: str

    def data(self, handoff_id: str) -> str:
        return Postback(action=self.action, code=self.code, handoff_id=handoff_id).encode()


CONSENT = Tap(signal="reporter_consent", action="consent", code="YES")
ACCEPT = Tap(signal="team_tap", action="team", code="ACCEPT")
TAPS = pytest.mark.parametrize("tap", [CONSENT, ACCEPT], ids=["consent", "team-accept"])


@pytest.fixture
async def running_handoff(api: RunningApi) -> AsyncIterator[tuple[str, WorkflowHandle]]:
    """(handoff id, handle) of a stand-in hand-off waiting for a tap."""
    handoff_id = f"ESS-2569-{uuid.uuid4().int % 1_000_000:06d}-1"
    task_queue = f"stand-in-{uuid.uuid4()}"
    async with Worker(api.env.client, task_queue=task_queue, workflows=[StandInHandoff],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        handle = await api.env.client.start_workflow(
            StandInHandoff.run, id=handoff_workflow_id(handoff_id), task_queue=task_queue,
            result_type=list[Signalled],
        )
        yield handoff_id, handle


def webhook_citizen(api: RunningApi) -> Citizen:
    async def send(event: dict[str, Any]) -> None:
        body, headers = events.signed_webhook(api.line.platform, [event], api.settings.line_channel_secret)
        response = await api.http.post("/line/webhook", content=body, headers=headers)
        assert response.json() == {"received": 1, "delivered": 1}

    return Citizen(api.line.platform, send)


@TAPS
async def test_a_tap_goes_to_its_running_handoff_by_its_signal_not_to_the_conversation(
    api: RunningApi, running_handoff: tuple[str, WorkflowHandle], tap: Tap,
) -> None:
    handoff_id, handoff = running_handoff
    tapper = webhook_citizen(api)

    tapped = await tapper.taps_postback(tap.data(handoff_id))

    [taken] = await asyncio.wait_for(handoff.result(), timeout=10)
    assert taken.signal == tap.signal
    assert (taken.event.event_id, taken.event.user_id, taken.event.postback_data) == (
        tapped["webhookEventId"], tapper.user_id, tap.data(handoff_id))
    assert not await conversation_started(api, tapper.user_id)


@TAPS
async def test_a_tap_for_no_running_handoff_reaches_the_conversation(api: RunningApi, tap: Tap) -> None:
    tapper = webhook_citizen(api)
    await tapper.taps_postback(tap.data("ESS-2569-000000-9"))  # never forwarded, or long over
    assert await signals_received(api, tapper.user_id) == 1


async def ended_handoff_tapped_again(api: RunningApi, running_handoff: tuple[str, WorkflowHandle],
                                     tap: Tap) -> tuple[Citizen, dict]:
    """The hand-off takes a first tap and ends; the same button is tapped again. The answer."""
    handoff_id, handoff = running_handoff
    tapper = webhook_citizen(api)
    await tapper.taps_postback(tap.data(handoff_id))
    await asyncio.wait_for(handoff.result(), timeout=10)
    await tapper.taps_postback(tap.data(handoff_id))
    [answer] = await tapper.hears()
    return tapper, answer


async def test_once_the_handoff_has_ended_a_consent_tap_gets_the_help_without_starting_a_report(
    api: RunningApi, case_worker: None, running_handoff: tuple[str, WorkflowHandle],
) -> None:
    reporter, answer = await ended_handoff_tapped_again(api, running_handoff, CONSENT)

    # The bot's help: how to report, and 191 in immediate danger; the report itself waits for a tap.
    assert text_of(answer).startswith("กด “แจ้งเหตุ” เพื่อแจ้งเหตุ") and "191" in text_of(answer)
    assert "แจ้งเหตุ" in [item["action"]["label"] for item in answer["quickReply"]["items"]]
    await reporter.hears_nothing(within=1.0)  # no incident-type question: no report was started
    assert await signals_received(api, reporter.user_id) == 1


async def test_once_the_handoff_has_ended_an_accept_tap_is_told_so_without_starting_a_report(
    api: RunningApi, case_worker: None, running_handoff: tuple[str, WorkflowHandle],
) -> None:
    member, answer = await ended_handoff_tapped_again(api, running_handoff, ACCEPT)

    assert text_of(answer) == "เรื่องนี้ปิดการส่งต่อแล้ว"  # not the reporter's help
    await member.hears_nothing(within=1.0)
    assert await signals_received(api, member.user_id) == 1
