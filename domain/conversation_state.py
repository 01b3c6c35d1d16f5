"""What a conversation (workflows.intake) carries into its next run when it continues as new: a
chatty reporter keeps one conversation alive for a long time, and its history must stay bounded.
Plain data, like domain.models.

It continues only between reports, so no half-told report is ever carried: what is carried is who
the reporter is to the bot (language, their open case), what the run has done that later runs must
not repeat (cases opened, reports kept unrecorded, event ids already taken), and the events that
arrived but were not handled yet."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.models import Language, LineEvent

# Event ids carried to the next run for de-duplicating LINE's redeliveries: the newest this many.
SEEN_EVENT_IDS_CARRIED = 500


class ConversationState(BaseModel):
    language: Language = Language.THAI
    open_case_no: str | None = None
    cases_opened: list[str] = Field(default_factory=list)  # by every run so far: the conversation's result
    unrecorded_reports: int = 0  # kept in the dead-letter table by every run so far (their conversation ids)
    seen_event_ids: list[str] = Field(default_factory=list)  # oldest first
    pending: list[LineEvent] = Field(default_factory=list)  # arrived, not handled yet; handled first
    reply_to: LineEvent | None = None  # the last event whose reply token may still be fresh
    # Events a run may reach before it continues as new; None: the workflow's HISTORY_BUDGET. Specs
    # lower it to see the hand-over without writing thousands of events.
    history_budget: int | None = None
