"""A button on a case's LINE alert when no case workflow is left to take it: the case has ended
(closed, nothing found, a prank, handed over) or the number names no case. The webhook already
knows, so the tap is answered here, with the words, the audit entry and the jurisdiction rule the
case itself applies while it runs; someone who may not see the case cannot tell an ended one from
an open or an unknown one:
- someone who is not a registered officer is told how to register;
- an officer outside the case's area hears the neutral "outside your jurisdiction", and the refusal
  is written to the audit log (CASE_VIEW_REFUSED, once per tap);
- an officer within it hears that the case has ended.
The answer is decided, and a refusal audited, before the webhook answers LINE: PostgreSQL's errors
reach the caller (the webhook answers 503 and LINE redelivers the tap, whose refusal is still
written once). The words then go out after the webhook has answered, so a slow LINE never holds the
webhook: silently, in the language of the officer's LINE app, a reply with the tap's token (a push
under one retry key once the token is stale), tried a few times while LINE is busy. It only
informs, so a refusal or LINE's lasting absence is logged and the tap counts as answered; shutting
down waits a little for answers still on their way.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from temporalio.exceptions import ApplicationError

from activities.line import LineMessenger
from database import audit, cases, officers
from domain.case_rules import CASE_ENDED, OUTSIDE_JURISDICTION, within_jurisdiction
from domain.models import BotMessage, Delivery, Language, LineEvent, Prompt, RefusedView

log = logging.getLogger(__name__)


# While LINE answers "busy" or not at all: tries, and the pause before each next one.
DELIVERY_ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 1.0
# How long shutting down waits for answers still on their way.
DRAIN_SECONDS = 5.0


class EndedCaseTaps:
    def __init__(self, pool: asyncpg.Pool, line: LineMessenger) -> None:
        self._pool = pool
        self._line = line
        self._sending: set[asyncio.Task[None]] = set()

    async def answer(self, tap: LineEvent, case_no: str) -> None:
        """`case_no` as the button carries it (empty when it carries none). Returns once the answer
        is decided (and a refusal audited); the words go out meanwhile."""
        message = await self._answer(tap, case_no)
        sending = asyncio.create_task(self._deliver(tap, message))
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)

    async def drain(self) -> None:
        """Lets the answers on their way finish, for a while, before the LINE client closes."""
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=DRAIN_SECONDS)

    async def _deliver(self, tap: LineEvent, message: BotMessage) -> None:
        delivery = Delivery(key=f"ended-case-tap/{tap.event_id}", user_id=tap.user_id,
                            language=await self._language(tap.user_id), messages=[message],
                            reply_token=tap.reply_token, reply_token_issued_at=tap.occurred_at)
        for attempt in range(1, DELIVERY_ATTEMPTS + 1):
            try:
                await self._line.answer_at_once(delivery)
                return
            except ApplicationError as error:  # says LINE's status and request id, nothing of the officer
                if error.non_retryable or attempt == DELIVERY_ATTEMPTS:
                    log.warning("the answer to a tap on an ended case was not delivered: %s", error.message)
                    return
            await asyncio.sleep(RETRY_PAUSE_SECONDS * attempt)

    async def _answer(self, tap: LineEvent, case_no: str) -> BotMessage:
        async with self._pool.acquire() as connection:
            officer = await officers.officer_by_line_user(connection, tap.user_id)
            if officer is None:
                return BotMessage(prompt=Prompt.NOT_AN_OFFICER)
            where = await cases.case_jurisdiction(connection, case_no)
            if where is not None and within_jurisdiction(officer, where.province_code, where.station_id):
                reason_th, reason_en = CASE_ENDED
            else:  # outside the officer's area, or no such case: refused as an open case would be
                reason_th, reason_en = OUTSIDE_JURISDICTION
                await audit.record_refused_view(
                    connection, RefusedView(event_id=tap.event_id, case_no=case_no, officer_id=officer.officer_id))
        return BotMessage(prompt=Prompt.OFFICER_ACTION_REJECTED,
                          params={"case_no": case_no or "-", "reason_th": reason_th, "reason_en": reason_en})

    async def _language(self, line_user_id: str) -> Language:
        """The officer's LINE app's when the bot speaks it, else Thai, as the case answers a tap."""
        try:
            return await self._line.get_line_language(line_user_id) or Language.THAI
        except ApplicationError:  # LINE busy or away: the answer matters more than its language
            return Language.THAI
