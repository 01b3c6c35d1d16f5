"""One hand-off: a forwarded case in the hands of its province's multidisciplinary team.

The story: keep the hand-off in the read model and ask the reporter, through the bot, whether the
team may contact them. Alert the team at once; while nobody accepts, remind it at half and three
quarters of its time to accept (a service level administrators set), then tell the head of the
provincial office, then the national desk. A member accepts, naming the case worker, or hands the
case back to the police with a reason; either way the forwarding case hears it at once. A member may
also accept with one tap on the alert's button, becoming the case worker. In care the
team plans follow-ups, each reminded before it is due and again when overdue, and records their
outcomes, until the care closes with an outcome category and a note, which the police side sees on
its case. The hand-off outlives its case (it is started with parent-close policy ABANDON). The
reporter hears from it only if they agreed to be contacted; what the reporter writes to the team later
is kept on the hand-off's timeline and, once the team has accepted and with that consent, relayed to the
case worker.

Care runs for months: when Temporal suggests it, or the run's history passes HISTORY_BUDGET events, the
hand-off stops taking new work, lets the actions and sends under way finish, and continues as new under
the same workflow id with its whole state (HandoffState), so timers resume at the same absolute times and
nothing that came in is lost. A step that fails for good (a write the store refuses, a lookup that keeps
failing) is recorded on the timeline, counted (ess_workflow_step_failures) and logged, and the hand-off
goes on: it never dies of one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseStore
    from activities.handoffs import DEFAULT_TEAM_ACCEPT_MINUTES, HandoffStore
    from activities.team_directory import TeamDirectory
    from domain.case_timeline import CareClosed, TimelineEntry
    from domain.handoff import (
        FINAL_HANDOFF_STATUSES,
        TEAM_NEEDS_NOTE,
        TRANSFER_ANSWERS,
        ApprovalRequest,
        ApprovalSubject,
        CareOutcome,
        Consent,
        FollowUp,
        FollowUpKind,
        FollowUpStatus,
        HandoffDecision,
        HandoffOpened,
        HandoffOpening,
        HandoffOutcome,
        HandoffState,
        HandoffStatus,
        IllegalTeamAction,
        Referral,
        ReferralAnswer,
        ReferralPlan,
        TeamAction,
        TeamActionKind,
        TeamAudience,
        TeamAudienceRequest,
        TeamContact,
        TeamMember,
        TeamRole,
        TeamRung,
        TransferRequest,
        acceptance_ladder,
        decision_id_of,
        follow_up_reminders,
        handoff_status_after,
        in_team_of,
        supervises,
    )
    from domain.handoff_timeline import (
        Accepted,
        ApprovalGiven,
        ApprovalRequested,
        ApprovalWithdrawn,
        Assigned,
        CaseNotTold,
        ConsentAnswered,
        Escalated,
        FollowUpMoved,
        FollowUpPlanned,
        FollowUpRecorded,
        FollowUpReminded,
        HandoffClosed,
        HandoffTimelineEntry,
        HandoffTimelineEvent,
        PersonDescribed,
        ReferralAnswered,
        Referred,
        Rejected,
        ReporterMessaged,
        ReporterTold,
        ReporterWrote,
        RiskAssessed,
        SentBack,
        StepFailed,
        TeamAlerted,
        TeamNoted,
        TeamReminded,
        TransferAccepted,
        TransferAlerted,
        TransferDeclined,
        TransferRequested,
    )
    from domain.models import BotMessage, CaseStatus, Language, LineEvent, Prompt, ReporterMessage
    from domain.postbacks import APPROVE_TAP, Postback
    from domain.risk import HIGH_RISK_FOLLOW_UP_WITHIN, REVIEW_AFTER, RiskAssessment, RiskLevel, suggested_level
    from orchestration import options, search_attributes
    from orchestration.ids import case_workflow_id
    from workflows.line_profile import line_language
    from workflows.speaking import refusal, send_line

# The reporter's answers, as the consent question's buttons carry them.
CONSENT_ANSWERS = {"YES": Consent.GIVEN, "NO": Consent.REFUSED}
# A tap that failed for no reason the member can act on.
TRY_THE_BACK_OFFICE = {"th": "ลองอีกครั้งในระบบหลังบ้าน", "en": "try again in the back office"}
# A run continues as new past this many history events (Temporal warns at 10,240 and stops at 51,200).
HISTORY_BUDGET = 10_000
# The patches: continuing as new (hand-offs from before never did), and going on after a step that
# failed for good (hand-offs from before failed there).
CONTINUE_AS_NEW = "continue-as-new"
DEGRADE_NEVER_DIE = "degrade-never-die"
# ... the first risk assessment planned at acceptance, and a case worker's closing waiting for a supervisor
# (hand-offs from before did neither).
FIRST_RISK_REVIEW = "first-risk-review"
SUPERVISED_CLOSING = "supervised-closing"
# The first risk assessment is due this long after the team accepts.
FIRST_ASSESSMENT_WITHIN = timedelta(hours=24)
# How many of the latest event ids a run keeps, and hands on, to answer a redelivered event once.
SEEN_EVENTS_KEPT = 1000
T = TypeVar("T")


def _failure_type(error: ActivityError | ApplicationError) -> str:
    """Why a step failed, as the timeline and the log may name it: the error's type, never its message."""
    cause = error.cause if isinstance(error, ActivityError) else error
    return cause.type if isinstance(cause, ApplicationError) and cause.type else type(cause).__name__


def _reasons(error: Exception) -> dict[str, str] | None:
    """A refusal's reasons in both languages, as workflows.speaking.refusal gives them."""
    details = error.details if isinstance(error, ApplicationError) else ()
    reasons = details[0] if details else None
    return reasons if isinstance(reasons, dict) and {"th", "en"} <= reasons.keys() else None


@workflow.defn
class HandoffWorkflow:
    @workflow.init
    def __init__(self, opening: HandoffOpening, state: HandoffState | None = None) -> None:
        # The SDK applies the parameters' types only when every argument came: a hand-off started (or
        # recorded) with its opening alone gets it as a plain dict.
        if isinstance(opening, dict):
            opening = HandoffOpening.model_validate(opening)
        self._opening = opening
        self._id = opening.handoff_id
        self._status = HandoffStatus.AWAITING
        self._consent = Consent.ASKED
        self._consent_asked = False
        self._case_worker_id: int | None = None
        self._follow_ups: list[FollowUp] = []
        self._reminded: set[tuple[int, str]] = set()
        self._plan_version = 0  # moves whenever the care plan changes: the reminders look again
        self._taps: deque[LineEvent] = deque()  # the reporter's consent answers and the team's buttons
        self._messages: deque[ReporterMessage] = deque()  # what the reporter wrote to the team
        self._seen_event_ids: dict[str, None] = {}  # in the order they came (a dict keeps it)
        self._acting = asyncio.Lock()
        self._events = 0
        self._escalation_level = 0
        self._rungs_done = 0
        self._told_reporter_in_care = False
        self._run = 1
        self._budget = opening.history_budget or HISTORY_BUDGET
        self._draining = False  # handing over to a new run: the loops take no new work
        self._risk_level: RiskLevel | None = None
        self._approvals: list[ApprovalRequest] = []  # waiting for a supervisor
        self._referrals: list[Referral] = []
        self._province_code = opening.province_code  # the team in charge: another after a transfer
        self._transfer: TransferRequest | None = None
        self._offering: asyncio.Task[None] | None = None  # the receiving team's ladder
        if state is not None:
            self._resume(state)

    def _resume(self, state: HandoffState) -> None:
        """Where the previous run left off."""
        self._run = state.run + 1
        self._status, self._consent, self._consent_asked = state.status, state.consent, state.consent_asked
        self._case_worker_id = state.case_worker_id
        self._follow_ups = list(state.follow_ups)
        self._reminded = set(state.reminded)
        self._accept_within, self._accept_due_at = state.accept_within, state.accept_due_at
        self._rungs_done, self._escalation_level = state.rungs_done, state.escalation_level
        self._told_reporter_in_care = state.told_reporter_in_care
        self._events = state.events
        self._seen_event_ids = dict.fromkeys(state.seen_event_ids)
        self._taps = deque(state.taps)
        self._messages = deque(state.reporter_messages)
        self._budget = state.history_budget or self._budget
        self._risk_level, self._approvals = state.risk_level, list(state.approvals)
        self._referrals = list(state.referrals)
        self._province_code = state.province_code or self._province_code
        self._transfer = state.transfer

    def _state(self) -> HandoffState:
        """Everything the next run needs, taken once this run's handlers have finished."""
        return HandoffState(
            run=self._run, status=self._status, consent=self._consent, consent_asked=self._consent_asked,
            case_worker_id=self._case_worker_id, follow_ups=self._follow_ups, reminded=sorted(self._reminded),
            accept_within=self._accept_within, accept_due_at=self._accept_due_at, rungs_done=self._rungs_done,
            escalation_level=self._escalation_level, told_reporter_in_care=self._told_reporter_in_care,
            events=self._events, seen_event_ids=list(self._seen_event_ids)[-SEEN_EVENTS_KEPT:],
            taps=list(self._taps), reporter_messages=list(self._messages),
            history_budget=self._opening.history_budget, risk_level=self._risk_level, approvals=self._approvals,
            referrals=self._referrals, province_code=self._province_code, transfer=self._transfer,
        )

    # --- what comes in --------------------------------------------------------------------

    @workflow.signal
    def reporter_consent(self, event: LineEvent) -> None:
        """The reporter's yes / no to being contacted, handed over by the webhook."""
        self._take_tap(event)

    @workflow.signal
    def team_tap(self, event: LineEvent) -> None:
        """A team member's accept button on this hand-off's alert, handed over by the webhook: the
        hand-off itself finds out who tapped it."""
        self._take_tap(event)

    @workflow.signal
    def reporter_message(self, message: ReporterMessage) -> None:
        """What the reporter wrote after the police part ended, handed over by their conversation: kept
        on the hand-off's timeline; relayed to the case worker once the team has accepted, if the
        reporter agreed to be contacted."""
        if self._first_time(message.event_id):
            self._messages.append(message)

    def _take_tap(self, event: LineEvent) -> None:
        if self._first_time(event.event_id):
            self._taps.append(event)

    def _first_time(self, event_id: str) -> bool:
        """A LINE event is acted on once, however often it is redelivered."""
        if event_id in self._seen_event_ids:
            return False
        self._seen_event_ids[event_id] = None
        if len(self._seen_event_ids) > 2 * SEEN_EVENTS_KEPT:  # bounded, in this run as in the next
            for old in list(self._seen_event_ids)[:SEEN_EVENTS_KEPT]:
                del self._seen_event_ids[old]
        return True

    @workflow.update
    async def act(self, action: TeamAction) -> HandoffOutcome:
        return await self._apply(action)

    @act.validator
    def _validate_act(self, action: TeamAction) -> None:
        self._check(action)

    @workflow.query
    def status(self) -> HandoffStatus:
        return self._status

    @workflow.query
    def consent(self) -> Consent:
        return self._consent

    @workflow.query
    def care_plan(self) -> list[FollowUp]:
        return self._follow_ups

    # --- the story ---------------------------------------------------------------------------

    @workflow.run
    async def run(self, opening: HandoffOpening, state: HandoffState | None = None) -> HandoffStatus:
        opening = self._opening  # typed (the argument may have come as a plain dict)
        self._show_details()
        if state is None:
            minutes = await self._safely("team_accept_minutes", workflow.execute_local_activity_method(
                HandoffStore.team_accept_minutes, **options.STORE), DEFAULT_TEAM_ACCEPT_MINUTES)
            self._accept_within = timedelta(minutes=minutes)
            self._accept_due_at = opening.forwarded_at + self._accept_within
            await self._safely("record_handoff_opened", workflow.execute_local_activity_method(
                HandoffStore.record_handoff_opened, HandoffOpened(opening=opening, accept_due_at=self._accept_due_at),
                **options.STORE,
            ), None)
        listening = asyncio.create_task(self._keep_listening())
        watching = asyncio.create_task(self._watch_history())
        await asyncio.gather(self._ask_consent(), self._await_acceptance(self._accept_within))
        if self._transfer is not None:  # offered to another team in an earlier run
            self._offering = asyncio.create_task(self._offer_transfer(self._transfer))
        if self._status == HandoffStatus.IN_CARE and not self._draining:
            await self._care()
        await listening
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._draining and self._status in FINAL_HANDOFF_STATUSES:
            # The team closed the care (or handed it back) while this run was handing over: no new run
            # for a hand-off that is over; what came in meanwhile is answered here.
            self._draining = False
            await self._keep_listening()
            await workflow.wait_condition(workflow.all_handlers_finished)
        if self._draining:
            # Nothing is under way now: what came in and was not handled yet goes on in the state.
            workflow.logger.info("hand-off %s continues as new after run %d", self._id, self._run)
            workflow.continue_as_new(args=[opening, self._state()])
        watching.cancel()
        return self._status

    def _history_full(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > self._budget

    async def _watch_history(self) -> None:
        """Hands over to a new run when this one's history is long enough; not once the team is done
        (the hand-off is about to end)."""
        await workflow.wait_condition(lambda: self._status in FINAL_HANDOFF_STATUSES or self._history_full())
        if self._status not in FINAL_HANDOFF_STATUSES and workflow.patched(CONTINUE_AS_NEW):
            self._draining = True

    async def _ask_consent(self) -> None:
        if self._consent_asked:
            return
        await self._tell_reporter(Prompt.CONSENT_QUESTION, key="consent-question", handoff_id=self._id)
        self._consent_asked = True

    async def _await_acceptance(self, accept_within: timedelta) -> None:
        def answered_or_handing_over() -> bool:
            return self._status != HandoffStatus.AWAITING or self._draining

        if answered_or_handing_over():
            return  # a member accepted while the hand-off was being recorded, or in an earlier run
        for index, rung in enumerate(acceptance_ladder(accept_within)):
            if index < self._rungs_done:
                continue  # alerted in an earlier run
            wait = self._opening.forwarded_at + rung.after - workflow.now()
            if wait.total_seconds() > 0:
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(answered_or_handing_over, timeout=wait)
            if answered_or_handing_over():
                return  # a member accepted or handed it back: no more reminders (or the next run's)
            if rung.level > self._escalation_level:
                self._escalation_level = rung.level
                workflow.upsert_search_attributes([search_attributes.ESCALATION_LEVEL.value_set(rung.level)])
                await self._record(Escalated(level=rung.level))
            await self._alert_team(rung)
            self._rungs_done = index + 1
        await workflow.wait_condition(answered_or_handing_over)

    async def _care(self) -> None:
        """Reminds follow-ups as they come due, until the care closes (or a new run takes over)."""
        while self._status == HandoffStatus.IN_CARE and not self._draining:
            version = self._plan_version

            def changed(version: int = version) -> bool:
                return self._status != HandoffStatus.IN_CARE or self._plan_version != version or self._draining

            next_reminder = self._next_reminder()
            if next_reminder is None:
                await workflow.wait_condition(changed)
                continue
            follow_up, what, at = next_reminder
            wait = at - workflow.now()
            if wait.total_seconds() > 0:
                try:
                    await workflow.wait_condition(changed, timeout=wait)
                    continue
                except TimeoutError:
                    pass
            self._reminded.add((follow_up.number, what))
            await self._remind(follow_up, what)

    def _next_reminder(self) -> tuple[FollowUp, str, datetime] | None:
        due = [(at, follow_up.number, what, follow_up)
               for follow_up in self._follow_ups
               for what, at in follow_up_reminders(follow_up)
               if (follow_up.number, what) not in self._reminded]
        if not due:
            return None
        at, _, what, follow_up = min(due, key=lambda item: (item[0], item[1]))
        return follow_up, what, at

    async def _keep_listening(self) -> None:
        """The reporter's answers and the team's taps, in the order they came, and what the reporter
        wrote to the team, for as long as the hand-off runs; when a new run takes over, what is left
        goes to it."""
        while True:
            await workflow.wait_condition(lambda: bool(self._taps) or bool(self._messages) or self._draining
                                          or self._status in FINAL_HANDOFF_STATUSES)
            if self._draining:
                return
            if self._taps:
                tap = self._taps.popleft()
                postback = Postback.decode(tap.postback_data)
                if postback is not None and postback.action == "team":
                    await self._answer_team_tap(tap, postback)
                else:
                    await self._answer_consent(tap)
            elif self._messages:
                await self._hear_reporter(self._messages.popleft())
            else:
                return

    async def _hear_reporter(self, message: ReporterMessage) -> None:
        """Kept on the timeline; with the reporter's consent and the team in charge, relayed at once,
        with sound, to the case worker (or, when nobody can reach them on LINE, to the team)."""
        reached: list[int] = []
        if self._status == HandoffStatus.IN_CARE and self._consent == Consent.GIVEN:
            params = {"case_no": self._opening.case_no, "status": CaseStatus.HANDED_OVER.value,
                      "message_type": message.message_type, "text": message.text,
                      "latitude": message.location.latitude if message.location else None,
                      "longitude": message.location.longitude if message.location else None}
            key = f"reporter-message-{message.event_id}"
            reached = await self._tell_members([self._case_worker_id] if self._case_worker_id else [],
                                               Prompt.CASE_FOLLOW_UP, params, key=key)
            if not reached:
                contacts = await self._contacts([TeamAudience.TEAM])
                await self._send_to(contacts, Prompt.CASE_FOLLOW_UP, params, key=key)
                reached = [c.member_id for c in contacts]
        await self._record(ReporterWrote(message_type=message.message_type, text=message.text,
                                         message_id=message.message_id, location=message.location,
                                         member_ids=reached), actor="reporter")

    async def _answer_consent(self, event: LineEvent) -> None:
        postback = Postback.decode(event.postback_data)
        consent = CONSENT_ANSWERS.get(postback.code or "") if postback else None
        # Only the reporter answers for the reporter.
        if event.user_id != self._opening.reporter.user_id or consent is None:
            workflow.logger.warning("hand-off %s ignored a consent answer it cannot use", self._id)
            return
        self._consent = consent
        await self._record(ConsentAnswered(consent=consent), actor="reporter")
        await self._send(self._opening.reporter.user_id, self._opening.reporter.language,
                         [BotMessage(prompt=Prompt.CONSENT_THANKS,
                                     params={"case_no": self._opening.case_no, "consent": consent.value})],
                         key=f"answer-{event.event_id}", reply_to=event)
        if self._status == HandoffStatus.IN_CARE:
            await self._tell_reporter_in_care()

    async def _answer_team_tap(self, tap: LineEvent, postback: Postback) -> None:
        """Accepts for the member who tapped, as the back office would with them as case worker;
        anyone else hears why not. Nothing here may fail the workflow: every refusal is an answer."""
        if (postback.code or "").startswith(APPROVE_TAP):
            await self._answer_approval_tap(tap, postback)
            return
        if postback.code != TeamActionKind.ACCEPT.value:
            workflow.logger.warning("hand-off %s ignored a team button it does not know", self._id)
            return
        reply = self._replier(tap)
        try:
            member = await self._tapping_member(tap, reply)
            if member is None:
                return
            action = TeamAction(kind=TeamActionKind.ACCEPT, member=member)
            self._check(action)
            if member.role == TeamRole.NATIONAL_DESK:
                await reply(Prompt.HANDOFF_NEEDS_BACK_OFFICE)  # they must name a case worker of the province
                return
            await self._apply(action, also=lambda: reply(Prompt.HANDOFF_ACCEPTED_BY_TAP))
        except (ActivityError, ApplicationError) as refused:  # _check's refusals; a local activity out of attempts
            if isinstance(refused, ApplicationError) and refused.type == "IllegalTeamAction":
                await reply(Prompt.HANDOFF_TAKEN, status=self._status.value)  # only AWAITING can be accepted
                return
            reasons = _reasons(refused)
            if reasons is None:
                workflow.logger.warning("hand-off %s could not accept on a tap: %s", self._id, type(refused).__name__)
                reasons = TRY_THE_BACK_OFFICE
            await reply(Prompt.HANDOFF_TAP_REFUSED, reason_th=reasons["th"], reason_en=reasons["en"])

    def _replier(self, tap: LineEvent, **facts: object) -> Callable[..., Awaitable[None]]:
        """Answers a team member's tap in their LINE language, looked up meanwhile."""
        language = asyncio.create_task(line_language(tap.user_id))

        async def reply(prompt: Prompt, **params: object) -> None:
            about = {"case_no": self._opening.case_no, "handoff_id": self._id, "path": self._path(), **facts}
            await self._send(tap.user_id, await language or Language.THAI,
                             [BotMessage(prompt=prompt, params={**about, **params})],
                             key=f"answer-{tap.event_id}", reply_to=tap)
        return reply

    async def _tapping_member(self, tap: LineEvent, reply: Callable[..., Awaitable[None]]) -> TeamMember | None:
        """Who tapped, as the directory knows them; someone on no team hears so (None)."""
        member = await workflow.execute_local_activity_method(TeamDirectory.team_member_by_line, tap.user_id,
                                                              **options.STORE)
        if member is None:
            workflow.logger.info("hand-off %s: a tap from a LINE account on no team", self._id)
            await reply(Prompt.NOT_A_TEAM_MEMBER)
        return member

    async def _answer_approval_tap(self, tap: LineEvent, postback: Postback) -> None:
        """A supervisor's approval from the request's button, as the back office would approve it;
        anyone else, or a request already answered, hears why not. Every refusal is an answer."""
        subject = (postback.code or "").removeprefix(APPROVE_TAP)
        if subject not in ApprovalSubject.__members__:
            workflow.logger.warning("hand-off %s ignored an approval button it does not know", self._id)
            return
        reply = self._replier(tap, subject=subject)
        try:
            member = await self._tapping_member(tap, reply)
            if member is None:
                return
            action = TeamAction(kind=TeamActionKind.APPROVE, member=member, subject=ApprovalSubject(subject))
            self._check(action)
            await self._apply(action, also=lambda: reply(Prompt.APPROVED_BY_TAP))
        except (ActivityError, ApplicationError) as refused:
            if isinstance(refused, ApplicationError) and refused.type == "IllegalTeamAction":
                await reply(Prompt.HANDOFF_TAKEN, status=self._status.value)  # the care has closed
                return
            reasons = _reasons(refused) or TRY_THE_BACK_OFFICE
            await reply(Prompt.APPROVAL_TAP_REFUSED, reason_th=reasons["th"], reason_en=reasons["en"])

    # --- the team's actions ------------------------------------------------------------------

    def _check(self, action: TeamAction) -> None:
        """Refuses, before anything is written, what this member may not do to this hand-off now."""
        if action.kind in TRANSFER_ANSWERS:
            self._check_transfer_answer(action)
        elif not in_team_of(action.member, self._province_code):
            raise refusal("OutsideTeam", "เรื่องนี้เป็นของทีมจังหวัดอื่น", "this hand-off belongs to another province's team")
        try:
            handoff_status_after(self._status, action.kind)
        except IllegalTeamAction as error:
            raise refusal("IllegalTeamAction", f"สถานะการส่งต่อตอนนี้คือ {self._status.value}", str(error)) from None
        if action.kind in TEAM_NEEDS_NOTE and not (action.note or "").strip():
            raise refusal("InvalidAction", "ต้องมีบันทึกประกอบ", f"{action.kind.value} needs a note")
        if action.kind == TeamActionKind.ASSIGN and action.case_worker_id is None:
            raise refusal("InvalidAction", "ต้องเลือกผู้ดูแล", "ASSIGN needs a case worker")
        if action.kind == TeamActionKind.PLAN:
            self._check_plan(action)
        if action.kind == TeamActionKind.RECORD:
            follow_up = self._planned(action.follow_up_number)
            if follow_up is None:
                raise refusal("InvalidAction", "ไม่พบการติดตามที่ยังค้างอยู่", "no planned follow-up with that number")
            if follow_up.kind == FollowUpKind.RISK_REVIEW:
                raise refusal("InvalidAction", "การทบทวนความเสี่ยงบันทึกด้วยแบบประเมินความเสี่ยง",
                              "a risk review is recorded by assessing the risk")
            if self._referral(follow_up.number) is not None:
                raise refusal("InvalidAction", "บันทึกคำตอบของหน่วยงานที่ส่งต่อแทน",
                              "record the agency's answer to the referral instead")
        if action.kind == TeamActionKind.REFER:
            referral = action.referral
            if referral is None:
                raise refusal("InvalidAction", "ต้องเลือกหน่วยงานที่ส่งต่อ", "REFER needs the agency")
            if referral.due_at.tzinfo is None or referral.due_at <= workflow.now():
                raise refusal("InvalidAction", "กำหนดคำตอบต้องเป็นเวลาในอนาคต", "the answer must be due in the future")
        if action.kind == TeamActionKind.ANSWER_REFERRAL:
            waiting = self._referral(action.follow_up_number)
            if waiting is None or waiting.answer is not None:
                raise refusal("InvalidAction", "ไม่พบการส่งต่อที่รอคำตอบ",
                              "no referral with that number waits for an answer")
            if action.referral_answer is None:
                raise refusal("InvalidAction", "ต้องระบุคำตอบของหน่วยงาน", "ANSWER_REFERRAL needs the answer")
            if action.referral_answer == ReferralAnswer.DECLINED and not (action.note or "").strip():
                raise refusal("InvalidAction", "ต้องระบุเหตุผลที่หน่วยงานปฏิเสธ", "a declined referral needs the reason")
        if action.kind == TeamActionKind.TRANSFER:
            if action.to_province_code is None or action.to_province_code == self._province_code:
                raise refusal("InvalidAction", "ต้องเลือกจังหวัดอื่นที่จะโอนการดูแลไป", "TRANSFER needs another province")
            if self._transfer is not None:
                raise refusal("InvalidAction", "รอทีมจังหวัดอื่นตอบการขอโอนอยู่แล้ว", "a transfer already waits for an answer")
        if action.kind == TeamActionKind.CLOSE and self._transfer is not None:
            raise refusal("InvalidAction", "รอทีมจังหวัดอื่นตอบการขอโอนอยู่ ปิดการดูแลไม่ได้",
                          "a transfer waits for an answer: the care cannot close now")
        if action.kind == TeamActionKind.MESSAGE_REPORTER and self._consent != Consent.GIVEN:
            raise refusal("InvalidAction", "ผู้แจ้งไม่ได้ยินยอมให้ติดต่อ", "the reporter has not agreed to be contacted")
        if action.kind == TeamActionKind.CLOSE:
            if action.outcome is None:
                raise refusal("InvalidAction", "ต้องระบุผลการดูแล", "CLOSE needs an outcome category")
            if self._waiting(ApprovalSubject.CLOSURE) is not None:
                raise refusal("InvalidAction", "การปิดการดูแลรอหัวหน้าอนุมัติอยู่แล้ว",
                              "a closing already waits for the supervisor's approval")
        if action.kind == TeamActionKind.ASSESS_RISK:
            if action.risk is None:
                raise refusal("InvalidAction", "ต้องตอบแบบประเมินความเสี่ยง", "ASSESS_RISK needs the assessment")
            if not action.risk.reason.strip():
                raise refusal("InvalidAction", "ต้องระบุเหตุผลของระดับความเสี่ยง", "a risk level needs its reason")
        if action.kind in (TeamActionKind.APPROVE, TeamActionKind.SEND_BACK):
            if not supervises(action.member):
                raise refusal("NotSupervisor", "เฉพาะหัวหน้าสำนักงานหรือศูนย์ส่วนกลางที่อนุมัติได้",
                              "only the office head or the national desk approves")
            if action.subject is None or self._waiting(action.subject) is None:
                raise refusal("InvalidAction", "ไม่มีเรื่องรออนุมัตินี้แล้ว", "nothing of that kind waits for approval")
        if action.kind == TeamActionKind.DESCRIBE_PERSON:
            if action.person is None:
                raise refusal("InvalidAction", "ต้องระบุข้อมูลผู้ได้รับความช่วยเหลือ", "DESCRIBE_PERSON needs the person")
            if not action.person_agreed:
                raise refusal("InvalidAction", "ผู้ได้รับความช่วยเหลือหรือผู้ปกครองต้องยินยอมก่อนบันทึก",
                              "the person helped, or their guardian, must agree to the record first")

    def _check_transfer_answer(self, action: TeamAction) -> None:
        if self._transfer is None:
            raise refusal("InvalidAction", "ไม่มีการขอโอนที่รอคำตอบ", "no transfer waits for an answer")
        if not in_team_of(action.member, self._transfer.to_province_code):
            raise refusal("OutsideTeam", "การขอโอนนี้เป็นของทีมจังหวัดอื่น",
                          "this transfer is offered to another province's team")

    def _check_plan(self, action: TeamAction) -> None:
        plan = action.follow_up
        if plan is None:
            raise refusal("InvalidAction", "ต้องระบุการติดตาม", "PLAN needs a follow-up")
        if plan.due_at.tzinfo is None or plan.due_at <= workflow.now():
            raise refusal("InvalidAction", "กำหนดเวลาต้องเป็นเวลาในอนาคต", "a follow-up must be due in the future")
        if plan.kind == FollowUpKind.RISK_REVIEW:
            raise refusal("InvalidAction", "การทบทวนความเสี่ยงกำหนดจากแบบประเมินความเสี่ยง",
                          "risk reviews are planned by the risk assessment")
        if self._risk_level == RiskLevel.HIGH and plan.due_at > workflow.now() + HIGH_RISK_FOLLOW_UP_WITHIN:
            hours = int(HIGH_RISK_FOLLOW_UP_WITHIN.total_seconds() // 3600)
            raise refusal("InvalidAction", f"ความเสี่ยงสูง: ต้องติดตามภายใน {hours} ชั่วโมง",
                          f"high risk: a follow-up must be due within {hours} hours")

    def _referral(self, number: int | None) -> Referral | None:
        return next((referral for referral in self._referrals if referral.number == number), None)

    def _waiting(self, subject: ApprovalSubject) -> ApprovalRequest | None:
        return next((request for request in self._approvals if request.subject == subject), None)

    async def _apply(self, action: TeamAction, also: Callable[[], Awaitable[None]] | None = None) -> HandoffOutcome:
        """Applies an action that passed the checks; `also` (a tapping member's confirmation) goes out
        with the news of an acceptance."""
        async with self._acting:
            self._check(action)  # again: another member may have acted meanwhile
            member = action.member
            actor = f"member:{member.member_id}"
            number: int | None = None
            if action.kind == TeamActionKind.ACCEPT:
                case_worker = await self._case_worker(action.case_worker_id or member.member_id, member)
                self._set_status(HandoffStatus.IN_CARE)
                self._case_worker_id = case_worker.member_id
                await self._record(Accepted(member_id=member.member_id, case_worker_id=case_worker.member_id),
                                   actor=actor)
                await asyncio.gather(self._tell_case(accepted=True, member=member),
                                     self._tell_case_worker(case_worker, member),
                                     self._tell_reporter_in_care(),
                                     *([also()] if also else []))
                if workflow.patched(FIRST_RISK_REVIEW):
                    await self._plan_risk_review(member.member_id, workflow.now() + FIRST_ASSESSMENT_WITHIN)
            elif action.kind == TeamActionKind.REJECT:
                self._set_status(HandoffStatus.REJECTED)
                await self._record(Rejected(member_id=member.member_id, reason=action.note), actor=actor)
                await self._tell_case(accepted=False, member=member, reason=action.note)
            elif action.kind == TeamActionKind.ASSIGN:
                assert action.case_worker_id is not None
                case_worker = await self._case_worker(action.case_worker_id, member)
                self._case_worker_id = case_worker.member_id
                await self._record(Assigned(member_id=member.member_id, case_worker_id=case_worker.member_id),
                                   actor=actor)
                await self._tell_case_worker(case_worker, member)
            elif action.kind == TeamActionKind.PLAN:
                assert action.follow_up is not None
                number = len(self._follow_ups) + 1
                plan = action.follow_up
                self._follow_ups.append(FollowUp(number=number, kind=plan.kind, due_at=plan.due_at, note=plan.note,
                                                 planned_by=member.member_id, planned_at=workflow.now()))
                self._plan_version += 1
                await self._record(FollowUpPlanned(member_id=member.member_id, number=number, follow_up_kind=plan.kind,
                                                   due_at=plan.due_at, note=plan.note), actor=actor)
            elif action.kind == TeamActionKind.RECORD:
                follow_up = self._planned(action.follow_up_number)
                assert follow_up is not None
                number = follow_up.number
                follow_up.status, follow_up.outcome = FollowUpStatus.DONE, action.note
                follow_up.recorded_at = workflow.now()
                self._plan_version += 1
                await self._record(FollowUpRecorded(member_id=member.member_id, number=number, outcome=action.note),
                                   actor=actor)
            elif action.kind == TeamActionKind.CLOSE:
                assert action.outcome is not None
                if not supervises(member) and workflow.patched(SUPERVISED_CLOSING):
                    await self._ask_approval(ApprovalRequest(
                        subject=ApprovalSubject.CLOSURE, requested_by=member.member_id, requested_at=workflow.now(),
                        outcome=action.outcome, note=action.note))
                    return HandoffOutcome(handoff_id=self._id, status=self._status,
                                          case_worker_id=self._case_worker_id, awaiting_approval=True)
                await self._close(member.member_id, action.outcome, action.note, actor)
            elif action.kind == TeamActionKind.DESCRIBE_PERSON:
                assert action.person is not None
                await self._record(PersonDescribed(member_id=member.member_id, person=action.person), actor=actor)
            elif action.kind == TeamActionKind.ASSESS_RISK:
                assert action.risk is not None
                await self._assess_risk(member, action.risk)
            elif action.kind in (TeamActionKind.APPROVE, TeamActionKind.SEND_BACK):
                assert action.subject is not None
                await self._answer_approval(member, action.subject, approved=action.kind == TeamActionKind.APPROVE,
                                            reason=action.note, also=also)
            elif action.kind == TeamActionKind.REFER:
                assert action.referral is not None
                number = await self._refer(member, action.referral)
            elif action.kind == TeamActionKind.ANSWER_REFERRAL:
                assert action.referral_answer is not None and action.follow_up_number is not None
                number = action.follow_up_number
                await self._answer_referral(member, number, action.referral_answer, action.note)
            elif action.kind == TeamActionKind.TRANSFER:
                assert action.to_province_code is not None and action.note is not None
                await self._request_transfer(member, action.to_province_code, action.note)
            elif action.kind == TeamActionKind.ACCEPT_TRANSFER:
                await self._accept_transfer(member, action.case_worker_id)
            elif action.kind == TeamActionKind.DECLINE_TRANSFER:
                await self._decline_transfer(member, action.note)
            elif action.kind == TeamActionKind.MESSAGE_REPORTER:
                assert action.note is not None
                delivered = await self._message_reporter(member, action.note.strip())
                return HandoffOutcome(handoff_id=self._id, status=self._status, case_worker_id=self._case_worker_id,
                                      delivered=delivered)
            else:
                await self._record(TeamNoted(member_id=member.member_id, note=action.note), actor=actor)
            return HandoffOutcome(handoff_id=self._id, status=self._status, case_worker_id=self._case_worker_id,
                                  follow_up_number=number)

    async def _close(self, member_id: int, outcome: CareOutcome, note: str | None, actor: str) -> None:
        for follow_up in self._follow_ups:
            if follow_up.status == FollowUpStatus.PLANNED:
                follow_up.status = FollowUpStatus.CANCELLED
        self._set_status(HandoffStatus.CLOSED)
        await self._record(HandoffClosed(member_id=member_id, outcome=outcome, note=note), actor=actor)
        await self._tell_police_care_closed(outcome, note or "")

    # --- risk and supervision ----------------------------------------------------------------

    async def _assess_risk(self, member: TeamMember, risk: RiskAssessment) -> None:
        """Keeps the assessment, marks the review it answers done and plans the next one. At a high level
        every follow-up is brought within HIGH_RISK_FOLLOW_UP_WITHIN and the plan waits for the office
        head's approval (who hears of it on LINE)."""
        actor = f"member:{member.member_id}"
        previous, self._risk_level = self._risk_level, risk.level
        await self._record(RiskAssessed(member_id=member.member_id, occasion="FIRST" if previous is None else "REVIEW",
                                        assessment=risk, suggested=suggested_level(risk.answers)), actor=actor)
        for review in [f for f in self._follow_ups
                       if f.kind == FollowUpKind.RISK_REVIEW and f.status == FollowUpStatus.PLANNED]:
            review.status, review.outcome, review.recorded_at = FollowUpStatus.DONE, risk.reason, workflow.now()
            await self._record(FollowUpRecorded(member_id=member.member_id, number=review.number, outcome=risk.reason),
                               actor=actor)
        await self._plan_risk_review(member.member_id, workflow.now() + REVIEW_AFTER[risk.level])
        if risk.level == RiskLevel.HIGH:
            latest = workflow.now() + HIGH_RISK_FOLLOW_UP_WITHIN
            for follow_up in self._follow_ups:
                if (follow_up.status == FollowUpStatus.PLANNED and follow_up.kind != FollowUpKind.RISK_REVIEW
                        and follow_up.due_at > latest):
                    was_due_at, follow_up.due_at = follow_up.due_at, latest
                    await self._record(FollowUpMoved(number=follow_up.number, due_at=latest, was_due_at=was_due_at))
            self._plan_version += 1
            if self._waiting(ApprovalSubject.HIGH_RISK_PLAN) is None and not supervises(member):
                await self._ask_approval(ApprovalRequest(subject=ApprovalSubject.HIGH_RISK_PLAN,
                                                         requested_by=member.member_id, requested_at=workflow.now()))
        elif (waiting := self._waiting(ApprovalSubject.HIGH_RISK_PLAN)) is not None:
            # No longer high: the office head has no high-risk plan left to approve.
            self._approvals.remove(waiting)
            await self._record(ApprovalWithdrawn(member_id=member.member_id, subject=waiting.subject,
                                                 requested_by=waiting.requested_by), actor=actor)

    # --- transfer to another province ---------------------------------------------------------

    async def _request_transfer(self, member: TeamMember, to_province_code: str, note: str) -> None:
        """Offers the care to the other province's team, which has the same time to accept as a new
        hand-off; until it does, the care stays with this team."""
        transfer = TransferRequest(from_province_code=self._province_code, to_province_code=to_province_code,
                                   requested_by=member.member_id, requested_at=workflow.now(), note=note)
        self._transfer = transfer
        await self._record(TransferRequested(member_id=member.member_id, from_province_code=self._province_code,
                                             to_province_code=to_province_code, note=note,
                                             accept_due_at=transfer.requested_at + self._accept_within),
                           actor=f"member:{member.member_id}")
        self._offering = asyncio.create_task(self._offer_transfer(transfer))

    async def _offer_transfer(self, transfer: TransferRequest) -> None:
        """The receiving team hears at once, is reminded, then its office head and the national desk hear,
        as for a new hand-off; until it answers or this run hands over."""
        def over() -> bool:
            return self._transfer is not transfer or self._draining or self._status in FINAL_HANDOFF_STATUSES

        accept_due_at = transfer.requested_at + self._accept_within
        for index, rung in enumerate(acceptance_ladder(self._accept_within)):
            if index < transfer.rungs_done:
                continue  # alerted in an earlier run
            wait = transfer.requested_at + rung.after - workflow.now()
            if wait.total_seconds() > 0:
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(over, timeout=wait)
            if over():
                return
            contacts = await self._contacts(rung.audiences, province_code=transfer.to_province_code)
            params = {**self._facts(), "from_province": transfer.from_province_code, "level": rung.level,
                      "reminder": rung.reminder, "accept_due_at": accept_due_at.isoformat(),
                      "transfer_note": transfer.note, "path": self._transfer_path()}
            step = f"{transfer.requested_at.timestamp():.0f}-{rung.after.total_seconds():.0f}"
            await self._send_to(contacts, Prompt.TRANSFER_ALERT, params, key=f"transfer-{step}")
            await self._record(TransferAlerted(to_province_code=transfer.to_province_code, level=rung.level,
                                               reminder=rung.reminder, audiences=rung.audiences,
                                               member_ids=[c.member_id for c in contacts]))
            transfer.rungs_done = index + 1

    async def _accept_transfer(self, member: TeamMember, case_worker_id: int | None) -> None:
        transfer = self._transfer
        assert transfer is not None
        case_worker = await self._case_worker(case_worker_id or member.member_id, member,
                                              province_code=transfer.to_province_code)
        self._transfer, self._province_code = None, transfer.to_province_code
        self._case_worker_id = case_worker.member_id
        await self._record(TransferAccepted(member_id=member.member_id, from_province_code=transfer.from_province_code,
                                            to_province_code=transfer.to_province_code,
                                            case_worker_id=case_worker.member_id), actor=f"member:{member.member_id}")
        params = {**self._facts(), "accepted": True, "to_province": transfer.to_province_code, "reason": None}
        await asyncio.gather(
            self._tell_members([transfer.requested_by], Prompt.TRANSFER_ANSWERED, params,
                               key=f"transfer-answer-{self._events}"),
            self._tell_case_worker(case_worker, member))

    async def _decline_transfer(self, member: TeamMember, reason: str | None) -> None:
        transfer = self._transfer
        assert transfer is not None
        self._transfer = None
        await self._record(TransferDeclined(member_id=member.member_id, to_province_code=transfer.to_province_code,
                                            reason=reason), actor=f"member:{member.member_id}")
        params = {**self._facts(), "accepted": False, "to_province": transfer.to_province_code, "reason": reason}
        await self._tell_members([transfer.requested_by], Prompt.TRANSFER_ANSWERED, params,
                                 key=f"transfer-answer-{self._events}")

    def _transfer_path(self) -> str:
        """Where the receiving team reads the offer (it sees the care itself once it accepts)."""
        return f"/office/handoffs/transfers/{self._id}"

    # --- referrals and the reporter -----------------------------------------------------------

    async def _refer(self, member: TeamMember, plan: ReferralPlan) -> int:
        """A step of the care plan waiting for the agency's answer: reminded before it is due, and when
        it is due with no answer."""
        number = len(self._follow_ups) + 1
        self._follow_ups.append(FollowUp(number=number, kind=FollowUpKind.REFERRAL, due_at=plan.due_at,
                                         note=plan.note, planned_by=member.member_id, planned_at=workflow.now()))
        self._referrals.append(Referral(number=number, **plan.model_dump()))
        self._plan_version += 1
        await self._record(Referred(member_id=member.member_id, number=number, agency_id=plan.agency_id,
                                    agency_kind=plan.agency_kind, agency_name_th=plan.agency_name_th,
                                    agency_name_en=plan.agency_name_en, due_at=plan.due_at, note=plan.note),
                           actor=f"member:{member.member_id}")
        return number

    async def _answer_referral(self, member: TeamMember, number: int, answer: ReferralAnswer,
                               reason: str | None) -> None:
        referral, follow_up = self._referral(number), self._planned(number)
        assert referral is not None
        referral.answer, referral.reason = answer, reason if answer == ReferralAnswer.DECLINED else None
        if follow_up is not None:  # still planned (an answer may come after the care plan moved on)
            follow_up.status, follow_up.outcome = FollowUpStatus.DONE, reason or answer.value
            follow_up.recorded_at = workflow.now()
            self._plan_version += 1
        await self._record(ReferralAnswered(member_id=member.member_id, number=number, answer=answer,
                                            reason=referral.reason), actor=f"member:{member.member_id}")

    async def _message_reporter(self, member: TeamMember, text: str) -> bool:
        """To a reporter who agreed to be contacted, silently and in neutral words (no agency's name but
        what the case worker wrote); recorded with whether LINE took it."""
        reporter = self._opening.reporter
        delivered = await send_line(reporter.user_id, reporter.language, [BotMessage(
            prompt=Prompt.MESSAGE_FROM_CARE, params={"case_no": self._opening.case_no, "text": text})],
            key=f"reporter-message-{self._events}")
        if not delivered:
            workflow.logger.warning("a message to the reporter of hand-off %s could not be delivered", self._id)
        await self._record(ReporterMessaged(member_id=member.member_id, text=text, delivered=delivered),
                           actor=f"member:{member.member_id}")
        return delivered

    async def _plan_risk_review(self, member_id: int, due_at: datetime) -> None:
        number = len(self._follow_ups) + 1
        self._follow_ups.append(FollowUp(number=number, kind=FollowUpKind.RISK_REVIEW, due_at=due_at,
                                         planned_by=member_id, planned_at=workflow.now()))
        self._plan_version += 1
        await self._record(FollowUpPlanned(member_id=member_id, number=number, follow_up_kind=FollowUpKind.RISK_REVIEW,
                                           due_at=due_at), actor="system")

    async def _ask_approval(self, request: ApprovalRequest) -> None:
        """Waits for a supervisor: the office head hears on LINE, with a button that approves; when
        nobody at the office can be reached, the national desk does."""
        self._approvals.append(request)
        params = {**self._facts(), "subject": request.subject.value, "risk_level": self._risk_level,
                  "outcome": request.outcome.value if request.outcome else None}
        key = f"approval-{self._events}"
        contacts = await self._contacts([TeamAudience.OFFICE_HEAD])
        if not contacts:
            contacts = await self._contacts([TeamAudience.NATIONAL_DESK])
        await self._send_to(contacts, Prompt.APPROVAL_REQUESTED, params, key=key)
        await self._record(ApprovalRequested(member_id=request.requested_by, subject=request.subject,
                                             outcome=request.outcome, note=request.note,
                                             member_ids=[c.member_id for c in contacts]),
                           actor=f"member:{request.requested_by}")

    async def _answer_approval(self, member: TeamMember, subject: ApprovalSubject, approved: bool,
                               reason: str | None, also: Callable[[], Awaitable[None]] | None) -> None:
        """Approved: a closing closes the care. Sent back: the care goes on and whoever asked hears why."""
        request = self._waiting(subject)
        assert request is not None  # _check saw it
        self._approvals.remove(request)
        actor = f"member:{member.member_id}"
        params = {**self._facts(), "subject": subject.value, "approved": approved, "reason": reason}
        if approved:
            await self._record(ApprovalGiven(member_id=member.member_id, subject=subject,
                                             requested_by=request.requested_by), actor=actor)
            if subject == ApprovalSubject.CLOSURE:
                assert request.outcome is not None
                await self._close(request.requested_by, request.outcome, request.note, actor)
        told = await self._tell_members([request.requested_by], Prompt.APPROVAL_ANSWERED, params,
                                        key=f"approval-answer-{self._events}")
        if not approved:
            await self._record(SentBack(member_id=member.member_id, subject=subject, requested_by=request.requested_by,
                                        reason=reason, member_ids=told), actor=actor)
        if also:
            await also()

    def _planned(self, number: int | None) -> FollowUp | None:
        return next((f for f in self._follow_ups if f.number == number and f.status == FollowUpStatus.PLANNED), None)

    async def _case_worker(self, member_id: int, acting: TeamMember, province_code: str | None = None) -> TeamMember:
        """The case worker must be an active member of the team in charge (or of the one taking the care)."""
        province_code = province_code or self._province_code
        if member_id == acting.member_id and acting.province_code == province_code:
            return acting
        try:
            member = await workflow.execute_local_activity_method(TeamDirectory.get_team_member, member_id,
                                                                  **options.STORE)
        except (ActivityError, ApplicationError):  # a local activity out of attempts raises its own error
            raise refusal("InvalidAction", "ไม่พบผู้ดูแลที่เลือก", "no such case worker") from None
        if member.province_code != province_code:
            raise refusal("InvalidAction", "ผู้ดูแลต้องอยู่ในทีมของจังหวัดนี้", "the case worker must be in this province's team")
        return member

    def _set_status(self, status: HandoffStatus) -> None:
        self._status = status
        workflow.upsert_search_attributes([search_attributes.HANDOFF_STATUS.value_set(status.value)])
        self._show_details()

    # --- telling people ----------------------------------------------------------------------

    async def _tell_case(self, accepted: bool, member: TeamMember, reason: str | None = None) -> None:
        """The forwarding case waits for the team's answer; it may have ended (an operator stopped it)."""
        decision = HandoffDecision(handoff_id=self._id, accepted=accepted, reason=reason, member=member,
                                   at=workflow.now(), decision_id=decision_id_of(self._id, accepted))
        with workflow.unsafe.imports_passed_through():
            # Imported here: workflows.case starts hand-offs, so it imports this module first.
            from workflows.case import CaseWorkflow
        case: workflow.ExternalWorkflowHandle[CaseWorkflow] = workflow.get_external_workflow_handle_for(
            CaseWorkflow.run, case_workflow_id(self._opening.case_no))
        try:
            await case.signal(CaseWorkflow.handoff_decided, decision)
        except FailureError:
            workflow.logger.warning("hand-off %s could not tell its case, which has ended", self._id)
            await self._record(CaseNotTold(accepted=accepted))

    async def _tell_case_worker(self, case_worker: TeamMember, by: TeamMember) -> None:
        if case_worker.member_id == by.member_id:
            return  # they know: they chose themselves
        await self._tell_members([case_worker.member_id], Prompt.HANDOFF_ASSIGNED, self._facts(),
                                 key=f"assigned-{self._events}")

    async def _tell_reporter_in_care(self) -> None:
        """Only a reporter who agreed to be contacted hears that someone will."""
        if self._consent != Consent.GIVEN or self._told_reporter_in_care:
            return
        self._told_reporter_in_care = True
        await self._tell_reporter(Prompt.REPORTER_IN_CARE, key="in-care")
        await self._record(ReporterTold(prompt=Prompt.REPORTER_IN_CARE))

    async def _tell_police_care_closed(self, outcome: CareOutcome, note: str) -> None:
        """The police see how the care ended on their own case's timeline."""
        await self._safely("append_case_event:CARE_CLOSED", workflow.execute_local_activity_method(
            CaseStore.append_case_event,
            TimelineEntry(key=f"{self._id}:care-closed", case_no=self._opening.case_no, at=workflow.now(),
                          actor="team", event=CareClosed(handoff_id=self._id, outcome=outcome, note=note)),
            **options.STORE,
        ), None)

    async def _alert_team(self, rung: TeamRung) -> None:
        contacts = await self._contacts(rung.audiences)
        params = {**self._facts(), "forwarded_at": self._opening.forwarded_at.isoformat(),
                  "accept_due_at": self._accept_due_at.isoformat(), "level": rung.level, "reminder": rung.reminder,
                  "forward_note": self._opening.forward_note}
        step = f"{rung.after.total_seconds():.0f}"
        await asyncio.gather(*(
            self._send(c.line_user_id, c.language, [BotMessage(prompt=Prompt.HANDOFF_ALERT, params=params)],
                       key=f"alert-{step}-{c.member_id}", silent=False)
            for c in contacts
        ))
        reached = [c.member_id for c in contacts]
        await self._record(TeamReminded(level=rung.level, audiences=rung.audiences, member_ids=reached)
                           if rung.reminder else
                           TeamAlerted(level=rung.level, audiences=rung.audiences, member_ids=reached))

    async def _remind(self, follow_up: FollowUp, what: str) -> None:
        """The case worker hears; when nobody can reach them on LINE, the team does."""
        params = {**self._facts(), "number": follow_up.number, "kind": follow_up.kind.value,
                  "due_at": follow_up.due_at.isoformat(), "overdue": what == "overdue"}
        if (referral := self._referral(follow_up.number)) is not None:  # the agency's answer is awaited
            params |= {"agency_th": referral.agency_name_th, "agency_en": referral.agency_name_en}
        key = f"follow-up-{follow_up.number}-{what}"
        reached = await self._tell_members([self._case_worker_id] if self._case_worker_id else [],
                                           Prompt.FOLLOW_UP_REMINDER, params, key=key)
        if not reached:
            contacts = await self._contacts([TeamAudience.TEAM])
            await self._send_to(contacts, Prompt.FOLLOW_UP_REMINDER, params, key=key)
            reached = [c.member_id for c in contacts]
        await self._record(FollowUpReminded(number=follow_up.number, what=what, member_ids=reached))

    async def _tell_members(self, member_ids: list[int], prompt: Prompt, params: dict[str, Any],
                            key: str) -> list[int]:
        contacts = []
        for member_id in member_ids:
            contact = await self._safely("team_member_contact", workflow.execute_local_activity_method(
                TeamDirectory.team_member_contact, member_id, **options.STORE), None)
            if contact is not None:
                contacts.append(contact)
        await self._send_to(contacts, prompt, params, key)
        return [c.member_id for c in contacts]

    async def _send_to(self, contacts: list[TeamContact], prompt: Prompt, params: dict[str, Any], key: str) -> None:
        await asyncio.gather(*(
            self._send(c.line_user_id, c.language, [BotMessage(prompt=prompt, params=params)],
                       key=f"{key}-{c.member_id}", silent=False)
            for c in contacts
        ))

    async def _contacts(self, audiences: list[TeamAudience], province_code: str | None = None) -> list[TeamContact]:
        return await self._safely("team_members_for_audiences", workflow.execute_local_activity_method(
            TeamDirectory.team_members_for_audiences,
            TeamAudienceRequest(province_code=province_code or self._province_code, audiences=audiences),
            **options.STORE,
        ), [])

    async def _tell_reporter(self, prompt: Prompt, key: str, **params: str) -> None:
        reporter = self._opening.reporter
        await self._send(reporter.user_id, reporter.language,
                         [BotMessage(prompt=prompt, params={"case_no": self._opening.case_no, **params})],
                         key=f"reporter-{key}")

    async def _send(self, user_id: str, language: Language, messages: list[BotMessage], key: str,
                    silent: bool = True, reply_to: LineEvent | None = None) -> None:
        if not await send_line(user_id, language, messages, key, silent=silent, reply_to=reply_to):
            workflow.logger.warning("a LINE message of hand-off %s could not be delivered", self._id)

    async def _record(self, event: HandoffTimelineEvent, actor: str = "system") -> None:
        """On the hand-off's timeline, under a key of its own; the hand-off row follows what the event says."""
        await self._safely(f"append_handoff_event:{event.kind}", self._append(event, actor), None)

    def _append(self, event: HandoffTimelineEvent, actor: str) -> Awaitable[None]:
        self._events += 1
        return workflow.execute_local_activity_method(
            HandoffStore.append_handoff_event,
            HandoffTimelineEntry(key=f"{self._id}:{self._events}:{event.kind}", handoff_id=self._id,
                                 case_no=self._opening.case_no, at=workflow.now(), actor=actor, event=event),
            **options.STORE,
        )

    async def _safely(self, step: str, call: Awaitable[T], instead: T) -> T:
        """A step's result; when it failed for good (its retries could not mend it), `instead`: the
        failure is counted, logged and recorded on the timeline where it can be, and the hand-off goes
        on. (Before DEGRADE_NEVER_DIE such a failure failed the hand-off, and still does on replay.)"""
        try:
            return await call
        except (ActivityError, ApplicationError) as error:  # a local activity out of attempts raises its own
            if not workflow.patched(DEGRADE_NEVER_DIE):
                raise
            kind = _failure_type(error)
            workflow.metric_meter().create_counter(
                "ess_workflow_step_failures", "Workflow steps that failed for good; the workflow went on",
            ).with_additional_attributes({"workflow": "handoff", "step": step.split(":")[0]}).add(1)
            workflow.logger.error("hand-off %s went on without step %s, which failed for good (%s)",
                                  self._id, step, kind)
            with contextlib.suppress(ActivityError, ApplicationError):  # the hand-off's row may be gone
                await self._append(StepFailed(step=step, error=kind), "system")
            return instead

    def _facts(self) -> dict[str, Any]:
        report = self._opening.report
        return {
            "case_no": self._opening.case_no,
            "handoff_id": self._id,
            "incident_th": report.incident_type.label_th if report.incident_type else None,
            "incident_en": report.incident_type.label_en if report.incident_type else None,
            "place_th": report.place.describe(Language.THAI),
            "place_en": report.place.describe(Language.ENGLISH),
            "path": self._path(),
        }

    def _path(self) -> str:
        """The hand-off's page in the back office."""
        return f"/office/handoffs/{self._id}"

    def _show_details(self) -> None:
        """The hand-off at a glance in the Temporal UI: no personal data."""
        report = self._opening.report
        workflow.set_current_details("\n\n".join([
            f"**{self._id}** — {self._status.value}",
            f"เรื่อง {self._opening.case_no} ส่งต่อทีมสหวิชาชีพ (hand-off to the multidisciplinary team)",
            f"ประเภท: {report.incident_type.label_th if report.incident_type else 'ไม่ระบุ'}",
            f"จังหวัด: {report.place.province_name_th or 'ไม่ทราบ'}",
        ]))

