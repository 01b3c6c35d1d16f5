"""What a case workflow carries into its next run when it continues as new: everything it knows
that its history would otherwise have to replay, in one typed model."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.handoff import HandoffDecision
from domain.models import CaseStatus, LineEvent, OfficerContact, OfficerLineRequest, ReporterMessage, Route

# How many of the latest LINE event ids a run carries for de-duplication: LINE redelivers within
# minutes, and the webhook keeps its own record, so the last few thousand are plenty.
SEEN_EVENTS_KEPT = 2_000


class CaseState(BaseModel):
    """The case between two runs. The ladder has finished (or someone acknowledged) before a case
    continues as new, and no hand-off is awaiting the team's answer, so neither is carried."""

    status: CaseStatus
    route: Route
    opened_at: datetime  # the first run's start: the case's age, whatever run it is in
    runs: int  # runs before this one
    escalation_level: int
    review_flag: bool
    acknowledged_by: int | None
    alerted: list[OfficerContact]  # officers LINE took an alert for, so far
    # Counters that make timeline and LINE keys unique across runs.
    events: int
    attached: int
    told_reporter: int
    handoffs: int
    # Heard, not yet handled: the next run handles them first, in order.
    reporter_messages: list[ReporterMessage] = []
    line_requests: list[OfficerLineRequest] = []
    taps: list[LineEvent] = []
    decisions: list[HandoffDecision] = []
    seen_event_ids: list[str] = []  # the latest SEEN_EVENTS_KEPT, oldest first
    decision_ids: list[str] = []
