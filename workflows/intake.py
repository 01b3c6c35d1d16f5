"""The citizen's report: one conversation with one LINE user, from the first message to an open case.

The story: the reporter asks to report → picks what is happening → pins where → confirms the place
→ types their phone number (Thai or from abroad, alone or in a sentence) or declines to → a case
opens and they are told its number. At any step they may cancel; off-script messages get a calm
hint and the same question, and what they write is kept for the officers (a number in it is taken
too); a reporter who goes quiet gets one reminder, and then — if we already know where it is
happening — the case opens anyway, marked incomplete, because a victim may be unable to continue.
Once the place is confirmed no report waits long for a number: the phone step has its own short
patience. Once a reporter has an open case, what they send is attached to it.

Events arrive as signals (the webhook signals-with-start this workflow). Before the conversation
ends, every event that has arrived is handled: nothing is lost in the gap before the next one.

A conversation kept alive by a chatty reporter continues as new between reports (when Temporal
suggests it, or past HISTORY_BUDGET events), carrying a ConversationState and the events not yet
handled; later events reach the new run by the same workflow id. A report that cannot be recorded
(an error retries cannot mend) is never lost: the reporter is told to call 191 at once, and the
report is kept for an operator to replay (tools.dead_letters). After the province's team accepted
the reporter's case, what they write goes to the team when they consented to contact; else the bot
says who looks after them now.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from datetime import datetime, timedelta
from enum import StrEnum

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ActivityError, ApplicationError, FailureError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseStore
    from activities.directory import Directory
    from activities.line import LineMessenger
    from activities.reference import ReferenceData
    from domain.case_rules import CASE_ENDED, OUTSIDE_JURISDICTION, within_jurisdiction
    from domain.case_timeline import (
        AttachmentFailed,
        CaseTimelineEvent,
        MessageUndelivered,
        ReporterWrote,
        TimelineEntry,
    )
    from domain.clock import thai_year
    from domain.conversation_state import SEEN_EVENT_IDS_CARRIED, ConversationState
    from domain.handed_over import HandedOverCase
    from domain.handoff import Consent
    from domain.models import (
        MAX_NOTE_LENGTH,
        BotMessage,
        CaseNumberRequest,
        CaseOpening,
        CaseStatus,
        ConversationStart,
        Delivery,
        EventKind,
        IncidentType,
        Language,
        LineEvent,
        Location,
        Officer,
        OfficerLineRequest,
        PhoneNumber,
        Place,
        Prompt,
        RecentCase,
        RecentCaseRequest,
        RefusedView,
        Report,
        Reporter,
        ReporterMessage,
        ReporterNote,
        ReportStep,
    )
    from domain.postbacks import Postback
    from domain.registration import RegistrationRequest
    from domain.unrecorded_reports import UnrecordedReport
    from domain.words import (
        CANCEL_WORDS,
        CONFIRM_WORDS,
        HOW_TO_WORDS,
        LANGUAGE_WORDS,
        REPORT_WORDS,
        SKIP_PHONE_WORDS,
        officer_reply,
        registration_code,
    )
    from orchestration import options, search_attributes
    from orchestration.ids import case_workflow_id, handoff_workflow_id
    from workflows.case import MEDIA_MESSAGES, CaseWorkflow, keep_reporter_file, reporter_message_key
    from workflows.handoff import HandoffWorkflow
    from workflows.line_profile import line_language
    from workflows.speaking import send_line

CONTENT_MESSAGES = frozenset({"text", "image", "video", "audio", "file", "location", "sticker"})
# Enough of what a reporter writes beside the answers to keep a flood out of the case's history.
MOST_NOTES = 50
# Changes to the commands this workflow issues; histories from before take the old way.
PHONE_IN_ANY_TEXT = "phone-in-any-text"  # a number in free text at any step is read (an activity)
PHONE_MAY_BE_DECLINED = "phone-may-be-declined"  # "no number" ends the phone step
PHONE_STEP_PATIENCE = "phone-step-own-patience"  # the phone step's own short wait
FOLLOW_UP_AFTER_CLOSE = "follow-up-after-close"  # a message after the case ended goes to its officers
REPEAT_LAST_REPORT = "repeat-last-report"  # a new report offers "same as last time"
CONTINUE_AS_NEW = "continue-as-new"  # a long conversation continues as new between reports
KEEP_UNRECORDED_REPORTS = "keep-unrecorded-reports"  # a report that cannot be recorded: 191, and kept
CASE_NUMBER_UNDELIVERED = "case-number-undelivered"  # the case number never delivered: on the case
AFTER_HANDOVER = "after-handover"  # after the team accepted: to the team (consent), else who cares now
# Events a run may reach before it continues as new (ConversationState.history_budget lowers it).
HISTORY_BUDGET = 10_000
# ALERT_TAPS_IN_THE_WEBHOOK — a button on an officer's alert no longer reaches a conversation: the
# webhook hands it to its running case, and answers it itself when none runs (api.ended_case_taps).
# What this workflow still does with one (`_is_officer_tap`, the "officer" branch of
# `_answer_outside_report`, the "officer-taps-beside-a-report" branch of `_next_answer`) is kept for
# two kinds of history: conversations that took a tap from an API process older than that change
# (they still run while a deploy rolls), and those that relayed one before it, which must replay.
# It can go, with those branches, once no API process older than the change runs, every conversation
# started before it has ended (each ends after ESS_INTAKE_IDLE_AFTER of quiet) and no history kept
# for replay holds such a tap (tests/workflows/histories holds none). `_relay_officer_request` and
# the case's `officer_request` signal stay: an officer's typed answer to the reporter travels by them.
# What a reporter may send after their case ended that follows it up (a sticker says too little
# to wake an officer for).
FOLLOW_UP_MESSAGES = frozenset({"text", "image", "video", "audio", "file", "location"})


class Step(StrEnum):
    INCIDENT_TYPE = "incident_type"
    LOCATION = "location"
    CONFIRM_LOCATION = "confirm_location"
    PHONE = "phone"


class Draft:
    """What the reporter has told us so far in this report."""

    def __init__(self) -> None:
        self.incident_type: IncidentType | None = None
        self.location: Location | None = None
        self.place: Place | None = None
        self.location_confirmed = False
        self.phone: PhoneNumber | None = None
        self.phone_declined = False
        # When the reporter did each thing (LINE's time of the event): the report's timeline.
        self.steps: list[ReportStep] = []
        self.pinned_at: datetime | None = None
        self.confirmed_at: datetime | None = None
        # Workflow time by which the phone step gives way to the case; set when the place is confirmed.
        self.phone_deadline: datetime | None = None
        self.phone_reminded = False
        self.notes: list[ReporterNote] = []
        # "Same as last time": the reporter's recent case the question offers to repeat, and the
        # one this report repeats once tapped.
        self.repeatable: str | None = None
        self.repeat_of: str | None = None

    def next_step(self) -> Step | None:
        if self.incident_type is None:
            return Step.INCIDENT_TYPE
        if self.location is None:
            return Step.LOCATION
        if not self.location_confirmed:
            return Step.CONFIRM_LOCATION
        if self.phone is None and not self.phone_declined:
            return Step.PHONE
        return None

    def answered(self, step: str, at: datetime) -> None:
        self.steps.append(ReportStep(step=str(step), at=at))

    def pinned(self, location: Location, place: Place, at: datetime) -> None:
        self.location, self.place, self.location_confirmed = location, place, False
        self.pinned_at = at
        self.answered(Step.LOCATION, at)

    def confirmed(self, at: datetime, phone_deadline: datetime) -> None:
        self.location_confirmed = True
        self.confirmed_at, self.phone_deadline, self.phone_reminded = at, phone_deadline, False
        self.answered(Step.CONFIRM_LOCATION, at)

    def took_phone(self, phone: PhoneNumber, at: datetime) -> None:
        self.phone = phone
        self.answered(Step.PHONE, at)

    def declined_phone(self, at: datetime) -> None:
        self.phone_declined = True
        self.answered("phone_declined", at)

    def repeated(self, earlier: RecentCase, incident_type: IncidentType | None, at: datetime) -> None:
        """Same as last time: that case's type, place and phone (or none again), all with this one
        tap; the place counts as confirmed now."""
        report = earlier.report
        self.repeat_of = earlier.case_no
        self.incident_type = incident_type
        self.location, self.place, self.location_confirmed = report.location, report.place, True
        self.pinned_at = self.confirmed_at = at
        self.phone, self.phone_declined = report.phone, report.phone is None
        self.answered("same_as_last_time", at)

    def keep_note(self, text: str, at: datetime, step: Step) -> None:
        if len(self.notes) < MOST_NOTES:
            self.notes.append(ReporterNote(text=text, at=at, step=str(step)))

    @property
    def reported_at(self) -> datetime | None:
        """When the reporter confirmed the place; when they only pinned it, then."""
        return self.confirmed_at or self.pinned_at


@workflow.defn
class IntakeWorkflow:
    @workflow.init
    def __init__(self, start: ConversationStart, state: ConversationState | None = None) -> None:
        # Started with the start alone (by the webhook, or before runs took a state), the SDK reads
        # neither argument by its type: it reads each by its type only when every argument came.
        self._start = ConversationStart.model_validate(start)
        carried = ConversationState.model_validate(state) if state is not None else ConversationState()
        self._inbox: deque[LineEvent] = deque(carried.pending)
        self._seen_event_ids: set[str] = set(carried.seen_event_ids)
        self._seen_order: list[str] = list(carried.seen_event_ids)  # oldest first, to carry the newest
        self._language = carried.language
        self._incident_types: list[IncidentType] = []
        self._open_case_no: str | None = carried.open_case_no
        self._cases_opened: list[str] = list(carried.cases_opened)
        self._unrecorded_reports = carried.unrecorded_reports
        self._history_budget = carried.history_budget or HISTORY_BUDGET
        self._step: Step | None = None
        self._reply_to: LineEvent | None = carried.reply_to
        self._deliveries = 0

    @workflow.signal
    def line_event(self, event: LineEvent) -> None:
        # LINE redelivers; the webhook de-duplicates too, this covers races between deliveries.
        if event.event_id in self._seen_event_ids:
            return
        self._seen_event_ids.add(event.event_id)
        self._seen_order.append(event.event_id)
        self._inbox.append(event)

    @workflow.query
    def current_step(self) -> str | None:
        return self._step.value if self._step else None

    @workflow.run
    async def run(self, start: ConversationStart, state: ConversationState | None = None) -> list[str]:
        """Every case the conversation opened, over all its runs."""
        if workflow.info().continued_run_id is None:  # a continued run knows the reporter already
            await self._get_to_know_reporter()
        while (event := await self._next_event(self._start.timeouts.idle_after)) is not None:
            if self._starts_report(event):
                await self._take_report(event)
            elif self._open_case_no and event.kind == EventKind.MESSAGE:
                await self._attach_to_case(event)
            else:
                await self._answer_outside_report(event)
            if self._history_is_long() and workflow.patched(CONTINUE_AS_NEW):
                await self._continue_as_new()
        return self._cases_opened

    # --- a long conversation ----------------------------------------------------------------

    def _history_is_long(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= self._history_budget

    async def _continue_as_new(self) -> None:
        """Between reports, with every handler done: the next run takes over the events not handled
        yet; events that arrive meanwhile reach it by the same workflow id (signal-with-start)."""
        await workflow.wait_condition(workflow.all_handlers_finished)
        state = ConversationState(
            language=self._language, open_case_no=self._open_case_no, cases_opened=self._cases_opened,
            unrecorded_reports=self._unrecorded_reports, seen_event_ids=self._seen_order[-SEEN_EVENT_IDS_CARRIED:],
            pending=list(self._inbox), reply_to=self._reply_to,
            history_budget=None if self._history_budget == HISTORY_BUDGET else self._history_budget,
        )
        workflow.continue_as_new(args=[self._start, state])

    # --- the report -------------------------------------------------------------------------

    async def _take_report(self, trigger: LineEvent) -> None:
        draft = Draft()
        draft.answered("started", trigger.occurred_at)
        if not self._incident_types:
            self._incident_types = await workflow.execute_local_activity_method(
                ReferenceData.list_incident_types, **options.STORE
            )
        # A reporter may open with the answer itself: a pinned location or a type button.
        event: LineEvent | None = trigger if self._answers_a_step(trigger) else None
        if event is None and workflow.patched(REPEAT_LAST_REPORT):
            recent = await self._recent_case()
            draft.repeatable = recent.case_no if recent else None
        prompt: list[BotMessage] | None = None
        while (step := draft.next_step()) is not None:
            self._step = step
            if event is None:
                await self._say(prompt or self._question(step, draft))
                event = await self._await_answer(step, draft)
                if event is None:
                    await self._stop_waiting(draft)
                    return
            if self._is_cancel(event):
                await self._say([BotMessage(prompt=Prompt.CANCELLED)])
                self._step = None
                return
            prompt = await self._apply(step, event, draft)
            event = None
        self._step = None
        await self._open_case(draft, complete=True)

    async def _apply(self, step: Step, event: LineEvent, draft: Draft) -> list[BotMessage] | None:
        """Take an answer into the draft. None when accepted; else what to say instead of the
        plain question."""
        postback = Postback.decode(event.postback_data) if event.kind == EventKind.POSTBACK else None
        text = (event.text or "").strip() if event.message_type == "text" else ""

        at = event.occurred_at
        if event.location is not None:
            place = await workflow.execute_local_activity_method(
                ReferenceData.locate_place, event.location, **options.STORE
            )
            if not place.inside_thailand:
                draft.location, draft.place, draft.location_confirmed = None, None, False
                return [BotMessage(prompt=Prompt.LOCATION_OUTSIDE_THAILAND)]
            draft.pinned(event.location, place, at)
            return None
        if postback is not None:
            if postback.action == "type" and (chosen := self._incident_type(postback.code)):
                draft.incident_type = chosen
                draft.answered(Step.INCIDENT_TYPE, at)
                return None
            if postback.action == "confirm_location" and draft.location is not None:
                draft.confirmed(at, self._phone_deadline())
                return None
            if postback.action == "report":
                return None  # already reporting: ask the current question again
            if postback.action == "repeat" and workflow.patched(REPEAT_LAST_REPORT):
                recent = await self._recent_case()
                if recent is not None and recent.case_no == postback.case_no:
                    incident_type = recent.report.incident_type
                    draft.repeated(recent, self._incident_type(incident_type.code if incident_type else None)
                                   or incident_type, at)
                else:  # no longer recent (or not theirs): the plain question, without the offer
                    draft.repeatable = None
                return None
            if postback.action == "skip_phone" and step == Step.PHONE and workflow.patched(PHONE_MAY_BE_DECLINED):
                draft.declined_phone(at)
                return None
        if text:
            if (language := LANGUAGE_WORDS.get(text.casefold())) is not None:
                self._language = language
                return None
            if step == Step.INCIDENT_TYPE and (chosen := self._incident_type_typed(text)):
                draft.incident_type = chosen
                draft.answered(Step.INCIDENT_TYPE, at)
                return None
            if step == Step.CONFIRM_LOCATION and text.casefold() in CONFIRM_WORDS:
                draft.confirmed(at, self._phone_deadline())
                return None
            if (step == Step.PHONE and text.casefold() in SKIP_PHONE_WORDS
                    and workflow.patched(PHONE_MAY_BE_DECLINED)):
                draft.declined_phone(at)
                return None
            if step == Step.PHONE:
                phone = await self._read_phone_number(text)
                kept = _more_than_a_number(text)
                if kept:
                    draft.keep_note(text, at, step)
                if phone.valid:
                    draft.took_phone(phone, at)
                    return None
                return [BotMessage(prompt=Prompt.PHONE_INVALID, params={"kept": kept})]
            # Words beside the script: kept for the officers, and a number in them is taken.
            draft.keep_note(text, at, step)
            if draft.phone is None and not draft.phone_declined and workflow.patched(PHONE_IN_ANY_TEXT):
                phone = await self._read_phone_number(text)
                if phone.valid:
                    draft.took_phone(phone, at)
            return [BotMessage(prompt=Prompt.OFF_SCRIPT, params={"step": step.value, "kept": True}),
                    *self._question(step, draft)]
        return [BotMessage(prompt=Prompt.OFF_SCRIPT, params={"step": step.value}), *self._question(step, draft)]

    async def _read_phone_number(self, text: str) -> PhoneNumber:
        return await workflow.execute_local_activity_method(
            ReferenceData.read_phone_number, text, **options.STORE
        )

    def _phone_deadline(self) -> datetime:
        return workflow.now() + self._start.timeouts.phone_wait

    async def _await_answer(self, step: Step, draft: Draft) -> LineEvent | None:
        timeouts = self._start.timeouts
        if step == Step.PHONE and draft.phone_deadline is not None and workflow.patched(PHONE_STEP_PATIENCE):
            return await self._await_phone_number(draft)
        event = await self._next_answer(timeouts.reminder_after)
        if event is None:
            await self._say([BotMessage(prompt=Prompt.REMINDER), *self._question(step, draft)])
            event = await self._next_answer(timeouts.give_up_after)
        return event

    async def _await_phone_number(self, draft: Draft) -> LineEvent | None:
        """The place is confirmed: help goes out by the deadline, number or not, whatever else the
        reporter sends meanwhile. One reminder halfway."""
        assert draft.phone_deadline is not None
        halfway = draft.phone_deadline - self._start.timeouts.phone_wait / 2
        if not draft.phone_reminded and workflow.now() < halfway:
            event = await self._next_answer(halfway - workflow.now())
            if event is not None:
                return event
            draft.phone_reminded = True
            await self._say([BotMessage(prompt=Prompt.REMINDER), *self._question(Step.PHONE, draft)])
        remaining = draft.phone_deadline - workflow.now()
        if remaining <= timedelta(0):
            return None  # anything that came since is attached to the case once it is open
        return await self._next_answer(remaining)

    async def _next_answer(self, timeout: timedelta) -> LineEvent | None:
        """The next event that belongs to the report. A button from an officer's alert is answered
        on its own, as it would be outside a report, so the answer tells nothing of that case.
        (Histories from before took it for an answer off the script: they still do.) Such a button
        reaches a conversation no more (ALERT_TAPS_IN_THE_WEBHOOK): this stays for the same reasons."""
        while (event := await self._next_event(timeout)) is not None:
            if not (self._is_officer_tap(event) and workflow.patched("officer-taps-beside-a-report")):
                return event
            await self._answer_outside_report(event)
        return None

    async def _stop_waiting(self, draft: Draft) -> None:
        """The reporter went quiet. Knowing where is enough to send help."""
        self._step = None
        if draft.location is not None:
            await self._open_case(draft, complete=False)
        else:
            await self._say([BotMessage(prompt=Prompt.EXPIRED)])

    async def _open_case(self, draft: Draft, complete: bool) -> None:
        assert draft.location is not None and draft.place is not None
        info = workflow.info()
        # Reports kept unrecorded count too: each report its own id, so its own case number.
        conversation_id = f"{info.workflow_id}/{info.run_id}/{len(self._cases_opened) + self._unrecorded_reports}"
        try:
            _, case_no = await asyncio.gather(
                self._show_loading(),
                workflow.execute_local_activity_method(
                    CaseStore.allocate_case_number,
                    CaseNumberRequest(conversation_id=conversation_id, year=thai_year(workflow.now())),
                    **options.STORE,
                ),
            )
        except (ActivityError, ApplicationError) as error:
            if not workflow.patched(KEEP_UNRECORDED_REPORTS):
                raise
            await self._keep_unrecorded(conversation_id, None, self._report(draft, complete), error)
            return
        opening = CaseOpening(
            case_no=case_no,
            conversation_id=conversation_id,
            reporter=self._reporter(),
            report=self._report(draft, complete),
        )
        # Recorded before the reporter hears the number, so an officer can look it up at once.
        try:
            await workflow.execute_local_activity_method(CaseStore.record_case_opened, opening, **options.STORE)
        except (ActivityError, ApplicationError) as error:
            if not workflow.patched(KEEP_UNRECORDED_REPORTS):
                raise
            await self._keep_unrecorded(conversation_id, case_no, opening.report, error)
            return
        self._open_case_no = case_no
        self._cases_opened.append(case_no)
        prompt = Prompt.CASE_OPENED if complete else Prompt.CASE_OPENED_INCOMPLETE
        # The case starts while the reporter is told its number: neither waits for the other.
        _, delivered = await asyncio.gather(
            workflow.start_child_workflow(
                CaseWorkflow.run,
                opening,
                id=case_workflow_id(case_no),
                parent_close_policy=ParentClosePolicy.ABANDON,
                search_attributes=case_search_attributes(opening),
                static_summary=case_summary(opening),
            ),
            self._say([BotMessage(prompt=prompt, params={"case_no": case_no})]),
        )
        if not delivered and workflow.patched(CASE_NUMBER_UNDELIVERED):
            await self._record_undelivered(case_no, prompt)

    def _reporter(self) -> Reporter:
        return Reporter(user_id=self._start.user_id, reporter_key=self._start.reporter_key, language=self._language)

    def _report(self, draft: Draft, complete: bool) -> Report:
        assert draft.location is not None and draft.place is not None
        return Report(
            incident_type=draft.incident_type,
            location=draft.location,
            place=draft.place,
            phone=draft.phone,
            complete=complete,
            reported_at=draft.reported_at or workflow.now(),
            phone_declined=draft.phone_declined,
            steps=draft.steps,
            notes=draft.notes,
            repeat_of=draft.repeat_of,
        )

    async def _record_undelivered(self, case_no: str, prompt: Prompt) -> None:
        """LINE never took the case number (after all its tries): on the case, for its officers to
        call the reporter. Should even that be refused, the conversation still goes on."""
        entry = TimelineEntry(key=f"{case_no}:case-number-undelivered", case_no=case_no, at=workflow.now(),
                              actor="system", event=MessageUndelivered(to="reporter", prompt=prompt.value))
        try:
            await workflow.execute_local_activity_method(CaseStore.append_case_event, entry, **options.STORE)
        except (ActivityError, ApplicationError):
            workflow.logger.error("case %s: its undelivered case number could not be recorded", case_no)

    async def _keep_unrecorded(self, conversation_id: str, case_no: str | None, report: Report,
                               error: ActivityError | ApplicationError) -> None:
        """The case could not be recorded, and retrying will not mend it: the reporter hears to call 191
        at once, and the whole report is kept for an operator to replay (tools.dead_letters). The
        conversation goes on. Logged by the failure's type only: its message may quote the report."""
        reason = options.failure_type(error) if isinstance(error, ActivityError) else (error.type or "ApplicationError")
        self._unrecorded_reports += 1
        workflow.logger.error("a report could not be recorded (%s): the reporter is told to call 191", reason)
        unrecorded = UnrecordedReport(conversation_id=conversation_id, case_no=case_no, reason=reason,
                                      reporter=self._reporter(), report=report)

        async def keep() -> None:
            try:
                await workflow.execute_local_activity_method(CaseStore.keep_unrecorded_report, unrecorded,
                                                             **options.STORE)
            except (ActivityError, ApplicationError):
                workflow.logger.error("an unrecorded report could not be kept either (%s)", reason)

        await asyncio.gather(self._say([BotMessage(prompt=Prompt.CASE_NOT_RECORDED)]), keep())

    # --- outside a report ------------------------------------------------------------------

    async def _attach_to_case(self, event: LineEvent) -> None:
        assert self._open_case_no is not None
        message = _reporter_message(event)
        case: workflow.ExternalWorkflowHandle[CaseWorkflow] = workflow.get_external_workflow_handle_for(
            CaseWorkflow.run, case_workflow_id(self._open_case_no))
        try:
            await case.signal(CaseWorkflow.reporter_message, message)
        except FailureError:
            # The case has ended since we looked: answer as if there were no open case.
            self._open_case_no = None
            await self._answer_outside_report(event)
            return
        if not self._inbox:  # one acknowledgement for a burst of photos
            await self._say([BotMessage(prompt=Prompt.ATTACHED_TO_CASE, params={"case_no": self._open_case_no})])

    async def _answer_outside_report(self, event: LineEvent) -> None:
        if event.kind == EventKind.UNFOLLOW:
            return  # blocked: nothing can reach them
        postback = Postback.decode(event.postback_data) if event.kind == EventKind.POSTBACK else None
        if postback is not None and postback.action == "officer":
            # ALERT_TAPS_IN_THE_WEBHOOK: a tap an older API handed over, or one in a recorded history.
            await self._relay_officer_request(event, postback.case_no or "", postback.code or "OPEN")
            return
        if postback is not None and postback.action == "team":  # reaches here once the hand-off has ended
            await self._say([BotMessage(prompt=Prompt.HANDOFF_ENDED)])
            return
        typed_reply = officer_reply(event.text if event.message_type == "text" else None)
        if typed_reply is not None and workflow.patched("officer-replies-by-text"):
            case_no, words = typed_reply
            await self._relay_officer_request(event, case_no, "MESSAGE_REPORTER", note=words[:MAX_NOTE_LENGTH])
            return
        if (code := registration_code(event.text if event.message_type == "text" else None)) is not None:
            await self._register_officer(code)
            return
        text = (event.text or "").strip().casefold()
        if event.kind == EventKind.FOLLOW or text in HOW_TO_WORDS:
            await self._say([BotMessage(prompt=Prompt.GREETING)])
            return
        if (language := LANGUAGE_WORDS.get(text)) is not None:
            self._language = language
            await self._say([BotMessage(prompt=Prompt.LANGUAGE_CHANGED)])
            return
        if self._is_cancel(event):
            await self._say([BotMessage(prompt=Prompt.CANCELLED)])
            return
        if (event.kind == EventKind.MESSAGE and event.message_type in CONTENT_MESSAGES
                and workflow.patched(AFTER_HANDOVER)):
            handed_over = await workflow.execute_local_activity_method(
                CaseStore.find_handed_over_case, self._start.reporter_key, **options.STORE
            )
            if handed_over is not None:
                await self._after_handover(handed_over, event)
                return
        if (event.kind == EventKind.MESSAGE and event.message_type in FOLLOW_UP_MESSAGES
                and workflow.patched(FOLLOW_UP_AFTER_CLOSE)):
            recent = await self._recent_case()
            if recent is not None and recent.ended_at is not None:
                await self._follow_up(recent, event)
                return
        await self._say([BotMessage(prompt=Prompt.HELP)])

    # --- after a case ended ------------------------------------------------------------------

    async def _after_handover(self, case: HandedOverCase, event: LineEvent) -> None:
        """The province's team accepted the reporter's latest case. With their consent to contact,
        what they write goes to the team's hand-off and they hear quietly that it was passed on;
        without it (or with the hand-off over) the bot says who looks after them now and offers a
        new report."""
        if case.consent == Consent.GIVEN.value:
            handoff: workflow.ExternalWorkflowHandle[HandoffWorkflow] = workflow.get_external_workflow_handle_for(
                HandoffWorkflow.run, handoff_workflow_id(case.handoff_id))
            try:
                await handoff.signal(HandoffWorkflow.reporter_message, _reporter_message(event))
            except FailureError:
                pass  # the hand-off has ended: nobody there to read it
            else:
                if not self._inbox:  # one answer for a burst of photos
                    await self._say([BotMessage(prompt=Prompt.PASSED_TO_TEAM, params={"case_no": case.case_no})])
                return
        if not self._inbox:
            await self._say([BotMessage(prompt=Prompt.IN_TEAM_CARE, params={"case_no": case.case_no})])

    async def _recent_case(self) -> RecentCase | None:
        """The reporter's newest case, still open or ended within the follow-up window."""
        since = workflow.now() - self._start.timeouts.follow_up_after_close
        return await workflow.execute_local_activity_method(
            CaseStore.find_recent_case, RecentCaseRequest(reporter_key=self._start.reporter_key, ended_since=since),
            **options.STORE,
        )

    async def _follow_up(self, case: RecentCase, event: LineEvent) -> None:
        """What the reporter sent after their case ended: kept on its timeline, and at once, with
        sound, to its officers. The reporter hears whether any officer was reached."""
        contacts = await workflow.execute_local_activity_method(
            Directory.follow_up_contacts, case.case_no, **options.STORE
        )
        phone = case.report.phone
        notice = BotMessage(prompt=Prompt.CASE_FOLLOW_UP, params={
            "case_no": case.case_no, "status": case.status.value, "message_type": event.message_type,
            "text": event.text, "latitude": event.location.latitude if event.location else None,
            "longitude": event.location.longitude if event.location else None,
            "phone": phone.national if phone else None,
        })
        _, *delivered = await asyncio.gather(
            self._keep_follow_up(case.case_no, event),
            *(send_line(contact.line_user_id, contact.language, [notice], silent=False,
                        key=f"follow-up-{event.event_id}-{contact.officer_id}") for contact in contacts),
        )
        if not self._inbox:  # one answer for a burst of photos
            prompt = Prompt.FOLLOW_UP_SENT if any(delivered) else Prompt.FOLLOW_UP_KEPT
            await self._say([BotMessage(prompt=prompt, params={"case_no": case.case_no})])

    async def _keep_follow_up(self, case_no: str, event: LineEvent) -> None:
        """On the case's timeline as the reporter's message, marked a follow-up; a photo or file
        kept with the case, or recorded as failed when LINE will not give it."""
        key = reporter_message_key(case_no, event.event_id)
        attachment_id, failure = None, None
        if event.message_type in MEDIA_MESSAGES and event.message_id:
            attachment_id, failure = await keep_reporter_file(case_no, key, event.message_id, event.occurred_at)
        message_type, text = event.message_type or "unknown", event.text or None
        said: CaseTimelineEvent
        if failure is None:
            said = ReporterWrote(follow_up=True, message_type=message_type, attachment_id=attachment_id, text=text,
                                 location=event.location)
        else:
            said = AttachmentFailed(follow_up=True, message_type=message_type, reason=failure, text=text,
                                    location=event.location)
            key = f"{key}:failed"
        await workflow.execute_local_activity_method(
            CaseStore.append_case_event,
            TimelineEntry(key=key, case_no=case_no, at=event.occurred_at, actor="reporter", event=said),
            **options.STORE,
        )

    # --- officers ----------------------------------------------------------------------------

    async def _relay_officer_request(self, event: LineEvent, case_no: str, code: str, note: str | None = None) -> None:
        """An officer typed an answer to the reporter ("ตอบ <case no>: ..."), or (ALERT_TAPS_IN_THE_WEBHOOK)
        tapped Acknowledge or Open on an alert: the case itself checks and answers them. Once the case
        has ended, the answer comes from here, by the rule the webhook applies to a tap
        (api.ended_case_taps)."""
        officer = await workflow.execute_local_activity_method(
            Directory.find_officer_by_line_user, self._start.user_id, **options.STORE
        )
        if officer is None:
            await self._say([BotMessage(prompt=Prompt.NOT_AN_OFFICER)])
            return
        request = OfficerLineRequest(
            event_id=event.event_id, request=code, officer=officer, note=note,
            line_user_id=self._start.user_id, language=self._language,
        )
        case: workflow.ExternalWorkflowHandle[CaseWorkflow] = workflow.get_external_workflow_handle_for(
            CaseWorkflow.run, case_workflow_id(case_no))
        try:
            await case.signal(CaseWorkflow.officer_request, request)
        except FailureError:
            reason_th, reason_en = CASE_ENDED
            # Outside the officer's area an ended case is answered as an open one is: no hint of its state.
            if workflow.patched("ended-case-taps-within-jurisdiction") and not await self._within_jurisdiction(
                    officer, case_no):
                reason_th, reason_en = OUTSIDE_JURISDICTION
                await workflow.execute_local_activity_method(
                    CaseStore.record_refused_view, RefusedView(event_id=event.event_id, case_no=case_no,
                                                               officer_id=officer.officer_id), **options.STORE,
                )
            await self._say([BotMessage(prompt=Prompt.OFFICER_ACTION_REJECTED, params={
                "case_no": case_no or "-", "reason_th": reason_th, "reason_en": reason_en,
            })])

    async def _within_jurisdiction(self, officer: Officer, case_no: str) -> bool:
        """A case number that names no case is outside everyone's area."""
        where = await workflow.execute_local_activity_method(
            CaseStore.case_jurisdiction, case_no, **options.STORE
        )
        if where is None:
            return False
        return within_jurisdiction(officer, where.province_code, where.station_id)

    async def _register_officer(self, code: str) -> None:
        outcome = await workflow.execute_local_activity_method(
            Directory.register_officer,
            RegistrationRequest(code=code, line_user_id=self._start.user_id),
            **options.STORE,
        )
        registered_as = outcome.officer or outcome.team_member  # an officer's code, or a team member's
        if outcome.registered and registered_as is not None:
            await self._say([BotMessage(prompt=Prompt.OFFICER_REGISTERED, params={"name": registered_as.name})])
        else:
            await self._say([BotMessage(prompt=Prompt.OFFICER_REGISTRATION_FAILED,
                                        params={"reason": outcome.reason or "", "minutes": outcome.wait_minutes})])

    # --- reading events --------------------------------------------------------------------

    async def _next_event(self, timeout: timedelta) -> LineEvent | None:
        """The next event, or None when none came within the timeout."""
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: bool(self._inbox), timeout=timeout)
        # An event may arrive in the same activation as the timer: never drop it.
        if not self._inbox:
            return None
        event = self._inbox.popleft()
        if event.reply_token:
            self._reply_to = event
        return event

    def _starts_report(self, event: LineEvent) -> bool:
        if event.kind == EventKind.POSTBACK:
            postback = Postback.decode(event.postback_data)
            return postback is not None and postback.action in ("report", "type", "repeat")
        if event.message_type == "text":
            return (event.text or "").strip().casefold() in REPORT_WORDS
        # Sharing a location with no open case is a report in itself: pin it, stop it.
        return event.message_type == "location" and self._open_case_no is None

    def _answers_a_step(self, event: LineEvent) -> bool:
        postback = Postback.decode(event.postback_data) if event.kind == EventKind.POSTBACK else None
        return event.location is not None or (postback is not None and postback.action in ("type", "repeat"))

    def _is_officer_tap(self, event: LineEvent) -> bool:
        """ALERT_TAPS_IN_THE_WEBHOOK: for taps that still reach a conversation."""
        postback = Postback.decode(event.postback_data) if event.kind == EventKind.POSTBACK else None
        return postback is not None and postback.action == "officer"

    def _is_cancel(self, event: LineEvent) -> bool:
        if event.kind == EventKind.POSTBACK:
            postback = Postback.decode(event.postback_data)
            return postback is not None and postback.action == "cancel"
        return event.message_type == "text" and (event.text or "").strip().casefold() in CANCEL_WORDS

    def _incident_type(self, code: str | None) -> IncidentType | None:
        return next((t for t in self._incident_types if t.code == code), None)

    def _incident_type_typed(self, text: str) -> IncidentType | None:
        """A typed choice: its number in the list, or its label."""
        if text.isdigit() and 1 <= int(text) <= len(self._incident_types):
            return self._incident_types[int(text) - 1]
        folded = text.casefold()
        return next(
            (t for t in self._incident_types if folded in (t.label_th.casefold(), t.label_en.casefold())), None
        )

    def _question(self, step: Step, draft: Draft) -> list[BotMessage]:
        if step == Step.INCIDENT_TYPE:
            types = [t.model_dump() for t in self._incident_types]
            repeatable = {"repeat_case_no": draft.repeatable} if draft.repeatable else {}
            return [BotMessage(prompt=Prompt.ASK_INCIDENT_TYPE, params={"incident_types": types, **repeatable})]
        if step == Step.LOCATION:
            return [BotMessage(prompt=Prompt.ASK_LOCATION)]
        if step == Step.CONFIRM_LOCATION:
            assert draft.location is not None and draft.place is not None
            # LINE's address when it gave one, and always the district and province we derived.
            lines = [draft.location.address, draft.place.describe(self._language)]
            place = "\n".join(line for line in lines if line)
            return [BotMessage(prompt=Prompt.CONFIRM_LOCATION, params={"place": place})]
        return [BotMessage(prompt=Prompt.ASK_PHONE)]

    # --- speaking ----------------------------------------------------------------------------

    async def _get_to_know_reporter(self) -> None:
        """Their LINE app's language and any case of theirs still open, looked up side by side."""
        language, self._open_case_no = await asyncio.gather(
            line_language(self._start.user_id),
            workflow.execute_local_activity_method(
                CaseStore.find_open_case, self._start.reporter_key, **options.STORE
            ),
        )
        self._language = language or Language.THAI

    async def _say(self, messages: list[BotMessage]) -> bool:
        """Send by reply while the last event's token is fresh (the activity decides), else push.
        False when LINE never took it."""
        info = workflow.info()
        self._deliveries += 1
        reply_to, self._reply_to = self._reply_to, None  # a reply token is good for one reply
        delivery = Delivery(
            key=f"{info.workflow_id}/{info.run_id}/{self._deliveries}",
            user_id=self._start.user_id,
            language=self._language,
            messages=messages[:5],
            reply_token=reply_to.reply_token if reply_to else None,
            reply_token_issued_at=reply_to.occurred_at if reply_to else None,
        )
        try:
            await workflow.execute_activity_method(LineMessenger.send_line_messages, delivery, **options.LINE)
        except ActivityError:
            # LINE refused for good (e.g. the reporter blocked the account): the report goes on.
            workflow.logger.warning("a message to the reporter could not be delivered")
            return False
        return True

    async def _show_loading(self) -> None:
        # A local activity out of attempts raises its own error (not an ActivityError): cosmetic, so ignored.
        with contextlib.suppress(ActivityError, ApplicationError):
            await workflow.execute_local_activity_method(LineMessenger.show_line_loading, self._start.user_id,
                                                         **options.LINE_COSMETIC)


def _reporter_message(event: LineEvent) -> ReporterMessage:
    return ReporterMessage(
        event_id=event.event_id,
        message_type=event.message_type or "unknown",
        received_at=event.occurred_at,
        text=event.text,
        message_id=event.message_id,
        location=event.location,
    )


def _more_than_a_number(text: str) -> bool:
    """Words beside the digits: worth keeping for the officers."""
    return any(character.isalpha() for character in text)


def case_search_attributes(opening: CaseOpening) -> TypedSearchAttributes:
    report = opening.report
    return TypedSearchAttributes(
        [
            SearchAttributePair(search_attributes.CASE_NO, opening.case_no),
            SearchAttributePair(search_attributes.STATUS, CaseStatus.NEW.value),
            SearchAttributePair(
                search_attributes.INCIDENT_TYPE, report.incident_type.code if report.incident_type else "UNKNOWN"
            ),
            SearchAttributePair(search_attributes.PROVINCE, report.place.province_name_en or "UNKNOWN"),
            SearchAttributePair(search_attributes.ESCALATION_LEVEL, 0),
        ]
    )


def case_summary(opening: CaseOpening) -> str:
    """One line for the Temporal UI: case number, type, province. No personal data."""
    report = opening.report
    parts = [
        opening.case_no,
        report.incident_type.label_th if report.incident_type else "ไม่ระบุประเภท",
        report.place.province_name_th or "ไม่ทราบจังหวัด",
    ]
    if not report.complete:
        parts.append("ข้อมูลไม่ครบ")
    return " · ".join(parts)
