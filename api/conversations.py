"""Hands LINE events to the reporter's conversation workflow, once each.

Signal-with-start: the event joins the running conversation, or starts a new one. It needs only
the Temporal server, so the webhook keeps accepting events while no worker runs. A button on an
officer's alert goes straight to its case, which is quicker when every second counts; when no case
runs to take it (ended, or never was) it is answered here (api.ended_case_taps), which needs
PostgreSQL and LINE but no worker, and no conversation hears of it. A reporter's yes or no to the
hand-off's consent question, or a team member's accept button on a hand-off alert, goes straight to
that hand-off; when the hand-off has ended, the conversation answers the tap instead. LINE may
redeliver an event (same webhookEventId), late: the id is remembered in PostgreSQL after the
signal succeeds. If PostgreSQL is unreachable the event still goes through and the workflow's own
de-duplication covers it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.line import LineMessenger
from api.ended_case_taps import EndedCaseTaps
from configuration.settings import Settings
from database import webhook_events
from domain.models import ConversationStart, EventKind, IntakeTimeouts, LineEvent
from domain.postbacks import Postback
from domain.pseudonyms import reporter_key
from orchestration.ids import case_workflow_id, handoff_workflow_id, intake_workflow_id
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow
from workflows.intake import IntakeWorkflow

log = logging.getLogger(__name__)

# Taps that go to a running hand-off: the reporter's consent answer, a team member's accept button.
HANDOFF_SIGNALS = {"consent": HandoffWorkflow.reporter_consent, "team": HandoffWorkflow.team_tap}


class ConversationGateway:
    def __init__(self, client: Client, pool: asyncpg.Pool, settings: Settings,
                 line: LineMessenger | None = None) -> None:
        """`line` answers alert buttons of ended cases; closed by whoever hands it in."""
        self._client = client
        self._pool = pool
        self._settings = settings
        self._own_line: LineMessenger | None = None
        if line is None:
            line = self._own_line = LineMessenger(settings)
        self._ended_case_taps = EndedCaseTaps(pool, line)

    async def close(self) -> None:
        """Lets the answers to ended cases' taps on their way finish, then closes the LINE client
        made here when none was handed in."""
        await self._ended_case_taps.drain()
        if self._own_line is not None:
            await self._own_line.close()

    async def deliver(self, event: LineEvent) -> bool:
        """Signal the event to its conversation, an alert button to its case (answered here when none
        runs), a consent answer or a team member's button to its hand-off. False when it had been
        delivered before."""
        if await self._delivered_before(event.event_id):
            return False
        if not await self._hand_to_case_or_handoff(event):
            await self._hand_to_conversation(event)
        await self._remember(event.event_id)
        return True

    async def _hand_to_case_or_handoff(self, event: LineEvent) -> bool:
        """An alert button goes to its running case (or, with none running, is answered here), a
        consent answer or a team member's button to its running hand-off. False when the event is
        none of these, or that hand-off has ended: the conversation's to answer."""
        postback = Postback.decode(event.postback_data) if event.kind == EventKind.POSTBACK else None
        if postback is None:
            return False
        if postback.action == "officer":
            case_no = postback.case_no or ""
            if not (case_no and await self._signal_running(case_workflow_id(case_no), CaseWorkflow.officer_tap, event)):
                await self._ended_case_taps.answer(event, case_no)
            return True
        if postback.action in HANDOFF_SIGNALS and postback.handoff_id:
            return await self._signal_running(handoff_workflow_id(postback.handoff_id),
                                              HANDOFF_SIGNALS[postback.action], event)
        return False

    async def _signal_running(self, workflow_id: str, signal: str | Callable[..., Any], event: LineEvent) -> bool:
        """False when no such workflow is running."""
        try:
            await self._client.get_workflow_handle(workflow_id).signal(signal, event)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return False
            raise
        return True

    async def _hand_to_conversation(self, event: LineEvent) -> None:
        key = reporter_key(event.user_id, self._settings.pseudonym_key)
        start = ConversationStart(user_id=event.user_id, reporter_key=key, timeouts=self._timeouts())
        await self._client.start_workflow(
            IntakeWorkflow.run,
            start,
            id=intake_workflow_id(key),
            task_queue=self._settings.temporal_task_queue,
            start_signal="line_event",
            start_signal_args=[event],
            static_summary="บทสนทนาแจ้งเหตุ (conversation)",
        )

    def _timeouts(self) -> IntakeTimeouts:
        s = self._settings
        return IntakeTimeouts(
            reminder_after=s.intake_reminder_after, give_up_after=s.intake_give_up_after,
            idle_after=s.intake_idle_after, phone_wait=s.intake_phone_wait,
            follow_up_after_close=s.follow_up_after_close,
        )

    async def _delivered_before(self, event_id: str) -> bool:
        try:
            return await webhook_events.delivered_before(self._pool, event_id)
        except (OSError, asyncpg.PostgresError):
            log.warning("webhook de-duplication unavailable (PostgreSQL); relying on the workflow's")
            return False

    async def _remember(self, event_id: str) -> None:
        try:
            await webhook_events.remember(self._pool, event_id)
        except (OSError, asyncpg.PostgresError):
            log.warning("could not remember a webhook event id (PostgreSQL); relying on the workflow's")
