"""One case, from the moment a report becomes a case until the police response ends.

The story: route the case to the station responsible for the place (the province's 191 centre
always sees it) and alert that station's officers on LINE. While nobody acknowledges, climb the
escalation ladder — data per incident type: superintendent and 191 centre, then commanders, then
the national desk — rung by rung, each at its time; a rung that reached nobody on LINE is recorded
so, and the next one is alerted at once. Officers act through Temporal updates,
checked before they are accepted (a legal transition, within the officer's jurisdiction), from the
back office or from the buttons on their LINE alert; an action answers once it is recorded, and
what it makes the case say goes out after, from a sender of its own (a message LINE never takes is
recorded on the case). The reporter is told quietly when an officer takes the case and when it
ends. All along, what the reporter sends is attached to the case, apart from officers' taps: a
photo or video LINE will not give is recorded as failed, and the case hears on.
A case forwarded to the province's multidisciplinary team starts its hand-off (a child workflow
that outlives the case) and waits for the team's answer: accepted, the police part is done; handed
back with a reason, the case is open again at its station, which hears why.
The case outlives the conversation that opened it; its search attributes carry no personal data.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseStore
    from activities.directory import Directory
    from domain.case_rules import (
        AWAITING_TEAM,
        ENDED_BY_POLICE,
        NEEDS_NOTE,
        OUTSIDE_JURISDICTION,
        IllegalTransition,
        status_after,
        within_jurisdiction,
    )
    from domain.case_state import SEEN_EVENTS_KEPT, CaseState
    from domain.case_timeline import (
        Alerted,
        AttachmentFailed,
        CaseTimelineEvent,
        CaseViewed,
        Escalated,
        HandoffAccepted,
        HandoffStarted,
        MessageUndelivered,
        OfficerNoted,
        Reassigned,
        ReporterWrote,
        ReviewFlagged,
        Routed,
        StatusChanged,
        StepFailed,
        TimelineEntry,
    )
    from domain.escalation import ladder_for
    from domain.handoff import HandoffDecision, HandoffOpening, HandoffStatus, handoff_id_of
    from domain.models import (
        ActionKind,
        ActionOutcome,
        AttachmentRequest,
        Audience,
        AudienceRequest,
        BotMessage,
        CaseOpening,
        CaseStatus,
        Language,
        LineActionTaken,
        LineEvent,
        Officer,
        OfficerAction,
        OfficerContact,
        OfficerLineRequest,
        OfficerRole,
        Prompt,
        RefusedView,
        ReporterMessage,
        Route,
        RoutingRequest,
    )
    from domain.postbacks import Postback
    from orchestration import options, search_attributes
    from orchestration.ids import handoff_workflow_id
    from workflows.handoff import HandoffWorkflow
    from workflows.line_profile import line_language
    from workflows.speaking import refusal, send_line

MEDIA_MESSAGES = frozenset({"image", "video", "audio", "file"})
# What an alert's buttons ask for; anything else from LINE only shows the case.
LINE_BUTTONS = frozenset({"ACKNOWLEDGE", "OPEN"})
# The button on a relayed message that opens the officer's keyboard to answer the reporter.
REPLY_BUTTON = "REPLY"
# Earlier cases of the same reporter marked PRANK before officers are asked to double-check.
PRANK_REVIEW_THRESHOLD = 2
# The patch under which what an action makes the case say goes out after it, from the sender.
MESSAGES_AFTER_ACTION = "messages-after-action"
# The patch under which what the reporter sends is relayed to the officers who hold the case.
RELAY_TO_OFFICERS = "relay-reporter-messages"
# The patch under which a long history continues in a fresh run (cases from before never did).
CONTINUE_AS_NEW = "continue-as-new"
# Events in a run after which the case continues as new, well under Temporal's warning at 10,240.
HISTORY_BUDGET = 8_000
# The patch under which the hand-off is started before the case reads FORWARDED, and watched.
HANDOFF_FIRST = "handoff-before-forwarded"
# The patch under which the team's answer moves the case under the actions' lock, and acceptance
# reads HANDED_OVER (cases from before ended at FORWARDED).
TEAM_ANSWER_UNDER_LOCK = "team-answer-under-lock"
# The patch under which an action an officer takes from LINE is written to the audit log under them
# (the back office and the JSON API write their own; cases from before wrote none).
AUDIT_LINE_ACTIONS = "audit-line-actions"
# A message to send (True when LINE took it), and what the timeline says if LINE never takes it.
Message = tuple[Callable[[], Awaitable[bool]], MessageUndelivered]
REPORTER_NEWS = {
    CaseStatus.ACKNOWLEDGED: Prompt.REPORTER_ACKNOWLEDGED,
    CaseStatus.CLOSED: Prompt.REPORTER_CLOSED,
    CaseStatus.NOT_FOUND: Prompt.REPORTER_NOT_FOUND,
}


def reporter_message_key(case_no: str, event_id: str) -> str:
    """What a reporter's message is kept under on its case (its timeline entry, its file)."""
    return f"{case_no}:reporter:{event_id}"


async def keep_reporter_file(case_no: str, key: str, message_id: str,
                             received_at: datetime) -> tuple[int | None, str | None]:
    """A photo, video or file the reporter sent, kept with the case: (its id, None), or (None, why)
    when LINE would not give it after the download's few attempts."""
    try:
        attachment_id = await workflow.execute_activity_method(
            CaseStore.save_attachment,
            AttachmentRequest(key=key, case_no=case_no, message_id=message_id, received_at=received_at),
            **options.MEDIA,
        )
    except ActivityError as error:
        return None, options.failure_type(error)
    return attachment_id, None


@workflow.defn
class CaseWorkflow:
    @workflow.init
    def __init__(self, opening: CaseOpening, state: CaseState | None = None) -> None:
        # The SDK applies the parameters' types only when every argument came: a case started (or
        # recorded) with its opening alone gets it as a plain dict.
        if isinstance(opening, dict):
            opening = CaseOpening.model_validate(opening)
        self._opening = opening
        self._case_no = opening.case_no
        self._status = CaseStatus.NEW
        self._route: Route | None = None
        self._escalation_level = 0
        self._review_flag = False
        self._reporter_messages: deque[ReporterMessage] = deque()
        self._line_requests: deque[OfficerLineRequest] = deque()
        self._taps: deque[LineEvent] = deque()
        self._seen_event_ids: dict[str, None] = {}  # in the order heard, so a new run keeps the latest
        self._acting = asyncio.Lock()  # one action at a time: the second sees the first's result
        self._attached = 0
        self._events = 0
        self._told_reporter = 0
        self._handoffs = 0  # hand-offs started: a case handed back may be forwarded again
        self._waits_for_team = False  # forwarded with a hand-off: the case ends when the team accepts
        self._team_accepted = False
        self._decisions: deque[HandoffDecision] = deque()
        self._decision_ids: set[str] = set()
        self._outbox: deque[Callable[[], Awaitable[object]]] = deque()  # what actions made the case say
        self._sending_now = False
        self._closing = False  # the police part is over: the sender leaves once the outbox is empty
        self._alerted: dict[int, OfficerContact] = {}  # officers LINE took an alert for, so far
        self._acknowledged_by: int | None = None  # the officer who took the case
        self._opened_at: datetime | None = None
        self._runs = 0
        # Continuing as new: the listeners stop after the item in hand, and what is left waits in the state.
        self._handing_over = False
        self._stay = False  # an earlier release's history reached the budget: it carries on as it did
        self._handoff_ended: tuple[str, str] | None = None  # (hand-off id, how) of one that ended unanswered
        self._watching: list[asyncio.Task[None]] = []  # hand-offs whose end the case watches
        if state is not None:
            self._restore(state)

    def _restore(self, state: CaseState) -> None:
        self._status, self._route = state.status, state.route
        self._opened_at, self._runs = state.opened_at, state.runs
        self._escalation_level, self._review_flag = state.escalation_level, state.review_flag
        self._acknowledged_by = state.acknowledged_by
        self._alerted = {contact.officer_id: contact for contact in state.alerted}
        self._events, self._attached = state.events, state.attached
        self._told_reporter, self._handoffs = state.told_reporter, state.handoffs
        self._reporter_messages.extend(state.reporter_messages)
        self._line_requests.extend(state.line_requests)
        self._taps.extend(state.taps)
        self._decisions.extend(state.decisions)
        self._seen_event_ids = dict.fromkeys(state.seen_event_ids)
        self._decision_ids = set(state.decision_ids)

    def _state(self) -> CaseState:
        assert self._route is not None
        return CaseState(
            status=self._status, route=self._route, opened_at=self._opened_at or workflow.info().start_time,
            runs=self._runs + 1, escalation_level=self._escalation_level, review_flag=self._review_flag,
            acknowledged_by=self._acknowledged_by, alerted=list(self._alerted.values()), events=self._events,
            attached=self._attached, told_reporter=self._told_reporter, handoffs=self._handoffs,
            reporter_messages=list(self._reporter_messages), line_requests=list(self._line_requests),
            taps=list(self._taps), decisions=list(self._decisions),
            seen_event_ids=list(self._seen_event_ids)[-SEEN_EVENTS_KEPT:], decision_ids=sorted(self._decision_ids),
        )

    # --- what comes in --------------------------------------------------------------------

    @workflow.signal
    def reporter_message(self, message: ReporterMessage) -> None:
        if self._first_time(message.event_id):
            self._reporter_messages.append(message)

    @workflow.signal
    def officer_request(self, request: OfficerLineRequest) -> None:
        """An officer's typed answer to the reporter, relayed by their conversation (which once
        relayed alert buttons too: conversations from before the webhook answered ended cases' taps
        itself may still send one)."""
        if self._first_time(request.event_id):
            self._line_requests.append(request)

    @workflow.signal
    def officer_tap(self, event: LineEvent) -> None:
        """A button on this case's LINE alert, handed over by the webhook straight away: the case
        itself finds out who tapped it."""
        if self._first_time(event.event_id):
            self._taps.append(event)

    @workflow.signal
    def handoff_decided(self, decision: HandoffDecision) -> None:
        """The team's answer to a hand-off of this case, heard once however often it is sent."""
        if decision.decision_id:
            if decision.decision_id in self._decision_ids:
                return
            self._decision_ids.add(decision.decision_id)
        self._decisions.append(decision)

    @workflow.update
    async def act(self, action: OfficerAction) -> ActionOutcome:
        return await self._apply(action)

    @act.validator
    def _validate_act(self, action: OfficerAction) -> None:
        self._check(action)

    @workflow.query
    def status(self) -> CaseStatus:
        return self._status

    @workflow.query
    def route(self) -> Route | None:
        return self._route

    # --- the story ---------------------------------------------------------------------------

    @workflow.run
    async def run(self, opening: CaseOpening, state: CaseState | None = None) -> CaseStatus:
        self._show_details()
        sending = asyncio.create_task(self._keep_sending())
        if state is None:
            await self._open(self._opening)
        # The reporter's messages have a listener of their own, so a slow download holds up no
        # officer's tap and no team's decision. (Histories from before heard all in one: they still do.)
        apart = workflow.patched("reporter-messages-apart")
        listening = [asyncio.create_task(self._keep_listening(reporter_too=not apart))]
        if apart:
            listening.append(asyncio.create_task(self._keep_hearing_reporter()))
        if state is None:
            await self._escalate_until_acknowledged()
        while not self._finished():
            await workflow.wait_condition(lambda: self._finished() or self._handoff_ended is not None
                                          or self._may_continue_as_new())
            if self._handoff_ended is not None:
                await self._take_back()
            elif not self._finished():
                # The history is long: carry on in a fresh run. (A history an earlier release wrote
                # that grew this long carried on in its run: on replay, it still does.)
                if not workflow.patched(CONTINUE_AS_NEW):
                    self._stay = True
                    continue
                await self._continue_as_new(listening)
        await asyncio.gather(*listening)
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._closing = True
        await sending
        return self._status

    async def _open(self, opening: CaseOpening) -> None:
        """Routes the case and checks the reporter's record, side by side: every moment counts before the
        first alert."""
        self._route = await workflow.execute_local_activity_method(
            Directory.route_case,
            RoutingRequest(case_no=self._case_no, place=opening.report.place, location=opening.report.location),
            **options.STORE,
        )
        routed = Routed(station_id=self._route.station.station_id,
                        centre_id=self._route.centre.station_id if self._route.centre else None,
                        method=self._route.method)
        await asyncio.gather(self._record(routed), self._check_reporter_reputation())

    def _may_continue_as_new(self) -> bool:
        """Temporal suggests a fresh run, or the history passed its budget; never while a hand-off awaits
        the team's answer (the case watches that hand-off end)."""
        if self._stay or self._route is None or (self._status in AWAITING_TEAM and self._waits_for_team):
            return False
        info = workflow.info()
        budget = self._opening.history_budget or HISTORY_BUDGET
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= budget

    async def _continue_as_new(self, listening: list[asyncio.Task[None]]) -> None:
        """Lets the listeners finish the item in hand, every action and every message in the outbox go
        out, then hands what is left over to the next run. A signal or an update that comes meanwhile
        is handled here or carried in the state; one that comes after is the next run's."""
        self._handing_over = True
        await asyncio.gather(*listening)
        await workflow.wait_condition(
            lambda: not self._outbox and not self._sending_now and workflow.all_handlers_finished())
        workflow.continue_as_new(args=[self._opening, self._state()])

    def _finished(self) -> bool:
        """Done with the police: closed, found nothing, a prank, or accepted by the team."""
        if self._status == CaseStatus.FORWARDED and self._waits_for_team:
            return self._team_accepted
        return self._status in ENDED_BY_POLICE

    async def _escalate_until_acknowledged(self) -> None:
        incident_type = self._opening.report.incident_type
        opened_at = workflow.info().start_time
        reached_nobody = False
        for level, rung in enumerate(ladder_for(incident_type.escalation if incident_type else [])):
            wait = opened_at + rung.after - workflow.now()
            # A rung that reached nobody is not waited out: the next one is alerted at once.
            # (Histories from before waited for the next rung's time: they still do.)
            if reached_nobody and workflow.patched("empty-rung-moves-on"):
                wait = timedelta(0)
            if wait.total_seconds() > 0:
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(lambda: self._status != CaseStatus.NEW, timeout=wait)
            if self._status != CaseStatus.NEW:
                return  # someone acknowledged: the ladder stops here
            if level > 0:
                self._escalation_level = level
                workflow.upsert_search_attributes([search_attributes.ESCALATION_LEVEL.value_set(level)])
                await self._record(Escalated(level=level, audiences=rung.audiences))
            reached_nobody = await self._alert(rung.audiences, level, key=f"alert-{level}") == 0

    async def _check_reporter_reputation(self) -> None:
        """Never blocks a report: earlier pranks only ask officers to double-check."""
        pranks = await workflow.execute_local_activity_method(
            Directory.count_prank_reports, self._opening.reporter.reporter_key, **options.STORE
        )
        if pranks >= PRANK_REVIEW_THRESHOLD:
            self._review_flag = True
            await self._record(ReviewFlagged(earlier_pranks=pranks))

    async def _keep_listening(self, reporter_too: bool) -> None:
        """Officers' LINE buttons and the team's decisions (and, in cases from before, the
        reporter's messages), for as long as the case is open."""
        def waiting() -> bool:
            return bool((reporter_too and self._reporter_messages) or self._line_requests or self._taps
                        or self._decisions)

        while True:
            await workflow.wait_condition(lambda: waiting() or self._finished() or self._handing_over)
            if not waiting() or self._handing_over:
                return
            if self._decisions:
                await self._hear_team(self._decisions.popleft())
            if reporter_too and self._reporter_messages:
                await self._attach(self._reporter_messages.popleft())
            if self._line_requests:
                await self._answer_line_request(self._line_requests.popleft())
            if self._taps:
                await self._answer_tap(self._taps.popleft())

    async def _keep_hearing_reporter(self) -> None:
        """The reporter's messages, in the order sent, for as long as the case is open."""
        while True:
            await workflow.wait_condition(
                lambda: bool(self._reporter_messages) or self._finished() or self._handing_over)
            if not self._reporter_messages or self._handing_over:
                return
            await self._attach(self._reporter_messages.popleft())

    async def _keep_sending(self) -> None:
        """What actions and taps made the case say, in the order asked, outside the actions' lock:
        LINE's retries hold up no action. Leaves once the case is over and all has gone out."""
        def over() -> bool:
            return self._closing and workflow.all_handlers_finished()

        while True:
            await workflow.wait_condition(lambda: bool(self._outbox) or over())
            if not self._outbox:
                return
            self._sending_now = True
            try:
                await self._outbox.popleft()()
            finally:
                self._sending_now = False

    # --- officers' actions -------------------------------------------------------------------

    def _within_jurisdiction(self, officer: Officer) -> bool:
        """Who may see and act on this case: the same rule for a look as for an action."""
        route = self._route
        if route is None:  # not routed yet (a moment after opening): judge by province until it is
            province = self._opening.report.place.province_code
            return officer.role == OfficerRole.NATIONAL_DESK or officer.province_code == province
        return within_jurisdiction(officer, route.station.province_code, route.station.station_id)

    def _check(self, action: OfficerAction) -> None:
        """Refuses, before anything is written, what this officer may not do to this case now."""
        if not self._within_jurisdiction(action.officer):
            raise refusal("OutsideJurisdiction", *OUTSIDE_JURISDICTION)
        try:
            status_after(self._status, action.kind)
        except IllegalTransition as error:
            raise refusal("IllegalTransition", f"สถานะเรื่องตอนนี้คือ {self._status.value}", str(error)) from None
        if action.kind in NEEDS_NOTE and not (action.note or "").strip():
            raise refusal("InvalidAction", "ต้องมีบันทึกประกอบ", f"{action.kind.value} needs a note")
        if action.kind == ActionKind.REASSIGN and action.station_id is None:
            raise refusal("InvalidAction", "ต้องระบุสถานีปลายทาง", "REASSIGN needs a station")

    async def _apply(self, action: OfficerAction,
                     also: Callable[[ActionOutcome], Awaitable[None]] | None = None) -> ActionOutcome:
        """Applies an action that passed the checks and answers once it is recorded; `also` (e.g. the
        officer's confirmation) goes out with the news to the reporter, after, from the sender."""
        await workflow.wait_condition(lambda: self._route is not None)
        async with self._acting:
            self._check(action)  # again: routed now, and another officer may have acted meanwhile
            before = self._status
            handed_off = False
            if action.kind == ActionKind.FORWARD:
                # Decided before the status moves, so the case never reads FORWARDED as its end.
                # Histories from before hand-offs existed ended at FORWARDED: they still do.
                self._waits_for_team, self._team_accepted = workflow.patched("handoff"), False
                # The hand-off first: a case whose hand-off never started must not wait for a team.
                # (Histories from before forwarded first: they still do.)
                if self._waits_for_team and workflow.patched(HANDOFF_FIRST):
                    try:
                        await self._hand_off(action)
                    except ApplicationError:
                        self._waits_for_team = False
                        raise
                    handed_off = True
            self._status = status_after(before, action.kind)
            if action.kind == ActionKind.ACKNOWLEDGE:
                self._acknowledged_by = action.officer.officer_id
            officer = action.officer
            if action.kind == ActionKind.REASSIGN:
                await self._reassign(action)
            elif self._status != before:
                await self._record(StatusChanged(status=self._status, action=action.kind, officer_id=officer.officer_id,
                                                 officer_role=officer.role, note=action.note),
                                   actor=f"officer:{officer.officer_id}")
                workflow.upsert_search_attributes([search_attributes.STATUS.value_set(self._status.value)])
                self._show_details()
                if action.kind == ActionKind.FORWARD and self._waits_for_team and not handed_off:
                    await self._hand_off(action)
            else:
                await self._record(OfficerNoted(kind=OfficerNoted.kind_of(action.kind), action=action.kind,
                                                officer_id=officer.officer_id, officer_role=officer.role,
                                                note=action.note),
                                   actor=f"officer:{officer.officer_id}")
            assert self._route is not None
            outcome = ActionOutcome(case_no=self._case_no, status=self._status,
                                    station_id=self._route.station.station_id)
            news: list[Message] = []
            if action.kind == ActionKind.MESSAGE_REPORTER:
                news.append(self._to_reporter(Prompt.FROM_OFFICER, text=action.note or ""))
            elif self._status != before and self._status in REPORTER_NEWS:
                news.append(self._to_reporter(REPORTER_NEWS[self._status]))
            await asyncio.gather(*([also(outcome)] if also else []), self._say(news))
            return outcome

    async def _hand_off(self, action: OfficerAction) -> None:
        """Starts the hand-off to the province's team; it outlives this case."""
        assert self._route is not None
        self._handoffs += 1
        report = self._opening.report
        handoff_id = handoff_id_of(self._case_no, self._handoffs)
        opening = HandoffOpening(
            handoff_id=handoff_id, case_no=self._case_no, attempt=self._handoffs,
            province_code=self._route.station.province_code, station_id=self._route.station.station_id,
            reporter=self._opening.reporter, report=report, forwarded_by=action.officer,
            forward_note=action.note or "", forwarded_at=workflow.now(),
            history_budget=self._opening.history_budget,  # a spec's lowered budget holds for its hand-off too
        )
        attributes: list[SearchAttributePair[Any]] = [
            SearchAttributePair(search_attributes.CASE_NO, self._case_no),
            SearchAttributePair(search_attributes.PROVINCE, self._route.station.province_code),
            SearchAttributePair(search_attributes.HANDOFF_STATUS, HandoffStatus.AWAITING.value),
        ]
        if report.incident_type:
            attributes.append(SearchAttributePair(search_attributes.INCIDENT_TYPE, report.incident_type.code))
        watched = workflow.patched(HANDOFF_FIRST)
        try:
            handle = await workflow.start_child_workflow(
                HandoffWorkflow.run, opening, id=handoff_workflow_id(handoff_id),
                parent_close_policy=ParentClosePolicy.ABANDON,
                search_attributes=TypedSearchAttributes(attributes),
                static_summary=f"ส่งต่อทีมสหวิชาชีพ {self._case_no} (hand-off)",
            )
        except WorkflowAlreadyStartedError:
            if not watched:
                raise
            raise refusal("HandoffNotStarted", "เริ่มการส่งต่อไม่สำเร็จ ลองส่งต่ออีกครั้ง",
                          "the hand-off could not be started: forward again") from None
        await self._record(HandoffStarted(handoff_id=handoff_id))
        if watched:
            self._watching.append(asyncio.create_task(self._watch_handoff(handle, handoff_id)))

    async def _watch_handoff(self, handle: workflow.ChildWorkflowHandle[Any, Any], handoff_id: str) -> None:
        """A hand-off that ends without the team's answer (an operator terminated it, it failed) gives the
        case back to its station; one that ends normally has answered already."""
        try:
            await handle
        except ChildWorkflowError as error:
            self._handoff_ended = (handoff_id, type(error.cause).__name__ if error.cause else "ChildWorkflowError")

    async def _hear_team(self, decision: HandoffDecision) -> None:
        """Accepted: the police part is done. Handed back: open again, and the station hears why. Under
        the actions' lock, so no officer's action reads the status half-moved. (Histories from before
        moved it outside the lock and ended at FORWARDED: they still do.)"""
        if workflow.patched(TEAM_ANSWER_UNDER_LOCK):
            async with self._acting:
                await self._take_answer(decision, handed_over=True)
        else:
            await self._take_answer(decision, handed_over=False)

    async def _take_answer(self, decision: HandoffDecision, handed_over: bool) -> None:
        current = handoff_id_of(self._case_no, self._handoffs)
        if decision.handoff_id != current or self._status != CaseStatus.FORWARDED:
            return  # an answer to an earlier hand-off
        actor = f"member:{decision.member.member_id}"
        if decision.accepted:
            await self._record(HandoffAccepted(handoff_id=decision.handoff_id), actor=actor, at=decision.at)
            self._team_accepted = True
            if handed_over:
                self._status = CaseStatus.HANDED_OVER
                workflow.upsert_search_attributes([search_attributes.STATUS.value_set(self._status.value)])
                self._show_details()
            return
        await self._give_back(decision.handoff_id, decision.reason, actor=actor, at=decision.at)

    async def _take_back(self) -> None:
        """The hand-off ended without an answer: the case is its station's again, and the station hears why."""
        assert self._handoff_ended is not None
        handoff_id, how = self._handoff_ended
        self._handoff_ended = None
        async with self._acting:
            if (handoff_id != handoff_id_of(self._case_no, self._handoffs) or self._status != CaseStatus.FORWARDED
                    or self._team_accepted):
                return
            reason = f"การส่งต่อสิ้นสุดโดยไม่มีคำตอบจากทีม / the hand-off ended without the team's answer ({how})"
            await self._give_back(handoff_id, reason, actor="system", at=workflow.now())

    async def _give_back(self, handoff_id: str, reason: str | None, actor: str, at: datetime) -> None:
        self._status = CaseStatus.RETURNED
        self._waits_for_team = False
        await self._record(StatusChanged(status=CaseStatus.RETURNED, handoff_id=handoff_id, note=reason),
                           actor=actor, at=at)
        workflow.upsert_search_attributes([search_attributes.STATUS.value_set(self._status.value)])
        self._show_details()
        assert self._route is not None
        contacts = await workflow.execute_local_activity_method(
            Directory.officers_for_audiences,
            AudienceRequest(route=self._route, audiences=[Audience.STATION, Audience.CENTRE_191]),
            **options.STORE,
        )
        notice = BotMessage(prompt=Prompt.CASE_RETURNED, params={**self._place_params(), "case_no": self._case_no,
                                                                  "reason": reason or ""})
        await self._say([
            (partial(self._send, c.line_user_id, c.language, [notice], key=f"returned-{self._handoffs}-{c.officer_id}",
                     silent=False),
             MessageUndelivered(to="officer", officer_id=c.officer_id, prompt=notice.prompt.value))
            for c in contacts
        ])

    async def _reassign(self, action: OfficerAction) -> None:
        assert self._route is not None and action.station_id is not None
        try:
            station = await workflow.execute_local_activity_method(
                Directory.get_station, action.station_id, **options.STORE
            )
        except (ActivityError, ApplicationError):  # a local activity out of attempts raises its own error
            raise refusal("InvalidAction", "ไม่พบสถานีปลายทาง", "no such station") from None
        # The province decides who sees the case (its 191 centre, its commanders): a move across
        # provinces would need the case re-routed, not reassigned.
        if station.province_code != self._route.station.province_code:
            raise refusal("OutsideJurisdiction", "โอนได้เฉพาะสถานีในจังหวัดเดียวกัน", "reassign only within the province")
        self._route = Route(station=station, centre=self._route.centre, method="reassigned")
        officer = action.officer
        await self._record(Reassigned(station_id=station.station_id, officer_id=officer.officer_id,
                                      officer_role=officer.role, note=action.note),
                           actor=f"officer:{officer.officer_id}")
        if self._status == CaseStatus.NEW:
            alert = partial(self._alert, [Audience.STATION], self._escalation_level,
                            key=f"reassigned-{station.station_id}")
            if workflow.patched(MESSAGES_AFTER_ACTION):
                self._outbox.append(alert)  # the move is done; the new station hears after
            else:
                await alert()

    async def _answer_tap(self, tap: LineEvent) -> None:
        """Only a registered officer's tap counts; anyone else is told how to register."""
        officer, language = await asyncio.gather(
            workflow.execute_local_activity_method(
                Directory.find_officer_by_line_user, tap.user_id, **options.STORE
            ),
            line_language(tap.user_id),
        )
        language = language or Language.THAI
        if officer is None:
            await self._send(tap.user_id, language, [BotMessage(prompt=Prompt.NOT_AN_OFFICER)],
                             key=f"answer-{tap.event_id}", reply_to=tap)
            return
        postback = Postback.decode(tap.postback_data)
        code = postback.code if postback else None
        if code == REPLY_BUTTON and workflow.patched(RELAY_TO_OFFICERS):
            return  # the button opened the officer's keyboard; their typed answer comes as text
        await self._answer_line_request(OfficerLineRequest(
            event_id=tap.event_id, request=code if code in LINE_BUTTONS else "OPEN", officer=officer,
            line_user_id=tap.user_id, language=language,
        ), reply_to=tap)

    async def _answer_line_request(self, request: OfficerLineRequest, reply_to: LineEvent | None = None) -> None:
        reply = self._officer_sender(request, reply_to)
        # Case numbers run in sequence: a crafted Open must not walk every case in Thailand.
        # (Histories from before the check showed the case to anyone registered: they still do.)
        if (request.request == "OPEN" and not self._within_jurisdiction(request.officer)
                and workflow.patched("open-within-jurisdiction")):
            outside_th, outside_en = OUTSIDE_JURISDICTION
            await asyncio.gather(
                reply(BotMessage(prompt=Prompt.OFFICER_ACTION_REJECTED,
                                 params={"case_no": self._case_no, "reason_th": outside_th, "reason_en": outside_en})),
                workflow.execute_local_activity_method(
                    CaseStore.record_refused_view,
                    RefusedView(event_id=request.event_id, case_no=self._case_no,
                                officer_id=request.officer.officer_id),
                    **options.STORE,
                ),
            )
            return
        if request.request == "OPEN":
            await reply(BotMessage(prompt=Prompt.CASE_DETAIL, params=self._detail_params()))
            await self._record(CaseViewed(officer_id=request.officer.officer_id, via="line"),
                               actor=f"officer:{request.officer.officer_id}")
            return
        action = OfficerAction(kind=ActionKind(request.request), officer=request.officer, note=request.note)

        async def confirm(outcome: ActionOutcome) -> None:
            await reply(BotMessage(prompt=Prompt.OFFICER_ACTION_DONE, params={
                "case_no": self._case_no, "action": action.kind.value, "status": outcome.status.value}))

        try:
            await self._apply(action, also=confirm)
        except ApplicationError as refused:
            reasons = refused.details[0] if refused.details else {"th": refused.message, "en": refused.message}
            await reply(BotMessage(prompt=Prompt.OFFICER_ACTION_REJECTED,
                                   params={"case_no": self._case_no, "reason_th": reasons["th"],
                                           "reason_en": reasons["en"]}))
            return
        if workflow.patched(AUDIT_LINE_ACTIONS):
            await self._audit_line_action(LineActionTaken(event_id=request.event_id, case_no=self._case_no,
                                                          officer_id=request.officer.officer_id,
                                                          kind=action.kind.value))

    async def _audit_line_action(self, taken: LineActionTaken) -> None:
        """The audit log's entry for an action applied from LINE. The action stands whatever happens
        here: an entry the store refuses for good is a failed step, never "your action was refused"."""
        try:
            await workflow.execute_local_activity_method(CaseStore.record_line_action, taken, **options.STORE)
        except (ActivityError, ApplicationError) as error:
            await self._step_failed("LINE_ACTION_AUDITED", error)

    def _officer_sender(self, request: OfficerLineRequest,
                        reply_to: LineEvent | None) -> Callable[[BotMessage], Awaitable[None]]:
        async def send(message: BotMessage) -> bool:
            return await self._send(request.line_user_id, request.language, [message],
                                    key=f"answer-{request.event_id}", reply_to=reply_to)

        async def reply(message: BotMessage) -> None:
            await self._say([(partial(send, message), MessageUndelivered(
                to="officer", officer_id=request.officer.officer_id, prompt=message.prompt.value))])
        return reply

    # --- speaking and writing -----------------------------------------------------------------

    async def _alert(self, audiences: list[Audience], level: int, key: str) -> int:
        """How many officers LINE took the alert for; the timeline says who, and who not."""
        assert self._route is not None
        contacts = await workflow.execute_local_activity_method(
            Directory.officers_for_audiences,
            AudienceRequest(route=self._route, audiences=audiences),
            **options.STORE,
        )
        alert = BotMessage(prompt=Prompt.CASE_ALERT, params=self._alert_params(level))
        delivered = await asyncio.gather(*(
            self._send(contact.line_user_id, contact.language, [alert], key=f"{key}-{contact.officer_id}", silent=False)
            for contact in contacts
        ))
        reached: list[int] = []
        undelivered: list[int] = []
        for contact, ok in zip(contacts, delivered, strict=True):
            (reached if ok else undelivered).append(contact.officer_id)
            if ok:
                self._alerted[contact.officer_id] = contact
        # officer_ids empty: this rung reached nobody (nobody linked, or LINE took none of them).
        await self._record(Alerted(level=level, audiences=audiences, officer_ids=reached, reached=len(reached),
                                   undelivered_ids=undelivered))
        return len(reached)

    def _to_reporter(self, prompt: Prompt, **params: str) -> Message:
        return partial(self._tell_reporter, prompt, **params), MessageUndelivered(to="reporter", prompt=prompt.value)

    async def _tell_reporter(self, prompt: Prompt, **params: str) -> bool:
        reporter = self._opening.reporter
        self._told_reporter += 1  # each message its own key: a shared one would make LINE drop it as a repeat
        return await self._send(reporter.user_id, reporter.language,
                                [BotMessage(prompt=prompt, params={"case_no": self._case_no, **params})],
                                key=f"reporter-{self._told_reporter}")

    async def _say(self, messages: list[Message]) -> None:
        """What an action or a tap makes the case say: queued for the sender, so nobody waits on
        LINE. (Histories from before sent it at once, inside the action: they still do.)"""
        if not messages:
            return
        if workflow.patched(MESSAGES_AFTER_ACTION):
            self._outbox.append(partial(self._deliver, messages))
            return
        await asyncio.gather(*(send() for send, _ in messages))

    async def _deliver(self, messages: list[Message]) -> None:
        """Sends side by side; what LINE never took after its retries is recorded on the case by
        whom it was for (a role, an officer id) and what it said, never by LINE user id."""
        delivered = await asyncio.gather(*(send() for send, _ in messages))
        for ok, (_, whom) in zip(delivered, messages, strict=True):
            if not ok:
                await self._record(whom)

    async def _send(self, user_id: str, language: Language, messages: list[BotMessage], key: str,
                    silent: bool = True, reply_to: LineEvent | None = None) -> bool:
        """False when LINE never took it, after its retries."""
        if not await send_line(user_id, language, messages, key, silent=silent, reply_to=reply_to):
            workflow.logger.warning("a LINE message of case %s could not be delivered", self._case_no)
            return False
        return True

    async def _attach(self, message: ReporterMessage) -> None:
        """Keeps the message on the case; a file LINE will not give, after a few attempts, is
        recorded as failed (its type and why, nothing the reporter said) and the case hears on."""
        key = reporter_message_key(self._case_no, message.event_id)
        attachment_id: int | None = None
        if message.message_type in MEDIA_MESSAGES and message.message_id:
            attachment_id, failure = await keep_reporter_file(self._case_no, key, message.message_id,
                                                              message.received_at)
            if failure is not None:
                await self._record(AttachmentFailed(message_type=message.message_type, reason=failure),
                                   actor="reporter", key=f"{key}:failed", at=message.received_at)
                self._pass_on(message, attachment_id=None)
                return
        self._attached += 1
        await self._record(ReporterWrote(message_type=message.message_type, attachment_id=attachment_id,
                                         text=message.text or None, location=message.location),
                           actor="reporter", key=key, at=message.received_at)
        self._pass_on(message, attachment_id)

    def _pass_on(self, message: ReporterMessage, attachment_id: int | None) -> None:
        """The reporter's every word reaches the officers who hold the case, from the sender, so a
        slow LINE holds up nothing. (Cases from before kept the message on the case only: they still do.)"""
        if workflow.patched(RELAY_TO_OFFICERS):
            self._outbox.append(partial(self._relay, message, attachment_id))

    async def _relay(self, message: ReporterMessage, attachment_id: int | None) -> None:
        """To the officer who acknowledged, on LINE; while nobody has (or they cannot be reached
        there), to every officer the ladder has alerted so far. With sound: someone is in danger."""
        bubbles = []
        if attachment_id is not None and message.message_type == "image":
            bubbles.append(BotMessage(prompt=Prompt.REPORTER_PHOTO,
                                      params={"case_no": self._case_no, "attachment_id": attachment_id}))
        if message.location is not None:
            bubbles.append(BotMessage(prompt=Prompt.REPORTER_PLACE, params={
                "case_no": self._case_no, "latitude": message.location.latitude,
                "longitude": message.location.longitude, "address": message.location.address}))
        bubbles.append(BotMessage(prompt=Prompt.REPORTER_SAYS, params={
            "case_no": self._case_no, "message_type": message.message_type, "text": message.text,
            "failed": message.message_type in MEDIA_MESSAGES and attachment_id is None}))
        await self._deliver([
            (partial(self._send, holder.line_user_id, holder.language, bubbles,
                     key=f"relay-{message.event_id}-{holder.officer_id}", silent=False),
             MessageUndelivered(to="officer", officer_id=holder.officer_id, prompt=Prompt.REPORTER_SAYS.value))
            for holder in await self._holders()
        ])

    async def _holders(self) -> list[OfficerContact]:
        if self._acknowledged_by is not None:
            holder = self._alerted.get(self._acknowledged_by) or await workflow.execute_local_activity_method(
                Directory.officer_contact, self._acknowledged_by, **options.STORE)
            if holder is not None:
                self._alerted[holder.officer_id] = holder
                return [holder]
        return list(self._alerted.values())

    async def _record(self, event: CaseTimelineEvent, actor: str = "system", key: str | None = None,
                      at: datetime | None = None) -> None:
        """On the case's timeline, under a key of its own; the case row follows what the event says. An
        entry the store refuses for good (our own bug, never a blip: those are retried) is recorded as a
        failed step, counted and logged, and the case goes on without it."""
        self._events += 1
        try:
            await workflow.execute_local_activity_method(
                CaseStore.append_case_event,
                TimelineEntry(key=key or f"{self._case_no}:{self._events}:{event.kind}", case_no=self._case_no,
                              at=at or workflow.now(), actor=actor, event=event),
                **options.STORE,
            )
        except (ActivityError, ApplicationError) as error:  # a local activity out of attempts raises the latter
            await self._step_failed(event.kind, error, record=not isinstance(event, StepFailed))

    async def _step_failed(self, step: str, error: ActivityError | ApplicationError, record: bool = True) -> None:
        """A step that failed for good: logged, counted and (unless it is itself that entry) on the
        timeline; the case goes on without it."""
        failure = options.failure_type(error) if isinstance(error, ActivityError) else error.type or "Error"
        workflow.logger.error("case %s: the step %s failed for good (%s)", self._case_no, step, failure)
        workflow.metric_meter().create_counter(
            "ess_workflow_step_failures", "Workflow steps that failed for good and were skipped",
        ).add(1, {"workflow": "case", "step": step})
        if record:
            await self._record(StepFailed(step=step, error=failure))

    def _first_time(self, event_id: str) -> bool:
        if event_id in self._seen_event_ids:
            return False
        self._seen_event_ids[event_id] = None
        return True

    def _alert_params(self, level: int) -> dict[str, Any]:
        report = self._opening.report
        phone = report.phone
        return {
            **self._place_params(),
            "case_no": self._case_no,
            "level": level,
            "reported_at": report.reported_at.isoformat(),
            "latitude": report.location.latitude,
            "longitude": report.location.longitude,
            "address": report.location.address,
            "phone_e164": phone.e164 if phone else None,
            "phone_national": phone.national if phone else None,
            "complete": report.complete,
            "review_flag": self._review_flag,
            "notes": [note.text for note in report.notes],  # what the reporter wrote beside the answers
        }

    def _detail_params(self) -> dict[str, Any]:
        report = self._opening.report
        return {
            **self._place_params(),
            "case_no": self._case_no,
            "status": self._status.value,
            "reported_at": report.reported_at.isoformat(),
            "phone": report.phone.national if report.phone else None,
            "messages": self._attached,
        }

    def _place_params(self) -> dict[str, Any]:
        report = self._opening.report
        return {
            "incident_th": report.incident_type.label_th if report.incident_type else None,
            "incident_en": report.incident_type.label_en if report.incident_type else None,
            "place_th": report.place.describe(Language.THAI),
            "place_en": report.place.describe(Language.ENGLISH),
        }

    def _show_details(self) -> None:
        """The case at a glance in the Temporal UI: no personal data."""
        report = self._opening.report
        lines = [
            f"**{self._case_no}** — {self._status.value}",
            f"ประเภท: {report.incident_type.label_th if report.incident_type else 'ไม่ระบุ'}",
            f"จังหวัด: {report.place.province_name_th or 'ไม่ทราบ'} / อำเภอ: {report.place.district_name_th or 'ไม่ทราบ'}",
            "ข้อมูลครบ" if report.complete else "ข้อมูลไม่ครบ (ผู้แจ้งเงียบไปหลังปักหมุด)",
        ]
        workflow.set_current_details("\n\n".join(lines))
