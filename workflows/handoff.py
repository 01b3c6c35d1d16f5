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
reporter hears from it only if they agreed to be contacted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseStore
    from activities.handoffs import HandoffStore
    from activities.team_directory import TeamDirectory
    from domain.case_timeline import CareClosed, TimelineEntry
    from domain.handoff import (
        FINAL_HANDOFF_STATUSES,
        TEAM_NEEDS_NOTE,
        CareOutcome,
        Consent,
        FollowUp,
        FollowUpStatus,
        HandoffDecision,
        HandoffOpened,
        HandoffOpening,
        HandoffOutcome,
        HandoffStatus,
        IllegalTeamAction,
        TeamAction,
        TeamActionKind,
        TeamAudience,
        TeamAudienceRequest,
        TeamContact,
        TeamMember,
        TeamRole,
        TeamRung,
        acceptance_ladder,
        follow_up_reminders,
        handoff_status_after,
        in_team_of,
    )
    from domain.handoff_timeline import (
        Accepted,
        Assigned,
        CaseNotTold,
        ConsentAnswered,
        Escalated,
        FollowUpPlanned,
        FollowUpRecorded,
        FollowUpReminded,
        HandoffClosed,
        HandoffTimelineEntry,
        HandoffTimelineEvent,
        Rejected,
        ReporterTold,
        TeamAlerted,
        TeamNoted,
        TeamReminded,
    )
    from domain.models import BotMessage, Language, LineEvent, Prompt
    from domain.postbacks import Postback
    from orchestration import options, search_attributes
    from orchestration.ids import case_workflow_id
    from workflows.line_profile import line_language
    from workflows.speaking import refusal, send_line

# The reporter's answers, as the consent question's buttons carry them.
CONSENT_ANSWERS = {"YES": Consent.GIVEN, "NO": Consent.REFUSED}
# A tap that failed for no reason the member can act on.
TRY_THE_BACK_OFFICE = {"th": "ลองอีกครั้งในระบบหลังบ้าน", "en": "try again in the back office"}


def _reasons(error: Exception) -> dict[str, str] | None:
    """A refusal's reasons in both languages, as workflows.speaking.refusal gives them."""
    details = error.details if isinstance(error, ApplicationError) else ()
    reasons = details[0] if details else None
    return reasons if isinstance(reasons, dict) and {"th", "en"} <= reasons.keys() else None


@workflow.defn
class HandoffWorkflow:
    @workflow.init
    def __init__(self, opening: HandoffOpening) -> None:
        self._opening = opening
        self._id = opening.handoff_id
        self._status = HandoffStatus.AWAITING
        self._consent = Consent.ASKED
        self._case_worker_id: int | None = None
        self._follow_ups: list[FollowUp] = []
        self._reminded: set[tuple[int, str]] = set()
        self._plan_version = 0  # moves whenever the care plan changes: the reminders look again
        self._taps: deque[LineEvent] = deque()  # the reporter's consent answers and the team's buttons
        self._seen_event_ids: set[str] = set()
        self._acting = asyncio.Lock()
        self._events = 0
        self._escalation_level = 0
        self._told_reporter_in_care = False

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

    def _take_tap(self, event: LineEvent) -> None:
        if event.event_id not in self._seen_event_ids:
            self._seen_event_ids.add(event.event_id)
            self._taps.append(event)

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
    async def run(self, opening: HandoffOpening) -> HandoffStatus:
        self._show_details()
        minutes = await workflow.execute_local_activity_method(HandoffStore.team_accept_minutes, **options.STORE)
        accept_within = timedelta(minutes=minutes)
        self._accept_due_at = opening.forwarded_at + accept_within
        await workflow.execute_local_activity_method(
            HandoffStore.record_handoff_opened, HandoffOpened(opening=opening, accept_due_at=self._accept_due_at),
            **options.STORE,
        )
        listening = asyncio.create_task(self._keep_listening())
        await asyncio.gather(self._ask_consent(), self._await_acceptance(accept_within))
        if self._status == HandoffStatus.IN_CARE:
            await self._care()
        await listening
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._status

    async def _ask_consent(self) -> None:
        await self._tell_reporter(Prompt.CONSENT_QUESTION, key="consent-question", handoff_id=self._id)

    async def _await_acceptance(self, accept_within: timedelta) -> None:
        for rung in acceptance_ladder(accept_within):
            wait = self._opening.forwarded_at + rung.after - workflow.now()
            if wait.total_seconds() > 0:
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(lambda: self._status != HandoffStatus.AWAITING, timeout=wait)
            if self._status != HandoffStatus.AWAITING:
                return  # a member accepted or handed it back: no more reminders
            if rung.level > self._escalation_level:
                self._escalation_level = rung.level
                workflow.upsert_search_attributes([search_attributes.ESCALATION_LEVEL.value_set(rung.level)])
                await self._record(Escalated(level=rung.level))
            await self._alert_team(rung)
        await workflow.wait_condition(lambda: self._status != HandoffStatus.AWAITING)

    async def _care(self) -> None:
        """Reminds follow-ups as they come due, until the care closes."""
        while self._status == HandoffStatus.IN_CARE:
            version = self._plan_version

            def changed(version: int = version) -> bool:
                return self._status != HandoffStatus.IN_CARE or self._plan_version != version

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
        """The reporter's answers and the team's taps, in the order they came, for as long as the
        hand-off runs."""
        while True:
            await workflow.wait_condition(lambda: bool(self._taps) or self._status in FINAL_HANDOFF_STATUSES)
            if not self._taps:
                return
            tap = self._taps.popleft()
            postback = Postback.decode(tap.postback_data)
            if postback is not None and postback.action == "team":
                await self._answer_team_tap(tap, postback)
            else:
                await self._answer_consent(tap)

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
        if postback.code != TeamActionKind.ACCEPT.value:  # the only team button so far
            workflow.logger.warning("hand-off %s ignored a team button it does not know", self._id)
            return
        language = asyncio.create_task(line_language(tap.user_id))  # looked up meanwhile

        async def reply(prompt: Prompt, **params: object) -> None:
            facts = {"case_no": self._opening.case_no, "handoff_id": self._id, "path": self._path()}
            await self._send(tap.user_id, await language or Language.THAI,
                             [BotMessage(prompt=prompt, params={**facts, **params})],
                             key=f"answer-{tap.event_id}", reply_to=tap)

        try:
            member = await workflow.execute_local_activity_method(TeamDirectory.team_member_by_line, tap.user_id,
                                                                  **options.STORE)
            if member is None:
                workflow.logger.info("hand-off %s: a tap from a LINE account on no team", self._id)
                await reply(Prompt.NOT_A_TEAM_MEMBER)
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

    # --- the team's actions ------------------------------------------------------------------

    def _check(self, action: TeamAction) -> None:
        """Refuses, before anything is written, what this member may not do to this hand-off now."""
        if not in_team_of(action.member, self._opening.province_code):
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
            if action.follow_up is None:
                raise refusal("InvalidAction", "ต้องระบุการติดตาม", "PLAN needs a follow-up")
            if action.follow_up.due_at.tzinfo is None or action.follow_up.due_at <= workflow.now():
                raise refusal("InvalidAction", "กำหนดเวลาต้องเป็นเวลาในอนาคต", "a follow-up must be due in the future")
        if action.kind == TeamActionKind.RECORD and self._planned(action.follow_up_number) is None:
            raise refusal("InvalidAction", "ไม่พบการติดตามที่ยังค้างอยู่", "no planned follow-up with that number")
        if action.kind == TeamActionKind.CLOSE and action.outcome is None:
            raise refusal("InvalidAction", "ต้องระบุผลการดูแล", "CLOSE needs an outcome category")

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
                for follow_up in self._follow_ups:
                    if follow_up.status == FollowUpStatus.PLANNED:
                        follow_up.status = FollowUpStatus.CANCELLED
                self._set_status(HandoffStatus.CLOSED)
                await self._record(HandoffClosed(member_id=member.member_id, outcome=action.outcome, note=action.note),
                                   actor=actor)
                await self._tell_police_care_closed(action.outcome, action.note or "")
            else:
                await self._record(TeamNoted(member_id=member.member_id, note=action.note), actor=actor)
            return HandoffOutcome(handoff_id=self._id, status=self._status, case_worker_id=self._case_worker_id,
                                  follow_up_number=number)

    def _planned(self, number: int | None) -> FollowUp | None:
        return next((f for f in self._follow_ups if f.number == number and f.status == FollowUpStatus.PLANNED), None)

    async def _case_worker(self, member_id: int, acting: TeamMember) -> TeamMember:
        """The case worker must be an active member of this province's team."""
        if member_id == acting.member_id and acting.province_code == self._opening.province_code:
            return acting
        try:
            member = await workflow.execute_local_activity_method(TeamDirectory.get_team_member, member_id,
                                                                  **options.STORE)
        except (ActivityError, ApplicationError):  # a local activity out of attempts raises its own error
            raise refusal("InvalidAction", "ไม่พบผู้ดูแลที่เลือก", "no such case worker") from None
        if member.province_code != self._opening.province_code:
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
                                   at=workflow.now())
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
        await workflow.execute_local_activity_method(
            CaseStore.append_case_event,
            TimelineEntry(key=f"{self._id}:care-closed", case_no=self._opening.case_no, at=workflow.now(),
                          actor="team", event=CareClosed(handoff_id=self._id, outcome=outcome, note=note)),
            **options.STORE,
        )

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
            contact = await workflow.execute_local_activity_method(TeamDirectory.team_member_contact, member_id,
                                                                   **options.STORE)
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

    async def _contacts(self, audiences: list[TeamAudience]) -> list[TeamContact]:
        return await workflow.execute_local_activity_method(
            TeamDirectory.team_members_for_audiences,
            TeamAudienceRequest(province_code=self._opening.province_code, audiences=audiences),
            **options.STORE,
        )

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
        self._events += 1
        await workflow.execute_local_activity_method(
            HandoffStore.append_handoff_event,
            HandoffTimelineEntry(key=f"{self._id}:{self._events}:{event.kind}", handoff_id=self._id,
                                 case_no=self._opening.case_no, at=workflow.now(), actor=actor, event=event),
            **options.STORE,
        )

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

